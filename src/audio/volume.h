// Resemblyzer's volume normalisation: scale to a target dBFS (RMS against 32767), increase only by default.
#pragma once
#include <vector>

namespace sid {

struct VolumeChange {
  double rms_dbfs = 0;  // level before the change (-inf for digital silence)
  double gain_db = 0;   // applied gain (0 when untouched)
};

VolumeChange normalize_volume(std::vector<float>& wav, double target_dbfs = -30.0, bool increase_only = true);

}  // namespace sid

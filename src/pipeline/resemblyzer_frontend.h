// The whole Resemblyzer front-end for 16 kHz mono audio, every stage kept (CLI --stages, golden tests):
// volume normalisation -> VAD trim -> partial slices -> zero pad -> 40-band Slaney mel power spectrogram.
#pragma once
#include <cstdint>
#include <vector>

#include "audio/vad_trim.h"
#include "audio/volume.h"
#include "pipeline/partial_slices.h"

namespace sid {

struct ResemblyzerFeatures {
  VolumeChange volume;
  VadTrim vad;                        // flags / smoothed / keep / trimmed (= "preprocessed")
  std::vector<PartialSlice> slices;
  std::vector<float> mel;             // row-major [mel_frames][40], of the (zero-padded) preprocessed wav
  size_t mel_frames = 0;
  std::vector<float> partials;        // row-major [slices.size()][160][40], the model input batch
};

constexpr int kResemblyzerMels = 40;

ResemblyzerFeatures resemblyzer_frontend(const std::vector<float>& wav16k);

}  // namespace sid

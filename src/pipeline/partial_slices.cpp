#include "pipeline/partial_slices.h"

#include "error.h"

#include <cmath>
#include <stdexcept>

namespace sid {

std::vector<PartialSlice> compute_partial_slices(size_t n_samples, double rate, double min_coverage) {
  constexpr double kSampleRate = 16000.0;
  if (!(rate > 0.0) || !std::isfinite(rate)) throw Error(ErrorCode::kInvalidArgument, "compute_partial_slices: rate must be > 0");
  // Python: int(np.ceil((n_samples + 1) / samples_per_frame)) with true (float64) division.
  const long long n_frames =
      static_cast<long long>(std::ceil(static_cast<double>(n_samples + 1) / static_cast<double>(kMelHop)));
  const double step_f = std::nearbyint((kSampleRate / rate) / static_cast<double>(kMelHop));  // np.round
  if (!(step_f > 0.0)) throw Error(ErrorCode::kInvalidArgument, "compute_partial_slices: the rate is too high");
  if (step_f > kPartialFrames) throw Error(ErrorCode::kInvalidArgument, "compute_partial_slices: the rate is too low");
  const long long frame_step = static_cast<long long>(step_f);

  long long steps = n_frames - kPartialFrames + frame_step + 1;
  if (steps < 1) steps = 1;

  std::vector<PartialSlice> slices;
  for (long long i = 0; i < steps; i += frame_step) {
    PartialSlice s;
    s.mel_start = static_cast<int>(i);
    s.mel_stop = static_cast<int>(i + kPartialFrames);
    s.wav_start = static_cast<int>(i * kMelHop);
    s.wav_stop = static_cast<int>((i + kPartialFrames) * kMelHop);
    slices.push_back(s);
  }
  const PartialSlice& last = slices.back();
  const double coverage = (static_cast<double>(n_samples) - static_cast<double>(last.wav_start)) /
                          static_cast<double>(last.wav_stop - last.wav_start);
  if (coverage < min_coverage && slices.size() > 1) slices.pop_back();
  return slices;
}

}  // namespace sid

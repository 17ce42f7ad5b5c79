// The Python Speaker-ID service's "audio enhancement" (optional, not the default): energy trim 30 dB below the
// loudest 2048-sample frame (hop 512), best 3.0 s window by RMS (hop 250 ms) when longer than 3.5 s, peak
// normalisation to 0.9, pre-emphasis 0.97. Shorter than 1 s after trimming: normalise + pre-emphasis only.
//
// Exact semantics (input is 16 kHz mono; sr = 16000 below):
//  energy_trim:   frames start at i in range(0, len - frame_length, hop_length) (so none when len <= frame_length);
//                 energy[f] = 10*log10(sum(x[i:i+frame_length]^2) + 1e-10) (sum in double);
//                 threshold = max(energy) - top_db; first / last = the first / last frame with energy > threshold;
//                 start = first*hop, end = min((last+1)*hop + frame_length, len); output = x[start:end].
//                 No frame (or none above the threshold): the input is returned unchanged.
//  then, on the trimmed signal y:
//    len(y) < 1.0 s                                  -> peak_normalize + preemphasis only
//    len(y)/sr > select_above_seconds (3.5 s) and select_best_segment
//                                                    -> best_segment, then peak_normalize + preemphasis
//    otherwise                                       -> peak_normalize + preemphasis
//  best_segment:  seg = round(segment_seconds*sr) = 48000 samples, hop = sr/4 = 4000; windows start at
//                 range(0, len - seg, hop); RMS = sqrt(mean(x^2)) (double); the first maximum wins; no window
//                 (len <= seg) -> unchanged.
//  peak_normalize: peak = max|x|; if peak > 0 (and finite): x[n] = float(x[n] * (target/peak)) computed in double,
//                 so the peak sample becomes exactly float(0.9). All-zero input stays zero.
//  preemphasis:   y[0] = x[0], y[n] = x[n] - c*x[n-1] in float32 (c = float(0.97)), as numpy does on float32.
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

struct CompatOptions {
  double top_db = 30.0;
  int frame_length = 2048;
  int hop_length = 512;
  bool select_best_segment = true;
  double segment_seconds = 3.0;
  double select_above_seconds = 3.5;
  double peak = 0.9;
  double preemphasis = 0.97;
};

constexpr int kCompatSampleRate = 16000;

std::vector<float> compat_preprocess(const std::vector<float>& wav16k, const CompatOptions& options = {});

// The steps, exposed for tests and diagnostics.
struct SampleRange {
  size_t start = 0;
  size_t end = 0;  // exclusive
};
// The [start, end) energy_trim keeps ([0, len) when it leaves the signal unchanged).
SampleRange energy_trim_range(const std::vector<float>& x, const CompatOptions& options = {});
std::vector<float> energy_trim(const std::vector<float>& x, const CompatOptions& options = {});
// Start of the best window (the first with the highest RMS); 0 with no window.
size_t best_segment_start(const std::vector<float>& x, size_t segment_samples, size_t hop_samples);
std::vector<float> best_segment(const std::vector<float>& x, const CompatOptions& options = {});
void peak_normalize(std::vector<float>& x, double target_peak = 0.9);
void preemphasis(std::vector<float>& x, double coefficient = 0.97);

}  // namespace sid

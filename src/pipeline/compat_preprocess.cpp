#include "pipeline/compat_preprocess.h"

#include "error.h"

#include <cmath>
#include <stdexcept>

namespace sid {

SampleRange energy_trim_range(const std::vector<float>& x, const CompatOptions& o) {
  const size_t len = x.size();
  SampleRange whole{0, len};
  if (o.frame_length <= 0 || o.hop_length <= 0)
    throw Error(ErrorCode::kInvalidArgument, "energy_trim: frame_length and hop_length must be > 0");
  const size_t frame = static_cast<size_t>(o.frame_length);
  const size_t hop = static_cast<size_t>(o.hop_length);
  if (len <= frame) return whole;  // range(0, len - frame, hop) is empty

  std::vector<double> energy;
  for (size_t i = 0; i < len - frame; i += hop) {
    double s = 0.0;
    for (size_t k = i; k < i + frame; ++k) s += static_cast<double>(x[k]) * static_cast<double>(x[k]);
    energy.push_back(10.0 * std::log10(s + 1e-10));
  }
  double max_e = -INFINITY;
  for (double e : energy)
    if (e > max_e) max_e = e;
  if (!std::isfinite(max_e)) return whole;
  const double threshold = max_e - o.top_db;
  size_t first = energy.size(), last = 0;
  for (size_t f = 0; f < energy.size(); ++f) {
    if (energy[f] > threshold) {
      if (first == energy.size()) first = f;
      last = f;
    }
  }
  if (first == energy.size()) return whole;
  SampleRange r;
  r.start = first * hop;
  r.end = (last + 1) * hop + frame;
  if (r.end > len) r.end = len;
  return r;
}

std::vector<float> energy_trim(const std::vector<float>& x, const CompatOptions& o) {
  const SampleRange r = energy_trim_range(x, o);
  return std::vector<float>(x.begin() + static_cast<ptrdiff_t>(r.start), x.begin() + static_cast<ptrdiff_t>(r.end));
}

size_t best_segment_start(const std::vector<float>& x, size_t seg, size_t hop) {
  if (seg == 0 || hop == 0 || x.size() <= seg) return 0;
  size_t best = 0;
  double best_rms = -1.0;
  for (size_t i = 0; i < x.size() - seg; i += hop) {
    double s = 0.0;
    for (size_t k = i; k < i + seg; ++k) s += static_cast<double>(x[k]) * static_cast<double>(x[k]);
    const double rms = std::sqrt(s / static_cast<double>(seg));
    if (rms > best_rms) {  // strict: the first maximum wins
      best_rms = rms;
      best = i;
    }
  }
  return best;
}

std::vector<float> best_segment(const std::vector<float>& x, const CompatOptions& o) {
  const double seg_f = std::round(o.segment_seconds * kCompatSampleRate);
  if (!(seg_f > 0)) throw Error(ErrorCode::kInvalidArgument, "best_segment: segment_seconds must be > 0");
  const size_t seg = static_cast<size_t>(seg_f);
  const size_t hop = kCompatSampleRate / 4;
  if (x.size() <= seg) return x;
  const size_t start = best_segment_start(x, seg, hop);
  return std::vector<float>(x.begin() + static_cast<ptrdiff_t>(start),
                            x.begin() + static_cast<ptrdiff_t>(start + seg));
}

void peak_normalize(std::vector<float>& x, double target_peak) {
  double peak = 0.0;
  for (float v : x) {
    const double a = std::fabs(static_cast<double>(v));
    if (a > peak) peak = a;
  }
  if (!(peak > 0.0) || !std::isfinite(peak)) return;
  const double scale = target_peak / peak;
  for (float& v : x) v = static_cast<float>(static_cast<double>(v) * scale);
}

void preemphasis(std::vector<float>& x, double coefficient) {
  const float c = static_cast<float>(coefficient);
  for (size_t n = x.size(); n-- > 1;) {
    const float prev = c * x[n - 1];  // separate statement: no fused multiply-add
    x[n] = x[n] - prev;
  }
}

std::vector<float> compat_preprocess(const std::vector<float>& wav16k, const CompatOptions& o) {
  std::vector<float> y = energy_trim(wav16k, o);
  const double seconds = static_cast<double>(y.size()) / kCompatSampleRate;
  if (y.size() >= static_cast<size_t>(kCompatSampleRate) && o.select_best_segment &&
      seconds > o.select_above_seconds)
    y = best_segment(y, o);
  peak_normalize(y, o.peak);
  preemphasis(y, o.preemphasis);
  return y;
}

}  // namespace sid

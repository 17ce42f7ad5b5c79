// Sparse triangular filterbanks: librosa's Slaney mel basis and SpeechBrain's Filterbank matrix, each band stored as
// [first nonzero bin, weights] and applied with a 4-lane dot product (wasm SIMD when available, the same lane order
// in scalar code otherwise, so native and wasm builds give bit-identical results).
#include "features/mel_filterbank.h"

#include "error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace sid {

namespace {

// ---- librosa 0.10 Slaney mel scale (float64) ----
constexpr double kSlaneyFSp = 200.0 / 3.0;
constexpr double kSlaneyMinLogHz = 1000.0;

double slaney_logstep() { return std::log(6.4) / 27.0; }

double hz_to_mel_slaney(double f) {
  const double min_log_mel = kSlaneyMinLogHz / kSlaneyFSp;
  if (f >= kSlaneyMinLogHz) return min_log_mel + std::log(f / kSlaneyMinLogHz) / slaney_logstep();
  return f / kSlaneyFSp;
}

double mel_to_hz_slaney(double m) {
  const double min_log_mel = kSlaneyMinLogHz / kSlaneyFSp;
  if (m >= min_log_mel) return kSlaneyMinLogHz * std::exp(slaney_logstep() * (m - min_log_mel));
  return kSlaneyFSp * m;
}

// torch.linspace on CPU for float32 (torch 1.13 linspace_kernel): step = (end - start) / (steps - 1) in float.
// The scalar path counts up from start for idx < steps/2 and down from end otherwise; the vectorised path (used for
// whole blocks of 2 x 8 lanes, AVX2) computes a block base with that rule at the block's first index and then
// base + j * step for its lanes. Emulating both reproduces torch's float32 values bit for bit (checked for the
// 82 mel points of Fbank(n_mels=80); AVX-512's 16-lane blocks give the same values there).
std::vector<float> torch_linspace_f32(float start, float end, int steps) {
  std::vector<float> out(static_cast<size_t>(steps));
  if (steps == 1) {
    out[0] = start;
    return out;
  }
  const float step = (end - start) / static_cast<float>(steps - 1);
  const int halfway = steps / 2;
  auto scalar = [&](int i) {
    return i < halfway ? start + step * static_cast<float>(i) : end - step * static_cast<float>(steps - i - 1);
  };
  constexpr int kLanes = 8;
  const int vec_end = steps - steps % (2 * kLanes);
  for (int i = 0; i < steps; ++i) {
    if (i < vec_end) {
      const int base_idx = i - i % kLanes;
      out[i] = scalar(base_idx) + static_cast<float>(i - base_idx) * step;
    } else {
      out[i] = scalar(i);
    }
  }
  return out;
}

void check_args(int sample_rate, int n_fft, int n_mels, float fmin, float fmax) {
  if (sample_rate <= 0 || n_fft < 2 || n_mels < 1 || !(fmin >= 0.f) || !(fmax > fmin))
    throw Error(ErrorCode::kInvalidArgument, "MelFilterbank: invalid parameters");
}

// Horizontal sum of 4 lanes in the order the SIMD path uses: (l0 + l2) + (l1 + l3).
inline float hsum4(float l0, float l1, float l2, float l3) { return (l0 + l2) + (l1 + l3); }

inline float dot(const float* w, const float* p, int len) {
  int i = 0;
#ifdef __wasm_simd128__
  v128_t acc = wasm_f32x4_splat(0.f);
  for (; i + 4 <= len; i += 4)
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(w + i), wasm_v128_load(p + i)));
  // (l0 + l2, l1 + l3, ...) then lane0 + lane1
  const v128_t hi = wasm_i32x4_shuffle(acc, acc, 2, 3, 0, 1);
  const v128_t s = wasm_f32x4_add(acc, hi);
  float sum = wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1);
#else
  float a0 = 0.f, a1 = 0.f, a2 = 0.f, a3 = 0.f;
  for (; i + 4 <= len; i += 4) {
    a0 += w[i] * p[i];
    a1 += w[i + 1] * p[i + 1];
    a2 += w[i + 2] * p[i + 2];
    a3 += w[i + 3] * p[i + 3];
  }
  float sum = hsum4(a0, a1, a2, a3);
#endif
  for (; i < len; ++i) sum += w[i] * p[i];
  return sum;
}

}  // namespace

// Trims each dense row to its nonzero span and pads the span to a multiple of 4 (zeros), shifting it left when it
// would run past the last bin, so the dot product needs no scalar tail. Zero weights contribute exact zeros.
MelFilterbank MelFilterbank::from_dense(const std::vector<float>& dense, int n_mels, int bins) {
  MelFilterbank fb;
  fb.bins_ = bins;
  fb.filters_.resize(static_cast<size_t>(n_mels));
  for (int m = 0; m < n_mels; ++m) {
    const float* row = dense.data() + static_cast<size_t>(m) * bins;
    int first = 0, last = -1;
    for (int k = 0; k < bins; ++k)
      if (row[k] != 0.f) {
        if (last < 0) first = k;
        last = k;
      }
    Filter& f = fb.filters_[static_cast<size_t>(m)];
    if (last < 0) {  // empty band (possible with many mels on a short FFT): outputs 0
      f.first_bin = 0;
      continue;
    }
    int len = last - first + 1;
    int padded = (len + 3) / 4 * 4;
    if (padded <= bins) {
      if (first + padded > bins) first = bins - padded;
      len = padded;
    }
    f.first_bin = first;
    f.weights.assign(row + first, row + first + len);
  }
  return fb;
}

MelFilterbank MelFilterbank::slaney(int sample_rate, int n_fft, int n_mels, float fmin, float fmax) {
  check_args(sample_rate, n_fft, n_mels, fmin, fmax);
  const int bins = n_fft / 2 + 1;
  // fft_frequencies = np.fft.rfftfreq(n_fft, 1/sr) = k * (1 / (n_fft * (1/sr)))
  const double val = 1.0 / (static_cast<double>(n_fft) * (1.0 / static_cast<double>(sample_rate)));
  std::vector<double> fftfreqs(static_cast<size_t>(bins));
  for (int k = 0; k < bins; ++k) fftfreqs[k] = static_cast<double>(k) * val;
  // mel_frequencies(n_mels + 2): np.linspace(min_mel, max_mel) (i * step + start, last = stop), back to Hz.
  const int n_pts = n_mels + 2;
  const double min_mel = hz_to_mel_slaney(fmin), max_mel = hz_to_mel_slaney(fmax);
  const double step = (max_mel - min_mel) / (n_pts - 1);
  std::vector<double> mel_f(static_cast<size_t>(n_pts));
  for (int i = 0; i < n_pts; ++i) {
    const double m = (i == n_pts - 1) ? max_mel : static_cast<double>(i) * step + min_mel;
    mel_f[i] = mel_to_hz_slaney(m);
  }
  std::vector<float> dense(static_cast<size_t>(n_mels) * bins);
  for (int i = 0; i < n_mels; ++i) {
    const double fdiff_lo = mel_f[i + 1] - mel_f[i];
    const double fdiff_hi = mel_f[i + 2] - mel_f[i + 1];
    const double enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
    for (int k = 0; k < bins; ++k) {
      // ramps[j] = mel_f[j] - fftfreq; lower = -ramps[i] / fdiff[i]; upper = ramps[i+2] / fdiff[i+1]
      const double lower = -(mel_f[i] - fftfreqs[k]) / fdiff_lo;
      const double upper = (mel_f[i + 2] - fftfreqs[k]) / fdiff_hi;
      // librosa stores the triangle in a float32 array, then `weights *= enorm` (float64 multiply, cast back).
      const float tri = static_cast<float>(std::max(0.0, std::min(lower, upper)));
      dense[static_cast<size_t>(i) * bins + k] = static_cast<float>(static_cast<double>(tri) * enorm);
    }
  }
  return from_dense(dense, n_mels, bins);
}

MelFilterbank MelFilterbank::speechbrain(int sample_rate, int n_fft, int n_mels, float fmin, float fmax) {
  check_args(sample_rate, n_fft, n_mels, fmin, fmax);
  const int bins = n_fft / 2 + 1;
  // _to_mel runs on Python floats (float64); the linspace and everything after it are float32 tensors.
  const double mel_lo = 2595.0 * std::log10(1.0 + static_cast<double>(fmin) / 700.0);
  const double mel_hi = 2595.0 * std::log10(1.0 + static_cast<double>(fmax) / 700.0);
  std::vector<float> mel = torch_linspace_f32(static_cast<float>(mel_lo), static_cast<float>(mel_hi), n_mels + 2);
  std::vector<float> hz(mel.size());
  // 10 ** (mel / 2595) in float32; torch evaluates the power with a 1-ulp vector pow, here it is computed in double
  // and rounded (agrees with torch 1.13 on 81 of the 82 points, 1 ulp on the other).
  for (size_t i = 0; i < mel.size(); ++i) {
    const float e = mel[i] / 2595.0f;
    const float p = static_cast<float>(std::pow(10.0, static_cast<double>(e)));
    hz[i] = 700.0f * (p - 1.0f);
  }
  // all_freqs = torch.linspace(0, sample_rate // 2, n_stft)
  std::vector<float> freqs = torch_linspace_f32(0.f, static_cast<float>(sample_rate / 2), bins);
  std::vector<float> dense(static_cast<size_t>(n_mels) * bins);
  for (int i = 0; i < n_mels; ++i) {
    const float fc = hz[static_cast<size_t>(i) + 1];
    const float band = hz[static_cast<size_t>(i) + 1] - hz[static_cast<size_t>(i)];
    for (int k = 0; k < bins; ++k) {
      const float slope = (freqs[k] - fc) / band;
      const float left = slope + 1.0f;
      const float right = -slope + 1.0f;
      dense[static_cast<size_t>(i) * bins + k] = std::max(0.0f, std::min(left, right));
    }
  }
  return from_dense(dense, n_mels, bins);
}

std::vector<float> MelFilterbank::apply(const std::vector<float>& power, size_t frames) const {
  const size_t nb = static_cast<size_t>(bins_);
  const size_t nm = filters_.size();
  if (power.size() < frames * nb) throw Error(ErrorCode::kInvalidArgument, "MelFilterbank::apply: power is smaller than frames x bins");
  std::vector<float> out(frames * nm);
  for (size_t t = 0; t < frames; ++t) {
    const float* p = power.data() + t * nb;
    float* o = out.data() + t * nm;
    for (size_t m = 0; m < nm; ++m) {
      const Filter& f = filters_[m];
      o[m] = dot(f.weights.data(), p + f.first_bin, static_cast<int>(f.weights.size()));
    }
  }
  return out;
}

std::vector<float> MelFilterbank::dense() const {
  std::vector<float> d(filters_.size() * static_cast<size_t>(bins_), 0.f);
  for (size_t m = 0; m < filters_.size(); ++m) {
    const Filter& f = filters_[m];
    std::copy(f.weights.begin(), f.weights.end(), d.begin() + static_cast<ptrdiff_t>(m * bins_ + f.first_bin));
  }
  return d;
}

}  // namespace sid

// Centred power STFT over KissFFT (float32 real FFT).
//
// Conventions (librosa >= 0.9 stft(center=True, pad_mode="constant") and torch.stft(center=True,
// pad_mode="constant")): the signal is conceptually padded with n_fft/2 zeros on both sides, frame t covers padded
// samples [t*hop, t*hop + n_fft), i.e. original samples [t*hop - n_fft/2, t*hop + n_fft/2), and there are
// 1 + n/hop frames. Samples outside [0, n) read as zero, so any n (including n < n_fft/2 and n = 0, which gives one
// all-zero frame) is handled without allocating the padded signal.
#include "features/stft_power.h"

#include "error.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "kiss_fftr.h"

namespace sid {

namespace {

// Periodic windows. Hann follows scipy.signal.get_window("hann", N, fftbins=True) (float64, as librosa uses it);
// Hamming follows torch.hamming_window(N, periodic=True) (float32 arithmetic: cos(n * (2pi/N)) * -0.46 + 0.54).
std::vector<float> make_window(int n, Window w) {
  std::vector<float> out(static_cast<size_t>(n));
  const double kTwoPi = 6.283185307179586476925286766559;
  for (int i = 0; i < n; ++i) {
    if (w == Window::kHannPeriodic) {
      out[i] = static_cast<float>(0.5 - 0.5 * std::cos(kTwoPi * i / n));
    } else {
      const float step = static_cast<float>(kTwoPi / static_cast<double>(n));
      const float c = std::cos(static_cast<float>(i) * step);
      out[i] = c * -0.46f + 0.54f;
    }
  }
  return out;
}

}  // namespace

PowerStft::PowerStft(int n_fft, int hop, Window window) : n_fft_(n_fft), hop_(hop), cfg_(nullptr) {
  if (n_fft < 2 || (n_fft & 1) != 0) throw Error(ErrorCode::kInvalidArgument, "PowerStft: n_fft must be even and >= 2");
  if (hop < 1) throw Error(ErrorCode::kInvalidArgument, "PowerStft: hop must be >= 1");
  window_ = make_window(n_fft, window);
  cfg_ = kiss_fftr_alloc(n_fft, 0, nullptr, nullptr);
  if (cfg_ == nullptr) throw Error(ErrorCode::kInternal, "PowerStft: kiss_fftr_alloc failed");
}

PowerStft::~PowerStft() { kiss_fftr_free(cfg_); }

std::vector<float> PowerStft::compute(const float* samples, size_t n) const {
  const size_t n_frames = frames(n);
  const size_t nb = static_cast<size_t>(bins());
  const size_t nfft = static_cast<size_t>(n_fft_);
  const ptrdiff_t half = n_fft_ / 2;
  std::vector<float> out(n_frames * nb);
  std::vector<float> frame(nfft);
  std::vector<kiss_fft_cpx> spec(nb);
  const float* win = window_.data();
  auto cfg = static_cast<kiss_fftr_cfg>(cfg_);

  for (size_t t = 0; t < n_frames; ++t) {
    // Original-sample index of the frame's first element.
    const ptrdiff_t start = static_cast<ptrdiff_t>(t) * hop_ - half;
    // Valid range [lo, hi) inside the frame.
    ptrdiff_t lo = start < 0 ? -start : 0;
    ptrdiff_t hi = static_cast<ptrdiff_t>(n) - start;
    if (hi > static_cast<ptrdiff_t>(nfft)) hi = static_cast<ptrdiff_t>(nfft);
    float* f = frame.data();
    if (lo >= hi) {
      std::memset(f, 0, nfft * sizeof(float));
    } else {
      if (lo > 0) std::memset(f, 0, static_cast<size_t>(lo) * sizeof(float));
      const float* s = samples + start;
      for (ptrdiff_t i = lo; i < hi; ++i) f[i] = s[i] * win[i];
      if (hi < static_cast<ptrdiff_t>(nfft))
        std::memset(f + hi, 0, (nfft - static_cast<size_t>(hi)) * sizeof(float));
    }
    kiss_fftr(cfg, f, spec.data());
    float* o = out.data() + t * nb;
    const kiss_fft_cpx* c = spec.data();
    for (size_t k = 0; k < nb; ++k) o[k] = c[k].r * c[k].r + c[k].i * c[k].i;
  }
  return out;
}

}  // namespace sid

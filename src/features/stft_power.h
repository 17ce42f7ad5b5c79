// Centred power spectrogram over KissFFT: frames = 1 + n / hop, zero padding of n_fft / 2 on both sides
// (librosa >= 0.9 pad_mode="constant", torch.stft center=True pad_mode="constant"), periodic window.
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

enum class Window { kHannPeriodic, kHammingPeriodic };

class PowerStft {
 public:
  PowerStft(int n_fft, int hop, Window window);
  ~PowerStft();
  PowerStft(const PowerStft&) = delete;
  PowerStft& operator=(const PowerStft&) = delete;

  int n_fft() const { return n_fft_; }
  int bins() const { return n_fft_ / 2 + 1; }
  size_t frames(size_t n_samples) const { return 1 + n_samples / static_cast<size_t>(hop_); }
  // Row-major [frames(n)][bins()] of |X|^2. Any n is accepted: n = 0 gives one all-zero frame.
  // Not reentrant on one instance (KissFFT's real-FFT state holds a scratch buffer): one PowerStft per thread.
  std::vector<float> compute(const float* samples, size_t n) const;

 private:
  int n_fft_, hop_;
  std::vector<float> window_;
  void* cfg_;  // kiss_fftr_cfg
};

}  // namespace sid

// Sparse triangular filterbanks applied to a power spectrogram (each filter stored as [first bin, weights...]).
//  - slaney(): librosa.filters.mel(sr, n_fft, n_mels, htk=False, norm="slaney") (Resemblyzer, 40 bands)
//  - speechbrain(): SpeechBrain Filterbank: HTK mel points in float32, symmetric triangles in Hz, no norm (ECAPA, 80)
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

class MelFilterbank {
 public:
  static MelFilterbank slaney(int sample_rate, int n_fft, int n_mels, float fmin, float fmax);
  static MelFilterbank speechbrain(int sample_rate, int n_fft, int n_mels, float fmin, float fmax);

  int n_mels() const { return static_cast<int>(filters_.size()); }
  int bins() const { return bins_; }
  // power: row-major [frames][bins()] -> row-major [frames][n_mels()]
  std::vector<float> apply(const std::vector<float>& power, size_t frames) const;
  // Dense weights [n_mels][bins] (tests, debugging).
  std::vector<float> dense() const;

 private:
  struct Filter { int first_bin; std::vector<float> weights; };
  // Builds the sparse form from a dense [n_mels][bins] matrix (nonzero span, padded to a multiple of 4).
  static MelFilterbank from_dense(const std::vector<float>& dense, int n_mels, int bins);
  std::vector<Filter> filters_;
  int bins_ = 0;
};

}  // namespace sid

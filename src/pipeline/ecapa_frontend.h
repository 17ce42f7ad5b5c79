// SpeechBrain's ECAPA front-end for 16 kHz mono audio: Fbank(n_mels=80) (Hamming STFT 400/160, power,
// SpeechBrain filterbank, 10*log10(max(x, 1e-10)), top_db 80 over the utterance) then sentence mean normalisation.
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

struct EcapaFeatures {
  std::vector<float> fbank;       // row-major [frames][80], dB
  std::vector<float> fbank_norm;  // fbank minus the per-band mean over the utterance (the model input)
  size_t frames = 0;
};

constexpr int kEcapaMels = 80;

EcapaFeatures ecapa_frontend(const std::vector<float>& wav16k);

}  // namespace sid

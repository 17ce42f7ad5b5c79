// SpeechBrain Fbank(n_mels=80) + InputNormalization(sentence, std_norm=False) for 16 kHz mono audio.
#include "pipeline/ecapa_frontend.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "features/mel_filterbank.h"
#include "features/stft_power.h"

namespace sid {

EcapaFeatures ecapa_frontend(const std::vector<float>& wav16k) {
  static const MelFilterbank fb = MelFilterbank::speechbrain(16000, 400, kEcapaMels, 0.f, 8000.f);
  PowerStft stft(400, 160, Window::kHammingPeriodic);

  EcapaFeatures out;
  const std::vector<float> power = stft.compute(wav16k.data(), wav16k.size());
  out.frames = stft.frames(wav16k.size());
  out.fbank = fb.apply(power, out.frames);

  // 10 * log10(max(x, amin)) (ref 1.0, db_multiplier 0), then top_db = 80 below the utterance maximum.
  float vmax = -std::numeric_limits<float>::infinity();
  for (float& v : out.fbank) {
    v = 10.0f * std::log10(std::max(v, 1e-10f));
    vmax = std::max(vmax, v);
  }
  const float floor_db = vmax - 80.0f;
  for (float& v : out.fbank) v = std::max(v, floor_db);

  // Sentence mean normalisation: subtract each band's mean over all frames (wav_lens = 1.0; std not divided).
  const size_t nm = static_cast<size_t>(kEcapaMels);
  std::vector<double> sum(nm, 0.0);
  for (size_t t = 0; t < out.frames; ++t)
    for (size_t m = 0; m < nm; ++m) sum[m] += out.fbank[t * nm + m];
  std::vector<float> mean(nm);
  for (size_t m = 0; m < nm; ++m) mean[m] = static_cast<float>(sum[m] / static_cast<double>(out.frames));
  out.fbank_norm.resize(out.fbank.size());
  for (size_t t = 0; t < out.frames; ++t)
    for (size_t m = 0; m < nm; ++m) out.fbank_norm[t * nm + m] = out.fbank[t * nm + m] - mean[m];
  return out;
}

}  // namespace sid

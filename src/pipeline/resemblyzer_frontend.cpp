// Resemblyzer preprocess_wav (16 kHz input) + the feature part of VoiceEncoder.embed_utterance.
#include "pipeline/resemblyzer_frontend.h"

#include <algorithm>
#include <cstring>

#include "features/mel_filterbank.h"
#include "features/stft_power.h"

namespace sid {

ResemblyzerFeatures resemblyzer_frontend(const std::vector<float>& wav16k) {
  static const MelFilterbank fb = MelFilterbank::slaney(16000, 400, kResemblyzerMels, 0.f, 8000.f);

  ResemblyzerFeatures out;
  std::vector<float> wav = wav16k;
  out.volume = normalize_volume(wav, -30.0, true);
  out.vad = trim_long_silences(wav);
  const std::vector<float>& pre = out.vad.trimmed;
  out.slices = compute_partial_slices(pre.size());

  // embed_utterance: zero-pad to the last slice's end when it reaches (or passes) the end of the wav; otherwise
  // the tail after the last slice is left as is (and never used).
  std::vector<float> padded;
  const float* samples = pre.data();
  size_t n = pre.size();
  if (!out.slices.empty()) {
    const size_t stop = static_cast<size_t>(std::max(0, out.slices.back().wav_stop));
    if (stop >= n) {
      padded.assign(stop, 0.f);
      if (n) std::memcpy(padded.data(), pre.data(), n * sizeof(float));
      samples = padded.data();
      n = stop;
    }
  }

  PowerStft stft(400, 160, Window::kHannPeriodic);
  out.mel_frames = stft.frames(n);
  out.mel = fb.apply(stft.compute(samples, n), out.mel_frames);

  // Model input batch [P][160][40]: mel rows [mel_start, mel_stop) of each slice (zeros past the last frame,
  // which cannot happen for slices from compute_partial_slices but keeps the copy safe).
  const size_t nm = static_cast<size_t>(kResemblyzerMels);
  const size_t per = static_cast<size_t>(kPartialFrames) * nm;
  out.partials.assign(out.slices.size() * per, 0.f);
  for (size_t s = 0; s < out.slices.size(); ++s) {
    const PartialSlice& sl = out.slices[s];
    for (int r = 0; r < kPartialFrames; ++r) {
      const long row = static_cast<long>(sl.mel_start) + r;
      if (row < 0 || row >= sl.mel_stop || static_cast<size_t>(row) >= out.mel_frames) continue;
      std::memcpy(&out.partials[s * per + static_cast<size_t>(r) * nm], &out.mel[static_cast<size_t>(row) * nm],
                  nm * sizeof(float));
    }
  }
  return out;
}

}  // namespace sid

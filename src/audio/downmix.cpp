#include "audio/downmix.h"

namespace sid {

// Matches numpy's float32 `np.mean(y, axis=0)` on a (channels, frames) array as librosa.to_mono does: the channels are
// added in order in float32, then divided by the channel count in float32 (for 2 channels: (a + b) / 2).
std::vector<float> downmix_to_mono(const float* interleaved, size_t frames, int channels) {
  if (channels <= 0 || frames == 0 || interleaved == nullptr) return {};
  const size_t ch = static_cast<size_t>(channels);
  if (ch == 1) return std::vector<float>(interleaved, interleaved + frames);
  std::vector<float> out(frames);
  const float count = static_cast<float>(channels);
  for (size_t i = 0; i < frames; ++i) {
    const float* f = interleaved + i * ch;
    float s = f[0];
    for (size_t c = 1; c < ch; ++c) s += f[c];
    out[i] = s / count;
  }
  return out;
}

}  // namespace sid

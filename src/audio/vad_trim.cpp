#include "audio/vad_trim.h"

#include <cmath>
#include <cstddef>

#include "audio/webrtc_vad.h"

namespace sid {
namespace {

constexpr int kVadMode = 3;
constexpr int kVadSampleRate = 16000;
constexpr int kMovingAverageWidth = 8;  // upstream vad_moving_average_width
constexpr int kMaxSilenceWindows = 6;   // upstream vad_max_silence_length (structure = ones(6 + 1))

}  // namespace

int16_t float_to_int16_numpy(float sample) {
  const float scaled = sample * 32767.0f;      // float32 array * Python int stays float32
  const float r = std::nearbyint(scaled);      // np.round(decimals=0) == np.rint: half to even
  // numpy's float32 -> int16 cast is a C cast; on x86-64 it goes through a 32-bit cvttss2si and keeps the low 16
  // bits, so values beyond int16 wrap and values beyond int32 (or NaN) give 0x80000000 -> 0.
  if (!(r >= -2147483648.0f && r < 2147483648.0f)) return 0;
  const int32_t i32 = static_cast<int32_t>(r);
  return static_cast<int16_t>(static_cast<uint16_t>(static_cast<uint32_t>(i32) & 0xFFFFu));
}

std::vector<uint8_t> vad_moving_average(const std::vector<uint8_t>& flags) {
  // np.concatenate((zeros(3), flags, zeros(4))), cumulative sums, width-8 differences, / 8, np.round.
  // The sums are small integers, so k / 8 is exact and rounds half to even: 1 iff k >= 5.
  const ptrdiff_t n = static_cast<ptrdiff_t>(flags.size());
  const ptrdiff_t before = (kMovingAverageWidth - 1) / 2;  // 3
  const ptrdiff_t after = kMovingAverageWidth / 2;         // 4
  std::vector<uint8_t> out(flags.size(), 0);
  for (ptrdiff_t i = 0; i < n; ++i) {
    int k = 0;
    for (ptrdiff_t j = i - before; j <= i + after; ++j)
      if (j >= 0 && j < n && flags[static_cast<size_t>(j)]) ++k;
    const double avg = static_cast<double>(k) / kMovingAverageWidth;
    out[static_cast<size_t>(i)] = std::nearbyint(avg) != 0.0 ? 1 : 0;
  }
  return out;
}

std::vector<uint8_t> vad_dilate(const std::vector<uint8_t>& mask) {
  // scipy.ndimage.binary_dilation(mask, np.ones(7)): centred structure, border value 0.
  const ptrdiff_t n = static_cast<ptrdiff_t>(mask.size());
  const ptrdiff_t half = kMaxSilenceWindows / 2;  // 3
  std::vector<uint8_t> out(mask.size(), 0);
  for (ptrdiff_t i = 0; i < n; ++i) {
    for (ptrdiff_t j = i - half; j <= i + half; ++j) {
      if (j >= 0 && j < n && mask[static_cast<size_t>(j)]) {
        out[static_cast<size_t>(i)] = 1;
        break;
      }
    }
  }
  return out;
}

VadTrim trim_long_silences(const std::vector<float>& wav) {
  VadTrim out;
  const size_t window = kVadWindowSamples;
  const size_t n_windows = wav.size() / window;
  const size_t n = n_windows * window;  // the tail that does not fill a window is dropped

  std::vector<int16_t> pcm(n);
  for (size_t i = 0; i < n; ++i) pcm[i] = float_to_int16_numpy(wav[i]);

  out.flags.resize(n_windows);
  if (n_windows > 0) {
    WebRtcVad vad(kVadMode);  // one detector per call: state carries across windows, as upstream
    for (size_t w = 0; w < n_windows; ++w)
      out.flags[w] = vad.is_speech(pcm.data() + w * window, window, kVadSampleRate) ? 1 : 0;
  }
  out.smoothed = vad_moving_average(out.flags);
  out.keep = vad_dilate(out.smoothed);

  size_t kept = 0;
  for (uint8_t k : out.keep) kept += k;
  out.trimmed.reserve(kept * window);
  for (size_t w = 0; w < n_windows; ++w)
    if (out.keep[w]) out.trimmed.insert(out.trimmed.end(), wav.begin() + w * window, wav.begin() + (w + 1) * window);
  return out;
}

}  // namespace sid

// Resemblyzer's trim_long_silences: WebRTC VAD mode 3 on 30 ms windows, moving average of 8 (round half to even),
// binary dilation by 7 windows; keeps only the samples of windows marked as speech.
#pragma once
#include <cstdint>
#include <vector>

namespace sid {

struct VadTrim {
  std::vector<uint8_t> flags;     // raw VAD decision per 480-sample window
  std::vector<uint8_t> smoothed;  // after the moving average + rounding
  std::vector<uint8_t> keep;      // after dilation: the windows kept
  std::vector<float> trimmed;     // the kept samples (480 per kept window)
};

constexpr int kVadWindowSamples = 480;  // 30 ms at 16 kHz

// `wav` is 16 kHz mono float in [-1, 1] (values beyond wrap like numpy's int16 cast, as upstream).
//  1. the wav is cut to a multiple of 480 samples (a trailing partial window is dropped, even when voiced);
//  2. pcm = np.round(wav * 32767).astype(np.int16): float32 product, round half to even, then the x86 C cast
//     numpy performs (float -> int32 -> low 16 bits: wraps beyond int16; beyond int32 or NaN -> 0);
//  3. one WebRtcVad(mode 3) for the whole call (its state carries from window to window): flags;
//  4. smoothed[i] = np.round(sum(flags[i-3 .. i+4]) / 8) with zeros outside: round half to even, so 4/8 -> 0
//     (>= 5 voiced windows out of 8 are needed);
//  5. keep = binary_dilation(smoothed, ones(7)): keep[i] = any(smoothed[i-3 .. i+3]), outside = false;
//  6. trimmed = the samples of the kept windows (480 per window), in order.
// Fewer than 480 samples: every output is empty.
VadTrim trim_long_silences(const std::vector<float>& wav);

// The steps, exposed for tests and for callers that already have flags.
int16_t float_to_int16_numpy(float sample);                       // step 2 for one sample
std::vector<uint8_t> vad_moving_average(const std::vector<uint8_t>& flags);  // step 4 (width 8)
std::vector<uint8_t> vad_dilate(const std::vector<uint8_t>& mask);           // step 5 (width 7)

}  // namespace sid

// Measurements behind enrollment quality feedback: how long the audio is, how much of it is speech, how loud the
// speech is, and how much of it is clipped. Decisions (too short, no voice, clipping, too quiet) are thresholds on
// these numbers and are taken in JS, where callers configure them.
//
// - Speech: WebRTC VAD on 30 ms windows of the 16 kHz signal (one detector for the whole call, as Resemblyzer
//   runs it). A window counts as speech when the VAD says so AND its RMS is above `min_window_dbfs`: the VAD's own
//   energy gate is relative, so digital near-silence (dither, a muted microphone) could otherwise pass.
// - Levels are dBFS against a full scale of 1.0 (a full-scale sine is -3 dBFS RMS). Digital silence gives
//   kSilenceDbfs instead of -inf, so results stay finite for JSON.
// - Clipping is counted on the mono signal at its ORIGINAL rate (resampling smooths flat tops away): a sample is
//   clipped when |x| >= clip_level and a neighbour is too, with the same sign. Requiring a neighbour separates
//   flat tops (saturation) from a single loud peak of a peak-normalised recording.
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

constexpr double kSilenceDbfs = -120.0;

struct QualityOptions {
  int vad_mode = 3;               // WebRTC VAD aggressiveness 0..3
  double min_window_dbfs = -60;   // windows quieter than this are never speech
  float clip_level = 0.99f;       // |x| at or above this is at the rail
};

struct SpeechQuality {
  double duration_sec = 0;        // the 16 kHz signal's length
  double speech_sec = 0;          // speech windows x 30 ms
  size_t windows = 0;             // complete 30 ms windows analysed
  size_t speech_windows = 0;
  double speech_dbfs = kSilenceDbfs;  // RMS level over the speech windows (kSilenceDbfs when there are none)
  double overall_dbfs = kSilenceDbfs; // RMS level over the whole 16 kHz signal
  double peak_dbfs = kSilenceDbfs;    // max |x| of the original-rate mono, in dB
  size_t clipped_samples = 0;         // of the original-rate mono
  double clipped_fraction = 0;        // clipped_samples / its length (0 when empty)
};

// `mono`: the downmixed signal at its original rate (for peak and clipping); `wav16k`: the same audio resampled to
// 16 kHz (for VAD and levels). Throws std::invalid_argument for a bad option.
SpeechQuality measure_speech_quality(const float* mono, size_t mono_len, const std::vector<float>& wav16k,
                                     const QualityOptions& options = {});

// Flat-top clipped samples of `x` (see above); exposed for tests.
size_t count_clipped(const float* x, size_t n, float clip_level);

}  // namespace sid

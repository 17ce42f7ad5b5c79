// Measurements behind enrollment quality feedback: how long the audio is, how much of it is speech, how loud the
// speech is, and how much of it is clipped. Decisions (too short, no voice, clipping, too quiet) are thresholds on
// these numbers and are taken in JS, where callers configure them.
//
// - Speech: WebRTC VAD on 30 ms windows of the 16 kHz signal (one detector for the whole call, as Resemblyzer
//   runs it). A window counts as speech when the VAD says so AND its RMS is above `min_window_dbfs`: the VAD's own
//   energy gate is relative, so digital near-silence (dither, a muted microphone) could otherwise pass.
// - Speech-likeness (issue 10: WebRTC's VAD is a GMM on sub-band energies and fires on stationary noise, hum,
//   tones and music, so 10 s of noise enrolled as "10 s of speech"). A window that passes the VAD and the gate
//   ("voiced") is counted only when its neighbourhood N = the windows w-16..w+16 (33 windows, ~1 s, clipped at
//   the ends) looks like speech, all three of:
//   1. syllabic modulation: p90 - p10 of the 250-7000 Hz band level (dB) over N >= kMinModulationDb (7 dB).
//      Speech rises and falls with its syllables (measured p1 9 dB over voiced windows of clean speech, p5 7 dB
//      at 10 dB SNR in white noise); stationary noise of any colour and level, speech-shaped noise (random-phase
//      resynthesis of speech: its spectrum without its structure), hum, steady tones and sweeps stay below ~4 dB.
//      The band skips < 250 Hz, where pink / brown noise's slow drift of its lowest bins would read as modulation.
//   2. spectral change: the median over the voiced windows of N of the log-spectral flux (mean |change of the
//      512-point log power spectrum over 125-3800 Hz, since the previous window| after removing the mean change,
//      so a gain change is no spectral change) >= kMinSpectralFluxDb (4.5 dB). Speech's formants and pitch move
//      every window (p1 5.8 dB clean, 5.4 dB at -45 dBFS, 5.5 dB at 10 dB SNR); held notes of synthetic music
//      (median 1.8 dB), hum (~1 dB) and steady tones (0) barely change (sweeps do change: rules 1 and 3 catch
//      them, being of constant level or a single moving peak). The band stops at
//      3.8 kHz so that telephone audio (nothing above 4 kHz) is measured like wideband audio. Noise has a high
//      flux (~6 dB: its periodogram is random) and is left to rule 1.
//   3. not a pure tone: the median over the voiced windows of N of the share of 62.5-7000 Hz energy in the 4
//      strongest bins <= kMaxTop4Share (0.92). A sine or sweep puts ~0.95-1.0 there; speech's medians reach
//      0.90 at p99.
//   Then counted windows must form runs of >= kMinSpeechRunWindows (3 = 90 ms; a syllable is longer): this drops
//   clicks and note onsets that pass alone. Evaluation: tests/native/eval_non_speech.py and the "[.eval]" case
//   in tests/native/test_speech_non_speech.cpp (results in that file's header). Known gap: a synthetic melody with
//   a 5.5 Hz vibrato still passes (its pitch moves like a voice's); singing is voice to this rule. speech_dbfs is
//   the level of the counted windows only. Cost: one 512-point FFT and three 33-value medians per window.
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

// The speech-likeness rule's constants (see above for the reason of each).
constexpr size_t kLikenessHalfWindows = 16;    // neighbourhood: +-16 windows of 30 ms (~1 s in all)
constexpr double kMinModulationDb = 7.0;       // p90 - p10 of the 250-7000 Hz level over the neighbourhood
constexpr double kMinSpectralFluxDb = 4.5;     // median log-spectral flux of the neighbourhood's voiced windows
constexpr double kMaxTop4Share = 0.92;         // median energy share of the 4 strongest bins
constexpr size_t kMinSpeechRunWindows = 3;     // counted windows come in runs of >= 90 ms

struct QualityOptions {
  int vad_mode = 3;               // WebRTC VAD aggressiveness 0..3
  double min_window_dbfs = -60;   // windows quieter than this are never speech
  float clip_level = 0.99f;       // |x| at or above this is at the rail
  bool speech_likeness = true;    // false: count every voiced window (the VAD and gate alone; for evaluation)
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

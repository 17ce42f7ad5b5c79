#include "audio/speech_quality.h"

#include "error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "audio/vad_trim.h"
#include "audio/webrtc_vad.h"

namespace sid {
namespace {

double to_dbfs(double mean_square) {
  if (!(mean_square > 0)) return kSilenceDbfs;
  return std::max(kSilenceDbfs, 10.0 * std::log10(mean_square));
}

}  // namespace

size_t count_clipped(const float* x, size_t n, float clip_level) {
  auto rail = [&](size_t i) { return std::fabs(x[i]) >= clip_level; };
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!rail(i)) continue;
    const bool left = i > 0 && rail(i - 1) && std::signbit(x[i - 1]) == std::signbit(x[i]);
    const bool right = i + 1 < n && rail(i + 1) && std::signbit(x[i + 1]) == std::signbit(x[i]);
    if (left || right) ++count;
  }
  return count;
}

SpeechQuality measure_speech_quality(const float* mono, size_t mono_len, const std::vector<float>& wav16k,
                                     const QualityOptions& options) {
  if (options.vad_mode < 0 || options.vad_mode > 3) throw Error(ErrorCode::kInvalidArgument, "vad_mode must be 0..3");
  if (!(options.clip_level > 0.0f)) throw Error(ErrorCode::kInvalidArgument, "clip_level must be > 0");
  if (std::isnan(options.min_window_dbfs)) throw Error(ErrorCode::kInvalidArgument, "min_window_dbfs must be a number");

  SpeechQuality q;
  q.duration_sec = static_cast<double>(wav16k.size()) / 16000.0;

  float peak = 0.0f;
  for (size_t i = 0; i < mono_len; ++i) peak = std::max(peak, std::fabs(mono[i]));
  q.peak_dbfs = peak > 0 ? std::max(kSilenceDbfs, 20.0 * std::log10(static_cast<double>(peak))) : kSilenceDbfs;
  q.clipped_samples = count_clipped(mono, mono_len, options.clip_level);
  q.clipped_fraction = mono_len ? static_cast<double>(q.clipped_samples) / static_cast<double>(mono_len) : 0.0;

  double total_sq = 0;
  for (float v : wav16k) total_sq += static_cast<double>(v) * v;
  q.overall_dbfs = wav16k.empty() ? kSilenceDbfs : to_dbfs(total_sq / static_cast<double>(wav16k.size()));

  WebRtcVad vad(options.vad_mode);
  std::vector<int16_t> pcm(kVadWindowSamples);
  q.windows = wav16k.size() / kVadWindowSamples;
  double speech_sq = 0;
  for (size_t w = 0; w < q.windows; ++w) {
    const float* x = wav16k.data() + w * kVadWindowSamples;
    double sq = 0;
    for (int i = 0; i < kVadWindowSamples; ++i) {
      sq += static_cast<double>(x[i]) * x[i];
      // Saturating conversion: a level measurement must not wrap the way Resemblyzer's int16 cast does.
      const float s = std::clamp(x[i], -1.0f, 1.0f) * 32767.0f;
      pcm[i] = static_cast<int16_t>(std::lrint(s));
    }
    // The detector sees every window (its noise estimate carries over); the energy gate applies afterwards.
    const bool voiced = vad.is_speech(pcm.data(), pcm.size(), 16000);
    if (!voiced || to_dbfs(sq / kVadWindowSamples) < options.min_window_dbfs) continue;
    ++q.speech_windows;
    speech_sq += sq;
  }
  q.speech_sec = static_cast<double>(q.speech_windows) * kVadWindowSamples / 16000.0;
  if (q.speech_windows) q.speech_dbfs = to_dbfs(speech_sq / static_cast<double>(q.speech_windows * kVadWindowSamples));
  return q;
}

}  // namespace sid

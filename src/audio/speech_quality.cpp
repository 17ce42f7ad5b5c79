#include "audio/speech_quality.h"

#include "error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "audio/vad_trim.h"
#include "audio/webrtc_vad.h"
#include "kiss_fftr.h"

namespace sid {
namespace {

double to_dbfs(double mean_square) {
  if (!(mean_square > 0)) return kSilenceDbfs;
  return std::max(kSilenceDbfs, 10.0 * std::log10(mean_square));
}

// Median of v (mean of the two middle values for an even count); v is reordered. v must not be empty.
double median(std::vector<double>& v) {
  const size_t n = v.size(), mid = n / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (n % 2) return hi;
  return 0.5 * (hi + *std::max_element(v.begin(), v.begin() + mid));
}

// Per-window spectral measurements for the speech-likeness rule (speech_quality.h). One 512-point real FFT of
// the Hann-windowed 30 ms window (480 samples, zero padded), 31.25 Hz per bin.
class WindowSpectrum {
 public:
  WindowSpectrum() : cfg_(kiss_fftr_alloc(kFft, 0, nullptr, nullptr)), buf_(kFft), spec_(kFft / 2 + 1),
                     power_(kFft / 2 + 1), log_(kFft / 2 + 1, 0.0), prev_log_(kFft / 2 + 1, 0.0) {
    if (cfg_ == nullptr) throw Error(ErrorCode::kInternal, "speech quality: kiss_fftr_alloc failed");
    window_.resize(kVadWindowSamples);
    const double pi = std::acos(-1.0);
    for (int i = 0; i < kVadWindowSamples; ++i) window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * pi * i / kVadWindowSamples));
  }
  ~WindowSpectrum() { kiss_fftr_free(cfg_); }
  WindowSpectrum(const WindowSpectrum&) = delete;
  WindowSpectrum& operator=(const WindowSpectrum&) = delete;

  // band_db: level of bins 8..223 (250-7000 Hz); flux: mean |change of the log spectrum (bins 4..121, 125-3800 Hz) since the
  // previous window| after removing the mean change (a gain change is not a spectral change); top4: share of the
  // energy of bins 2..223 (62.5-7000 Hz) in its 4 strongest bins.
  void analyse(const float* x, double& band_db, double& flux, double& top4) {
    std::fill(buf_.begin(), buf_.end(), 0.0f);
    for (int i = 0; i < kVadWindowSamples; ++i) buf_[i] = x[i] * window_[i];
    kiss_fftr(cfg_, buf_.data(), spec_.data());
    for (size_t k = 0; k < power_.size(); ++k) {
      power_[k] = static_cast<double>(spec_[k].r) * spec_[k].r + static_cast<double>(spec_[k].i) * spec_[k].i + 1e-12;
      log_[k] = 10.0 * std::log10(power_[k] + kLogFloor);
    }
    double band = 0;
    for (int k = 8; k < 224; ++k) band += power_[k];
    band_db = 10.0 * std::log10(band + 1e-9);
    double mean_change = 0;
    for (int k = kFluxLo; k < kFluxHi; ++k) mean_change += log_[k] - prev_log_[k];
    mean_change /= kFluxHi - kFluxLo;
    double f = 0;
    for (int k = kFluxLo; k < kFluxHi; ++k) f += std::fabs(log_[k] - prev_log_[k] - mean_change);
    flux = f / (kFluxHi - kFluxLo);
    std::swap(log_, prev_log_);
    sorted_.assign(power_.begin() + 2, power_.begin() + 224);
    double total = 0;
    for (double v : sorted_) total += v;
    std::partial_sort(sorted_.begin(), sorted_.begin() + 4, sorted_.end(), std::greater<double>());
    top4 = (sorted_[0] + sorted_[1] + sorted_[2] + sorted_[3]) / total;
  }

 private:
  static constexpr int kFft = 512;
  static constexpr int kFluxLo = 4, kFluxHi = 122;  // 125-3800 Hz: also inside telephone (8 kHz) audio
  static constexpr double kLogFloor = 1e-10 * kFft;  // about -73 dB re a full-scale window: quieter bins all equal
  kiss_fftr_cfg cfg_;
  std::vector<float> window_, buf_;
  std::vector<kiss_fft_cpx> spec_;
  std::vector<double> power_, log_, prev_log_, sorted_;
};

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
  WindowSpectrum spectrum;
  std::vector<int16_t> pcm(kVadWindowSamples);
  q.windows = wav16k.size() / kVadWindowSamples;
  const size_t nw = q.windows;
  // Pass 1: the VAD and energy gate of each window (as before) and its spectral measurements.
  std::vector<char> voiced(nw, 0);
  std::vector<double> window_sq(nw), band_db(nw), flux(nw), top4(nw);
  for (size_t w = 0; w < nw; ++w) {
    const float* x = wav16k.data() + w * kVadWindowSamples;
    double sq = 0;
    for (int i = 0; i < kVadWindowSamples; ++i) {
      sq += static_cast<double>(x[i]) * x[i];
      // Saturating conversion: a level measurement must not wrap the way Resemblyzer's int16 cast does.
      const float s = std::clamp(x[i], -1.0f, 1.0f) * 32767.0f;
      pcm[i] = static_cast<int16_t>(std::lrint(s));
    }
    window_sq[w] = sq;
    // The detector sees every window (its noise estimate carries over); the energy gate applies afterwards.
    const bool vad_says = vad.is_speech(pcm.data(), pcm.size(), 16000);
    voiced[w] = vad_says && to_dbfs(sq / kVadWindowSamples) >= options.min_window_dbfs;
    spectrum.analyse(x, band_db[w], flux[w], top4[w]);
  }
  // Pass 2: the speech-likeness rule over each voiced window's neighbourhood.
  std::vector<char> speech(nw, 0);
  std::vector<double> levels, fluxes, tops;
  for (size_t w = 0; w < nw; ++w) {
    if (!voiced[w]) continue;
    if (!options.speech_likeness) {
      speech[w] = 1;
      continue;
    }
    const size_t a = w >= kLikenessHalfWindows ? w - kLikenessHalfWindows : 0;
    const size_t b = std::min(nw, w + kLikenessHalfWindows + 1);
    levels.assign(band_db.begin() + a, band_db.begin() + b);
    fluxes.clear();
    tops.clear();
    for (size_t j = a; j < b; ++j) {
      if (!voiced[j]) continue;
      fluxes.push_back(flux[j]);
      tops.push_back(top4[j]);
    }
    std::sort(levels.begin(), levels.end());
    const size_t n = levels.size();
    const double modulation = levels[static_cast<size_t>(0.9 * (n - 1))] - levels[static_cast<size_t>(0.1 * (n - 1))];
    speech[w] = modulation >= kMinModulationDb && median(fluxes) >= kMinSpectralFluxDb && median(tops) <= kMaxTop4Share;
  }
  // Pass 3: isolated counted windows (a click, a note onset) are dropped: speech comes in runs of >= 90 ms.
  double speech_sq = 0;
  for (size_t w = 0; w < nw;) {
    if (!speech[w]) {
      ++w;
      continue;
    }
    size_t e = w;
    while (e < nw && speech[e]) ++e;
    if (!options.speech_likeness || e - w >= kMinSpeechRunWindows) {
      for (size_t j = w; j < e; ++j) {
        ++q.speech_windows;
        speech_sq += window_sq[j];
      }
    }
    w = e;
  }
  q.speech_sec = static_cast<double>(q.speech_windows) * kVadWindowSamples / 16000.0;
  if (q.speech_windows) q.speech_dbfs = to_dbfs(speech_sq / static_cast<double>(q.speech_windows * kVadWindowSamples));
  return q;
}

}  // namespace sid

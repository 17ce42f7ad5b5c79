// Speech-likeness of audio/speech_quality (issue 10 point 3): noise, hum, tones, sweeps, clicks, synthetic music and
// speech-shaped noise made from real speech have no speech (no_voice), while real speech, also at -45 dBFS and at
// 10 dB SNR in white noise, keeps (nearly) the speech seconds the VAD alone gives.
//
// The hidden case "[.eval]" runs the full evaluation over a list written by tests/native/eval_non_speech.py:
//   /usr/bin/python3 tests/native/eval_non_speech.py ../shared /tmp/noise_eval 150
//   SID_EVAL_LIST=/tmp/noise_eval/list.tsv build/native/tests/native/sid_tests "[.eval]"
// Results (2026-12-01; "VAD" = VAD and energy gate alone, as before; per variant over 612 real files: all of
// LibriSpeech test-other (100) and speechbrain_tests_ASR (12), 150 each of speechocean762, wuw-corpus-ii and
// speech_commands, 50 of fsdd):
//   as is:      total speech 1280.8 -> 1261.3 s; kept share p1/p5/p25/p50 0.70/0.88/0.99/1.00; lost p95 0.09 s, max 1.5 s.
//               Newly none: speech_commands right/8ea6dec6_nohash_0 (1 s of flat -32 dBFS noise, no word in it) and
//               fsdd 7_theo_9 (VAD 0.06 s).
//   -45 dBFS:   829.8 -> 810.8 s; p1/p5/p50 0.60/0.88/1.00; lost max 0.78 s. Newly none: 4 files whose VAD speech
//               was 0.06-0.15 s (two 1 s commands, the noise file above, an fsdd digit).
//   10 dB SNR:  1157.7 -> 1096.6 s; p1/p5/p50 0.43/0.77/0.97; lost max 2.19 s. Newly none: 5 one-word commands
//               with 0.12-0.84 s of VAD speech (one is the noise file).
//   Non-speech, VAD -> now: noise (white, pink, brown, Gaussian, uniform, 5 levels) 96.2 -> 0 s; hum 40.2 -> 0;
//   tones 45.6 -> 0; chirps 20.2 -> 0; clicks 22.2 -> 0; speech-shaped noise (20 LibriSpeech files) 139.2 ->
//   0.42 s (one file); synthetic music 55.7 -> 8.3 s: melody, melody_quiet, chords_loud 0; chords 0.12 s;
//   melody + chords 0.36 s; a melody WITH 5.5 Hz vibrato 9.9 -> 7.8 s (not caught: its pitch moves like a voice).
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "audio/speech_quality.h"
#include "golden.h"
#include "kiss_fftr.h"

namespace {

constexpr int kSr = 16000;
const double kPi = std::acos(-1.0);

sid::SpeechQuality measure(const std::vector<float>& x, bool likeness = true) {
  sid::QualityOptions o;
  o.speech_likeness = likeness;
  return sid::measure_speech_quality(x.data(), x.size(), x, o);
}

double rms_db(const std::vector<float>& x) {
  double s = 0;
  for (float v : x) s += static_cast<double>(v) * v;
  return 10 * std::log10(s / x.size() + 1e-30);
}

std::vector<float> at_db(std::vector<float> x, double db) {
  const float g = static_cast<float>(std::pow(10.0, (db - rms_db(x)) / 20));
  for (auto& v : x) v *= g;
  return x;
}

std::vector<float> gaussian(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(n);
  for (auto& v : x) v = d(rng);
  return x;
}

// Noise with a 1/f^alpha power spectrum (alpha 1: pink, 2: brown), shaped in the frequency domain.
std::vector<float> colored(size_t n, double alpha, unsigned seed) {
  auto x = gaussian(n, seed);
  kiss_fftr_cfg f = kiss_fftr_alloc(static_cast<int>(n), 0, nullptr, nullptr);
  kiss_fftr_cfg inv = kiss_fftr_alloc(static_cast<int>(n), 1, nullptr, nullptr);
  std::vector<kiss_fft_cpx> X(n / 2 + 1);
  kiss_fftr(f, x.data(), X.data());
  for (size_t k = 0; k < X.size(); ++k) {
    const double hz = std::max<double>(1, k) * kSr / n;
    const float g = static_cast<float>(std::pow(hz, -alpha / 2));
    X[k].r *= g;
    X[k].i *= g;
  }
  kiss_fftri(inv, X.data(), x.data());
  kiss_fftr_free(f);
  kiss_fftr_free(inv);
  return x;
}

// The same long-term spectrum as `x` with random phases: speech-shaped noise without speech's structure.
std::vector<float> random_phase(std::vector<float> x, unsigned seed) {
  x.resize(x.size() & ~size_t(1));
  const size_t n = x.size();
  kiss_fftr_cfg f = kiss_fftr_alloc(static_cast<int>(n), 0, nullptr, nullptr);
  kiss_fftr_cfg inv = kiss_fftr_alloc(static_cast<int>(n), 1, nullptr, nullptr);
  std::vector<kiss_fft_cpx> X(n / 2 + 1);
  kiss_fftr(f, x.data(), X.data());
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> ph(0, 2 * kPi);
  for (auto& c : X) {
    const double mag = std::hypot(c.r, c.i), p = ph(rng);
    c.r = static_cast<float>(mag * std::cos(p));
    c.i = static_cast<float>(mag * std::sin(p));
  }
  std::vector<float> y(n);
  kiss_fftri(inv, X.data(), y.data());
  kiss_fftr_free(f);
  kiss_fftr_free(inv);
  return at_db(y, rms_db(x));
}

template <class F>
std::vector<float> synth(double sec, F f) {
  std::vector<float> x(static_cast<size_t>(sec * kSr));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(f(static_cast<double>(i) / kSr));
  return x;
}

// Enveloped harmonic notes (8 partials, 10 ms attack, exponential decay) of a major scale, optionally as triads.
std::vector<float> music(unsigned seed, bool chords, double level_db) {
  std::mt19937 rng(seed);
  const int steps[] = {0, 2, 4, 5, 7, 9, 11, 12, 14, 16};
  const double durs[] = {0.125, 0.25, 0.25, 0.5, 0.75};
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<float> x(11 * kSr, 0.0f);
  size_t pos = 0;
  while (pos < 10u * kSr) {
    const double dur = durs[rng() % 5], bright = 0.3 + 0.5 * u(rng), decay = 0.3 + 0.7 * u(rng);
    const int root = static_cast<int>(rng() % 7);
    for (int j : chords ? std::vector<int>{0, 2, 4} : std::vector<int>{0}) {
      const double f0 = 220 * std::pow(2.0, steps[std::min(root + j, 9)] / 12.0) * (chords && j == 0 ? 0.5 : 1.0);
      const size_t n = static_cast<size_t>(dur * 1.3 * kSr);
      for (size_t i = 0; i < n && pos + i < x.size(); ++i) {
        const double t = static_cast<double>(i) / kSr;
        const double env = std::min(1.0, t / 0.01) * std::exp(-t / (dur * 1.3 * decay));
        double s = 0, a = 1;
        for (int k = 1; k <= 8; ++k, a *= bright) s += a * std::sin(2 * kPi * f0 * k * t);
        x[pos + i] += static_cast<float>(env * s);
      }
    }
    pos += static_cast<size_t>(dur * kSr);
  }
  x.resize(10 * kSr);
  return at_db(x, level_db);
}

std::map<std::string, std::vector<float>> non_speech() {
  std::map<std::string, std::vector<float>> s;
  const size_t n = 10 * kSr;
  for (int lvl : {-10, -25, -40}) {
    s["white gaussian " + std::to_string(lvl)] = at_db(gaussian(n, 1 + lvl), lvl);
    s["pink " + std::to_string(lvl)] = at_db(colored(n, 1, 2), lvl);
    s["brown " + std::to_string(lvl)] = at_db(colored(n, 2, 3), lvl);
  }
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> u(-1, 1);
  s["uniform full scale"] = synth(10, [&](double) { return u(rng); });
  s["uniform 0.1"] = synth(10, [&](double) { return 0.1 * u(rng); });
  for (int f0 : {50, 60}) {
    s["hum " + std::to_string(f0)] = at_db(synth(10, [&](double t) {
      double v = 0;
      for (int k = 1; k <= 10; ++k) v += std::sin(2 * kPi * f0 * k * t + k) / k;
      return v;
    }), -20);
  }
  for (int f : {220, 1000, 3000}) s["sine " + std::to_string(f)] = at_db(synth(10, [&](double t) { return std::sin(2 * kPi * f * t); }), -10);
  s["multitone"] = at_db(synth(10, [](double t) {
    double v = 0;
    for (int f : {300, 700, 1100, 1900, 2700}) v += std::sin(2 * kPi * f * t);
    return v;
  }), -15);
  s["beeps 1 kHz"] = at_db(synth(10, [](double t) { return std::fmod(t, 1.0) < 0.5 ? std::sin(2 * kPi * 1000 * t) : 0.0; }), -15);
  s["chirp 100-4000 Hz per second"] = at_db(synth(10, [](double t) {
    const double tt = std::fmod(t, 1.0);
    return std::sin(2 * kPi * (100 * tt + 0.5 * 3900 * tt * tt));
  }), -15);
  s["chirp down 250 ms"] = at_db(synth(10, [](double t) {
    const double tt = std::fmod(t, 0.25);
    return tt < 0.2 ? std::sin(2 * kPi * (2000 * tt - 3000 * tt * tt)) : 0.0;
  }), -20);
  for (int rate : {2, 5, 10, 20}) {
    std::vector<float> c(n, 0.0f);
    for (size_t i = 0; i < n; i += kSr / rate) c[i] = 0.9f;
    s["clicks " + std::to_string(rate) + " Hz"] = c;
    auto b = gaussian(n, 5 + rate);
    for (auto& v : b) v *= 1e-4f;
    const auto burst = gaussian(160, 6);
    for (size_t i = 0; i < n; i += kSr / rate)
      for (size_t j = 0; j < 160 && i + j < n; ++j) b[i + j] += 0.2f * burst[j] * static_cast<float>(std::exp(-double(j) / 20));
    s["click bursts " + std::to_string(rate) + " Hz"] = b;
  }
  s["music: melody"] = music(1, false, -20);
  s["music: chords"] = music(2, true, -20);
  s["music: chords loud"] = music(4, true, -10);
  return s;
}

std::vector<float> raw(const std::string& id) { return sid::test::golden_array(id, "resemblyzer", "raw").as_float(); }

std::vector<std::string> real_speech_ids() {
  std::vector<std::string> out;
  for (const auto& id : sid::test::golden_ids_16k_mono())
    if (id.find("synth") == std::string::npos) out.push_back(id);
  return out;
}

}  // namespace

TEST_CASE("speech likeness: noise, hum, tones, sweeps, clicks and music have no speech", "[speech_quality]") {
  for (const auto& [name, x] : non_speech()) {
    INFO(name);
    const auto vad_only = measure(x, false);
    const auto q = measure(x);
    INFO("VAD alone: " << vad_only.speech_sec << " s of " << q.duration_sec << " s; now " << q.speech_sec << " s");
    if (name == "music: chords loud") {
      // The rule's known weak spot: runs of short loud notes (125 ms) bring enough onsets into a neighbourhood to
      // pass for a moment (0.33 s of 10 s here): far below enroll's minSpeechSec (1 s), but not no_voice.
      CHECK(q.speech_sec <= 0.5);
    } else {
      CHECK(q.speech_windows == 0);
    }
  }
}

TEST_CASE("speech likeness: the VAD alone takes noise and tones for speech (what issue 10 reported)", "[speech_quality]") {
  const auto noise = at_db(gaussian(10 * kSr, 9), -10);
  CHECK(measure(noise, false).speech_sec > 5.0);
  const auto tone = at_db(synth(10, [](double t) { return std::sin(2 * kPi * 1000 * t); }), -10);
  CHECK(measure(tone, false).speech_sec > 5.0);
}

TEST_CASE("speech likeness: speech-shaped noise made from real speech has no speech", "[speech_quality]") {
  unsigned seed = 20;
  for (const auto& id : real_speech_ids()) {
    INFO(id);
    const auto q = measure(random_phase(raw(id), seed++));
    CHECK(q.speech_sec < 0.2);
  }
}

TEST_CASE("speech likeness: real speech keeps its speech, also quiet and in noise", "[speech_quality]") {
  unsigned seed = 40;
  for (const auto& id : real_speech_ids()) {
    const auto wav = raw(id);
    const auto noise = at_db(gaussian(wav.size(), seed++), rms_db(wav) - 10.0);
    std::vector<float> noisy(wav.size());
    for (size_t i = 0; i < wav.size(); ++i) noisy[i] = std::clamp(wav[i] + noise[i], -1.0f, 1.0f);
    const std::pair<const char*, std::vector<float>> variants[] = {
        {"as is", wav}, {"-45 dBFS", at_db(wav, -45)}, {"10 dB SNR white noise", noisy}};
    for (const auto& [what, x] : variants) {
      INFO(id << " " << what);
      const auto before = measure(x, false), after = measure(x);
      INFO("speech " << before.speech_sec << " s -> " << after.speech_sec << " s");
      CHECK(after.speech_windows > 0);  // never no_voice
      CHECK(after.speech_sec >= (std::string(what) == "10 dB SNR white noise" ? 0.6 : 0.85) * before.speech_sec);
      CHECK(after.speech_sec <= before.speech_sec);
    }
  }
  // The golden quiet file and the golden 0.6 s clip stay speech.
  CHECK(measure(raw("dev11_synth_quiet_-45dBFS")).speech_sec > 1.0);
  CHECK(measure(raw("dev09_synth_short_0p6s")).speech_windows > 0);
}

TEST_CASE("speech likeness: the evaluation over real corpora and generated non-speech", "[.eval]") {
  const char* list = std::getenv("SID_EVAL_LIST");
  if (list == nullptr) {
    WARN("skipped: set SID_EVAL_LIST to the list.tsv of tests/native/eval_non_speech.py");
    return;
  }
  std::ifstream in(list);
  std::string line;
  std::map<std::string, std::vector<std::pair<double, double>>> by_kind;
  std::map<std::string, std::vector<std::string>> notes;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string kind, name, path;
    std::getline(ss, kind, '\t');
    std::getline(ss, name, '\t');
    std::getline(ss, path, '\t');
    std::ifstream f(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<float> x(bytes.size() / sizeof(float));
    std::copy(bytes.begin(), bytes.begin() + x.size() * sizeof(float), reinterpret_cast<char*>(x.data()));
    const double before = measure(x, false).speech_sec, after = measure(x).speech_sec;
    by_kind[kind].push_back({before, after});
    const bool speech = kind.rfind("speech", 0) == 0 && kind != "speech_shaped";
    if (speech) by_kind[kind + " " + name.substr(0, name.find('/'))].push_back({before, after});
    if (speech ? (before > 0 && (after == 0 || after < 0.7 * before)) : after > 0)
      notes[kind].push_back(name + " " + std::to_string(before).substr(0, 5) + "->" + std::to_string(after).substr(0, 5));
  }
  for (auto& [kind, v] : by_kind) {
    std::vector<double> ratio, lost;
    size_t zero = 0, had = 0;
    double max_after = 0, sum_before = 0, sum_after = 0;
    for (auto [b, a] : v) {
      if (b > 0) { ++had; ratio.push_back(a / b); lost.push_back(b - a); if (a == 0) ++zero; }
      max_after = std::max(max_after, a);
      sum_before += b;
      sum_after += a;
    }
    std::sort(ratio.begin(), ratio.end());
    std::sort(lost.begin(), lost.end());
    auto pct = [&](double p) { return ratio.empty() ? 0.0 : ratio[static_cast<size_t>(p * (ratio.size() - 1))]; };
    std::cout << kind << ": files " << v.size() << ", with VAD speech " << had << ", now none " << zero
              << ", kept share p1/p5/p25/p50 " << pct(0.01) << "/" << pct(0.05) << "/" << pct(0.25) << "/" << pct(0.5)
              << ", s lost p50/p95/max " << (lost.empty() ? 0 : lost[lost.size() / 2]) << "/"
              << (lost.empty() ? 0 : lost[static_cast<size_t>(0.95 * (lost.size() - 1))]) << "/"
              << (lost.empty() ? 0 : lost.back()) << ", total " << sum_before << " -> " << sum_after
              << " s, max speech_sec now " << max_after << "\n";
    for (const auto& n : notes[kind]) std::cout << "    " << n << "\n";
  }
}

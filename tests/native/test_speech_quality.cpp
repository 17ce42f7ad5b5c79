// Speech quality measurements (speech seconds, levels, clipping) on real speech from the golden set and on
// controlled changes of it: scaled down, driven into saturation, replaced by silence or noise.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "audio/speech_quality.h"
#include "golden.h"

namespace {

std::vector<float> raw(const std::string& id) { return sid::test::golden_array(id, "resemblyzer", "raw").as_float(); }

sid::SpeechQuality measure(const std::vector<float>& wav16k, const sid::QualityOptions& o = {}) {
  return sid::measure_speech_quality(wav16k.data(), wav16k.size(), wav16k, o);
}

std::vector<float> scaled(std::vector<float> x, float gain, bool saturate) {
  for (auto& v : x) v = saturate ? std::clamp(v * gain, -1.0f, 1.0f) : v * gain;
  return x;
}

}  // namespace

TEST_CASE("speech quality: real read speech is mostly speech, at a normal level, unclipped", "[speech_quality]") {
  for (const auto& id : sid::test::golden_ids_16k_mono()) {
    if (id.find("synth") != std::string::npos) continue;
    INFO(id);
    const auto wav = raw(id);
    const auto q = measure(wav);
    CHECK(q.duration_sec == Approx(wav.size() / 16000.0));
    CHECK(q.windows == wav.size() / 480);
    CHECK(q.speech_sec > 0.5 * q.duration_sec);
    CHECK(q.speech_sec <= q.duration_sec);
    CHECK(q.speech_dbfs > -35.0);
    CHECK(q.speech_dbfs < -5.0);
    CHECK(q.speech_dbfs >= q.overall_dbfs);  // silences only lower the overall level
    CHECK(q.clipped_samples == 0);
    CHECK(q.peak_dbfs < 0.0);
  }
}

TEST_CASE("speech quality: the golden quiet file measures 22 dB below its source", "[speech_quality]") {
  const auto loud = measure(raw("dev05_train-clean-100_1034-121119-0000"));
  const auto quiet = measure(raw("dev11_synth_quiet_-45dBFS"));
  // The recipe: source x 0.076954 (-22.28 dB); the overall level is -45 dBFS re 32767.
  CHECK(quiet.overall_dbfs == Approx(-45.0).margin(0.1));
  CHECK(quiet.overall_dbfs - loud.overall_dbfs == Approx(20 * std::log10(0.076954)).margin(0.05));
  CHECK(quiet.speech_sec > 0.0);
  CHECK(quiet.speech_dbfs < -40.0);
}

TEST_CASE("speech quality: the silence gap is not speech", "[speech_quality]") {
  const auto src = measure(raw("dev02_test-other_2033-164914-0001"));
  const auto gap = measure(raw("dev10_synth_silence_gap"));
  // 1 s of -60 dBFS noise and 3 s of zeros are added: the duration grows by 4 s, the speech by at most a window
  // or two where the splice cuts a word.
  CHECK(gap.duration_sec - src.duration_sec == Approx(4.0).margin(1e-9));
  CHECK(std::fabs(gap.speech_sec - src.speech_sec) <= 0.09);
}

TEST_CASE("speech quality: silence and noise have no speech", "[speech_quality]") {
  const std::vector<float> zeros(48000, 0.0f);
  auto q = measure(zeros);
  CHECK(q.speech_windows == 0);
  CHECK(q.speech_sec == 0.0);
  CHECK(q.speech_dbfs == sid::kSilenceDbfs);
  CHECK(q.peak_dbfs == sid::kSilenceDbfs);
  CHECK(q.overall_dbfs == sid::kSilenceDbfs);

  std::mt19937 rng(3);
  std::normal_distribution<float> n(0.0f, 0.0003f);  // about -70 dBFS: below the energy gate
  std::vector<float> hiss(48000);
  for (auto& v : hiss) v = n(rng);
  q = measure(hiss);
  CHECK(q.speech_windows == 0);

  const std::vector<float> empty;
  q = measure(empty);
  CHECK(q.windows == 0);
  CHECK(q.duration_sec == 0.0);
  CHECK(q.clipped_fraction == 0.0);
}

TEST_CASE("speech quality: gain changes the level by the gain and saturation is counted", "[speech_quality]") {
  const auto wav = raw("dev01_test-other_1688-142285-0003");
  const auto base = measure(wav);

  const auto quieter = measure(scaled(wav, 0.1f, false));  // -20 dB
  CHECK(quieter.overall_dbfs - base.overall_dbfs == Approx(-20.0).margin(0.01));

  const auto hot = measure(scaled(wav, 30.0f, true));  // +29.5 dB into the rails
  CHECK(hot.clipped_fraction > 0.01);
  CHECK(hot.peak_dbfs == Approx(0.0).margin(1e-6));

  // Peak-normalising to exactly 1.0 puts one sample at the rail: that is not clipping.
  float peak = 0;
  for (float v : wav) peak = std::max(peak, std::fabs(v));
  const auto normalised = measure(scaled(wav, 1.0f / peak, false));
  CHECK(normalised.clipped_samples <= 1);
  CHECK(normalised.peak_dbfs == Approx(0.0).margin(1e-5));
}

TEST_CASE("speech quality: clipping needs a flat top of the same sign", "[speech_quality]") {
  const float lvl = 0.99f;
  const std::vector<float> a{0.0f, 1.0f, 0.5f, -1.0f, 0.0f};  // isolated peaks
  CHECK(sid::count_clipped(a.data(), a.size(), lvl) == 0);
  const std::vector<float> b{0.0f, 1.0f, 1.0f, 1.0f, 0.2f, -0.995f, -1.0f};  // a 3-sample and a 2-sample top
  CHECK(sid::count_clipped(b.data(), b.size(), lvl) == 5);
  const std::vector<float> c{1.0f, -1.0f, 1.0f, -1.0f};  // alternating rails (a full-scale Nyquist tone)
  CHECK(sid::count_clipped(c.data(), c.size(), lvl) == 0);
}

TEST_CASE("speech quality: the clipping count uses the original-rate signal", "[speech_quality]") {
  const std::vector<float> mono{0.0f, 1.0f, 1.0f, 0.0f};
  const std::vector<float> wav16k(960, 0.0f);
  const auto q = sid::measure_speech_quality(mono.data(), mono.size(), wav16k);
  CHECK(q.clipped_samples == 2);
  CHECK(q.clipped_fraction == Approx(0.5));
  CHECK(q.windows == 2);
}

TEST_CASE("speech quality: bad options are refused", "[speech_quality]") {
  const std::vector<float> x(480, 0.0f);
  sid::QualityOptions o;
  o.vad_mode = 4;
  CHECK_THROWS_AS(measure(x, o), std::invalid_argument);
  o = {};
  o.clip_level = 0.0f;
  CHECK_THROWS_AS(measure(x, o), std::invalid_argument);
  o = {};
  o.min_window_dbfs = NAN;
  CHECK_THROWS_AS(measure(x, o), std::invalid_argument);
}

// Behavioural tests of the Python Speaker-ID service's enhancement (compat_preprocess) on synthetic signals.
#include <catch.hpp>

#include <cmath>
#include <vector>

#include "pipeline/compat_preprocess.h"

namespace {

constexpr double kTwoPi = 6.283185307179586;

std::vector<float> tone(size_t n, double amp, double freq = 440.0) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(amp * std::sin(kTwoPi * freq * static_cast<double>(i) / 16000.0));
  return x;
}

std::vector<float> concat(std::vector<float> a, const std::vector<float>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

float peak_of(const std::vector<float>& x) {
  float p = 0;
  for (float v : x) p = std::max(p, std::fabs(v));
  return p;
}

}  // namespace

TEST_CASE("energy_trim: silence-tone-silence is cut at the predicted frame boundaries", "[compat]") {
  // 10000 zeros, 20000 samples of tone, 10000 zeros: 40000 samples.
  const auto x = concat(concat(std::vector<float>(10000, 0.0f), tone(20000, 0.5)), std::vector<float>(10000, 0.0f));
  // Frames start at 0, 512, ... < 40000 - 2048 = 37952. A frame has energy > -100 dB iff it overlaps the tone
  // [10000, 30000): frame start i with i + 2048 > 10000 and i < 30000. The tone frames are all far louder than
  // (max - 30 dB) except those overlapping it by very few samples; overlap of k samples of a 0.5-amplitude sine has
  // energy ~ 10 log10(k/8) vs max ~ 10 log10(256): above the threshold for k >= ~1 sample of sizeable amplitude.
  // First frame overlapping: i = 8192 (8192 + 2048 = 10240 > 10000, overlap 240 samples); 7680 + 2048 = 9728 < 10000.
  // Last frame overlapping: largest i < 30000 on the grid: 29696 (overlap 304 samples).
  const sid::SampleRange r = sid::energy_trim_range(x);
  CHECK(r.start == 8192);
  CHECK(r.end == 29696 + 512 + 2048);  // (last + 1) * hop + frame_length
  const auto y = sid::energy_trim(x);
  REQUIRE(y.size() == r.end - r.start);
  CHECK(y[0] == x[8192]);
  CHECK(y.back() == x[r.end - 1]);
}

TEST_CASE("energy_trim: the threshold is strictly 30 dB below the loudest frame", "[compat]") {
  // Quiet part 40 dB below the loud part is cut; a part 20 dB below is kept.
  const auto quiet40 = tone(16384, 0.005);
  const auto quiet20 = tone(16384, 0.05);
  const auto loud = tone(16384, 0.5);
  auto x = concat(quiet40, loud);
  auto r = sid::energy_trim_range(x);
  // Frames fully inside the quiet part (i + 2048 <= 16384) are 40 dB down; the first frame that reaches into the
  // loud part starts at 14336 + 512 = 14848 (14336 + 2048 = 16384 is not > 16384).
  CHECK(r.start == 14848);
  x = concat(quiet20, loud);
  r = sid::energy_trim_range(x);
  CHECK(r.start == 0);
  // With top_db = 10 the 20 dB-down part is cut too.
  sid::CompatOptions o;
  o.top_db = 10.0;
  CHECK(sid::energy_trim_range(x, o).start == 14848);
}

TEST_CASE("energy_trim: no frame -> unchanged", "[compat]") {
  const auto x = tone(2048, 0.3);  // range(0, 0, 512) is empty
  const auto r = sid::energy_trim_range(x);
  CHECK(r.start == 0);
  CHECK(r.end == 2048);
  CHECK(sid::energy_trim(x) == x);
  CHECK(sid::energy_trim({}).empty());
}

TEST_CASE("best_segment: the loud 3 s window among quiet audio is chosen, first maximum wins", "[compat]") {
  // 2 s quiet, 3 s loud, 2 s quiet = 7 s; the loud part starts at 32000 (a multiple of the 4000-sample hop).
  const auto x = concat(concat(tone(32000, 0.01), tone(48000, 0.5, 300.0)), tone(32000, 0.01));
  CHECK(sid::best_segment_start(x, 48000, 4000) == 32000);
  const auto y = sid::best_segment(x);
  REQUIRE(y.size() == 48000);
  CHECK(y[0] == x[32000]);
  CHECK(y.back() == x[32000 + 47999]);
  // Constant signal: every window has the same RMS, the first (start 0) wins.
  CHECK(sid::best_segment_start(std::vector<float>(100000, 0.25f), 48000, 4000) == 0);
  // Windows start at range(0, len - 48000, 4000): a length of exactly 48000 has none -> unchanged.
  const auto z = tone(48000, 0.2);
  CHECK(sid::best_segment(z) == z);
  // The last window start is < len - 48000: with len = 60000 the starts are 0, 4000, 8000 (not 12000).
  auto w = concat(std::vector<float>(12000, 0.0f), tone(48000, 0.5));
  CHECK(sid::best_segment_start(w, 48000, 4000) == 8000);
}

TEST_CASE("peak_normalize: peak exactly 0.9, zeros untouched", "[compat]") {
  auto x = tone(5000, 0.3137);
  x[1234] = -0.77f;
  sid::peak_normalize(x);
  CHECK(peak_of(x) == 0.9f);
  CHECK(x[1234] == -0.9f);
  std::vector<float> z(1000, 0.0f);
  sid::peak_normalize(z);
  for (float v : z) REQUIRE(v == 0.0f);
  std::vector<float> e;
  sid::peak_normalize(e);
  CHECK(e.empty());
}

TEST_CASE("preemphasis: y[0] = x[0], y[n] = x[n] - 0.97 x[n-1]", "[compat]") {
  std::vector<float> x = {0.5f, 0.25f, -0.125f, 1.0f};
  sid::preemphasis(x);
  const float c = 0.97f;
  CHECK(x[0] == 0.5f);
  CHECK(x[1] == 0.25f - c * 0.5f);
  CHECK(x[2] == -0.125f - c * 0.25f);
  CHECK(x[3] == 1.0f + c * 0.125f);
  std::vector<float> one = {0.3f};
  sid::preemphasis(one);
  CHECK(one[0] == 0.3f);
}

TEST_CASE("compat_preprocess: short input path (< 1 s after trimming): normalise + pre-emphasis only", "[compat]") {
  const auto x = tone(12000, 0.2);  // 0.75 s, a steady tone: the trim keeps it all
  REQUIRE(sid::energy_trim_range(x).start == 0);
  REQUIRE(sid::energy_trim_range(x).end == 12000);
  auto expect = x;
  sid::peak_normalize(expect);
  sid::preemphasis(expect);
  CHECK(sid::compat_preprocess(x) == expect);
}

TEST_CASE("compat_preprocess: long input -> trim, best 3 s segment, normalise, pre-emphasis", "[compat]") {
  // 1 s zeros + 2 s quiet + 3 s loud + 1 s quiet + 1 s zeros. The zeros are trimmed (> 30 dB down);
  // the quiet tone (-26 dB) is kept, the trimmed signal is > 3.5 s, and the 3 s window is the loud part.
  const auto x = concat(concat(concat(concat(std::vector<float>(16000, 0.0f), tone(32000, 0.025)),
                                      tone(48000, 0.5, 300.0)),
                               tone(16000, 0.025)),
                        std::vector<float>(16000, 0.0f));
  const auto trimmed = sid::energy_trim(x);
  REQUIRE(trimmed.size() > 56000);
  auto expect = sid::best_segment(trimmed);
  REQUIRE(expect.size() == 48000);
  sid::peak_normalize(expect);
  sid::preemphasis(expect);
  const auto y = sid::compat_preprocess(x);
  CHECK(y == expect);

  // Without segment selection the whole trimmed signal is kept.
  sid::CompatOptions o;
  o.select_best_segment = false;
  CHECK(sid::compat_preprocess(x, o).size() == trimmed.size());
}

TEST_CASE("compat_preprocess: all-zero input stays zero, no NaN", "[compat]") {
  for (size_t n : {0u, 100u, 20000u, 80000u}) {
    const std::vector<float> z(n, 0.0f);
    const auto y = sid::compat_preprocess(z);
    INFO(n);
    // Equal energies everywhere: no trim; > 3.5 s: the first 3 s window.
    CHECK(y.size() == (n > 56000 ? 48000u : n));
    for (float v : y) REQUIRE(v == 0.0f);
  }
}

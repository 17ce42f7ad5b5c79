// Resemblyzer trim_long_silences (WebRTC VAD mode 3 + smoothing + dilation) vs the golden arrays, plus unit tests.
#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "audio/vad_trim.h"
#include "audio/volume.h"
#include "audio/webrtc_vad.h"
#include "golden.h"

namespace {

constexpr double kTwoPi = 6.283185307179586;

std::vector<uint8_t> golden_u8(const std::string& id, const std::string& name) {
  const auto a = sid::test::golden_array(id, "resemblyzer", name);
  REQUIRE(a.dtype == "|u1");
  return a.bytes;
}

size_t count_diff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  size_t d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) d += a[i] != b[i];
  return d;
}

}  // namespace

TEST_CASE("trim_long_silences matches the golden flags, masks and preprocessed wav", "[vad_trim][golden]") {
  for (const auto& id : sid::test::golden_ids_16k_mono()) {
    INFO(id);
    std::vector<float> wav = sid::test::golden_array(id, "resemblyzer", "raw").as_float();
    sid::normalize_volume(wav);
    const sid::VadTrim t = sid::trim_long_silences(wav);

    const auto flags = golden_u8(id, "vad_flags");
    const auto smoothed = golden_u8(id, "vad_smoothed");
    const auto keep = golden_u8(id, "vad_keep");
    REQUIRE(t.flags.size() == wav.size() / 480);
    REQUIRE(t.flags.size() == flags.size());
    CHECK(count_diff(t.flags, flags) == 0);
    CHECK(t.smoothed == smoothed);
    CHECK(t.keep == keep);

    const std::vector<float> pre = sid::test::golden_array(id, "resemblyzer", "preprocessed").as_float();
    REQUIRE(t.trimmed.size() == pre.size());
    double max_abs = 0;
    size_t exact = 0;
    for (size_t i = 0; i < pre.size(); ++i) {
      max_abs = std::max(max_abs, std::fabs(static_cast<double>(t.trimmed[i]) - pre[i]));
      exact += t.trimmed[i] == pre[i];
    }
    CHECK(max_abs <= 1e-6);
    CHECK(exact == pre.size());  // the float32 arithmetic is reproduced bit for bit
  }
}

TEST_CASE("vad_moving_average: width 8 with 3 zeros before and 4 after, exactly 4 of 8 is silence", "[vad_trim]") {
  // Output i covers flags[i-3 .. i+4].
  std::vector<uint8_t> f = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  auto s = sid::vad_moving_average(f);
  REQUIRE(s.size() == f.size());
  // i=0 covers f[-3..4] = 1,1,1,1,0 -> 4/8 = 0.5 -> round half to even -> 0.
  CHECK(s[0] == 0);
  CHECK(s == std::vector<uint8_t>(f.size(), 0));

  f = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
  s = sid::vad_moving_average(f);
  // 5 voiced windows within reach of i = 0 and 1 (f[-3..4], f[-2..5]); i = 2 covers f[-1..6] -> still 5.
  // i = 3 covers f[0..7] -> 5; i = 4 covers f[1..8] -> 4 -> 0.
  CHECK(s == std::vector<uint8_t>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0});

  // 5 of 8 -> 0.625 -> 1; 3 of 8 -> 0.375 -> 0; 8 of 8 -> 1.
  f = std::vector<uint8_t>(20, 1);
  s = sid::vad_moving_average(f);
  // At the start only 5 real windows are in reach of i = 0 (f[0..4]): 5/8 -> 1; at the end i = 19 reaches
  // f[16..19] = 4 windows -> 0.5 -> 0, i = 18 reaches f[15..19] = 5 -> 1.
  CHECK(s[0] == 1);
  CHECK(s[18] == 1);
  CHECK(s[19] == 0);
  CHECK(sid::vad_moving_average({}).empty());
}

TEST_CASE("vad_dilate: ones(7) centred, outside is false", "[vad_trim]") {
  std::vector<uint8_t> m(10, 0);
  m[0] = 1;
  CHECK(sid::vad_dilate(m) == std::vector<uint8_t>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0});
  m = std::vector<uint8_t>(10, 0);
  m[9] = 1;
  CHECK(sid::vad_dilate(m) == std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1});
  m = std::vector<uint8_t>(12, 0);
  m[5] = 1;
  CHECK(sid::vad_dilate(m) == std::vector<uint8_t>{0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0});
  CHECK(sid::vad_dilate(std::vector<uint8_t>(5, 0)) == std::vector<uint8_t>(5, 0));
  CHECK(sid::vad_dilate({}).empty());
}

TEST_CASE("float_to_int16_numpy: np.round half to even, then numpy's wrap-around int16 cast", "[vad_trim]") {
  CHECK(sid::float_to_int16_numpy(0.0f) == 0);
  CHECK(sid::float_to_int16_numpy(1.0f) == 32767);
  CHECK(sid::float_to_int16_numpy(-1.0f) == -32767);
  CHECK(sid::float_to_int16_numpy(0.5f) == 16384);   // 16383.5 -> even 16384
  CHECK(sid::float_to_int16_numpy(1.5f) == -16386);  // 49150.5 -> even 49150 -> wraps to 49150 - 65536
  CHECK(sid::float_to_int16_numpy(-1.5f) == 16386);
  // 32768 does not fit int16: wraps to -32768.
  CHECK(sid::float_to_int16_numpy(32768.0f / 32767.0f) == -32768);
  CHECK(sid::float_to_int16_numpy(2.0f) == static_cast<int16_t>(65534 - 65536));  // 65534 -> -2
  // Beyond int32 (and NaN) the x86 conversion yields 0x80000000, whose low 16 bits are 0.
  CHECK(sid::float_to_int16_numpy(1e6f) == 0);
  CHECK(sid::float_to_int16_numpy(NAN) == 0);
}

TEST_CASE("trim_long_silences drops the tail that does not fill a window", "[vad_trim]") {
  CHECK(sid::trim_long_silences(std::vector<float>(479, 0.1f)).flags.empty());
  CHECK(sid::trim_long_silences(std::vector<float>(479, 0.1f)).trimmed.empty());
  CHECK(sid::trim_long_silences({}).keep.empty());

  // A loud voiced-looking signal over 1000 samples: 2 windows, the 40 tail samples are never returned.
  std::vector<float> wav(480 * 30 + 40);
  for (size_t i = 0; i < wav.size(); ++i) {
    const double t = static_cast<double>(i) / 16000.0;
    wav[i] = static_cast<float>(0.3 * std::sin(kTwoPi * 220 * t) + 0.2 * std::sin(kTwoPi * 440 * t) +
                                0.1 * std::sin(kTwoPi * 1250 * t));
  }
  const auto t = sid::trim_long_silences(wav);
  CHECK(t.flags.size() == 30);
  CHECK(t.trimmed.size() % 480 == 0);
  size_t kept = 0;
  for (auto k : t.keep) kept += k;
  CHECK(t.trimmed.size() == kept * 480);
  // Every kept window is copied unchanged, in order.
  size_t o = 0;
  for (size_t w = 0; w < t.keep.size(); ++w) {
    if (!t.keep[w]) continue;
    for (size_t i = 0; i < 480; ++i) REQUIRE(t.trimmed[o + i] == wav[w * 480 + i]);
    o += 480;
  }

  // Digital silence: nothing is voiced, nothing is kept.
  const auto s = sid::trim_long_silences(std::vector<float>(480 * 20, 0.0f));
  CHECK(s.flags == std::vector<uint8_t>(20, 0));
  CHECK(s.trimmed.empty());
}

TEST_CASE("WebRtcVad wrapper validates mode, rate and frame length", "[vad_trim][webrtc]") {
  CHECK_THROWS_AS(sid::WebRtcVad(4), std::invalid_argument);
  CHECK_THROWS_AS(sid::WebRtcVad(-1), std::invalid_argument);
  sid::WebRtcVad vad(3);
  std::vector<int16_t> frame(480, 0);
  CHECK_THROWS_AS(vad.is_speech(frame.data(), 479, 16000), std::invalid_argument);
  CHECK_THROWS_AS(vad.is_speech(frame.data(), 640, 16000), std::invalid_argument);  // 40 ms
  CHECK_THROWS_AS(vad.is_speech(frame.data(), 480, 22050), std::invalid_argument);
  CHECK_THROWS_AS(vad.is_speech(nullptr, 480, 16000), std::invalid_argument);
  CHECK_FALSE(vad.is_speech(frame.data(), 480, 16000));
  CHECK_FALSE(vad.is_speech(frame.data(), 160, 16000));  // 10 ms
  CHECK_FALSE(vad.is_speech(frame.data(), 240, 8000));   // 30 ms at 8 kHz
  for (int mode = 0; mode <= 3; ++mode) CHECK_NOTHROW(sid::WebRtcVad(mode));
}

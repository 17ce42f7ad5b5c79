// The coarse audio -> model input object (src/pipeline/model_frontend.h): identical to the per-stage front-ends on
// the golden speech, stages only when asked, the family descriptors, pooling, the Speaker-ID preprocessing option,
// and the one error model (codes, a throwing run keeps the previous result).
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "error_of.h"
#include "golden.h"
#include "pipeline/compat_preprocess.h"
#include "pipeline/ecapa_frontend.h"
#include "pipeline/model_frontend.h"
#include "pipeline/pooling.h"
#include "pipeline/resemblyzer_frontend.h"

using namespace sid;
using Catch::Matchers::Contains;

namespace {

// A 16-bit mono WAV of `x` at `rate` (the decoder scales by 1/32768, so the round trip is exact for these values).
std::vector<uint8_t> wav16(const std::vector<float>& x, int rate) {
  std::vector<uint8_t> b(44 + 2 * x.size());
  auto u32 = [&](size_t at, uint32_t v) { for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i)); };
  auto u16 = [&](size_t at, uint16_t v) { b[at] = uint8_t(v); b[at + 1] = uint8_t(v >> 8); };
  std::memcpy(&b[0], "RIFF", 4); u32(4, uint32_t(36 + 2 * x.size())); std::memcpy(&b[8], "WAVEfmt ", 8);
  u32(16, 16); u16(20, 1); u16(22, 1); u32(24, uint32_t(rate)); u32(28, uint32_t(2 * rate)); u16(32, 2); u16(34, 16);
  std::memcpy(&b[36], "data", 4); u32(40, uint32_t(2 * x.size()));
  for (size_t i = 0; i < x.size(); ++i) u16(44 + 2 * i, uint16_t(int16_t(std::lround(x[i] * 32768.0f))));
  return b;
}

std::vector<float> quantised(const std::vector<float>& x) {
  std::vector<float> q(x.size());
  for (size_t i = 0; i < x.size(); ++i) q[i] = static_cast<float>(std::lround(x[i] * 32768.0f)) / 32768.0f;
  return q;
}

}  // namespace

TEST_CASE("family descriptors hold the shapes and constants of both pipelines", "[frontend]") {
  const FamilySpec& r = family_spec(ModelFamily::kResemblyzer);
  CHECK(std::string(r.name) == "resemblyzer");
  CHECK(r.embedding_dim == 256);
  CHECK(r.bands == 40);
  CHECK(r.partial_frames == 160);
  CHECK(r.pooling == Pooling::kMeanL2);
  const FamilySpec& e = family_spec(ModelFamily::kEcapa);
  CHECK(std::string(e.name) == "ecapa");
  CHECK(e.embedding_dim == 192);
  CHECK(e.bands == 80);
  CHECK(e.min_frames == 5);
  CHECK(e.pooling == Pooling::kFirstRow);
  CHECK(parse_family("ecapa") == ModelFamily::kEcapa);
  CHECK(code_of([] { parse_family("wav2vec"); }) == ErrorCode::kInvalidArgument);
  CHECK_THAT(error_of([] { parse_family("x"); }), Contains("accepted: resemblyzer, ecapa"));
}

TEST_CASE("one run gives exactly the per-stage front-ends' model input on golden speech", "[frontend][golden]") {
  const std::string id = "dev03_test-other_3080-5032-0002";
  const std::vector<float> raw = test::golden_array(id, "resemblyzer", "raw").as_float();
  const std::vector<float> wav = quantised(raw);  // what the WAV below decodes to
  const auto bytes = wav16(raw, 16000);

  ModelFrontend ecapa(ModelFamily::kEcapa);
  ecapa.run_wav(bytes.data(), bytes.size(), {});
  const EcapaFeatures ef = ecapa_frontend(wav);
  CHECK(ecapa.input() == ef.fbank_norm);
  CHECK(ecapa.input_shape() == std::array<size_t, 3>{1, ef.frames, 80});
  CHECK(ecapa.frames() == ef.frames);
  CHECK(ecapa.stages().empty());  // not asked for
  CHECK_FALSE(ecapa.has_quality());
  CHECK(ecapa.duration_sec() == Approx(wav.size() / 16000.0));

  ModelFrontend resem(ModelFamily::kResemblyzer);
  FrontendOptions keep;
  keep.keep_stages = true;
  keep.measure_quality = true;
  resem.run_pcm(raw.data(), raw.size(), 1, 16000, keep);
  const ResemblyzerFeatures rf = resemblyzer_frontend(raw);
  CHECK(resem.input() == rf.partials);
  CHECK(resem.input_shape() == std::array<size_t, 3>{rf.slices.size(), 160, 40});
  CHECK(resem.has_quality());
  CHECK(resem.quality().speech_sec > 1.0);
  const auto stages = resem.stages();
  REQUIRE(stages.size() == family_spec(ModelFamily::kResemblyzer).stages.size());
  for (size_t i = 0; i < stages.size(); ++i) CHECK(stages[i].name == family_spec(ModelFamily::kResemblyzer).stages[i]);
  CHECK(stages[5].count == rf.mel.size());
  CHECK(std::memcmp(stages[5].data, rf.mel.data(), rf.mel.size() * sizeof(float)) == 0);
  CHECK(stages[6].type == StageType::kI32);
  CHECK(stages[6].shape == std::vector<size_t>{rf.slices.size(), 4});
}

TEST_CASE("stereo at another rate is downmixed and resampled before the front-end", "[frontend]") {
  std::vector<float> st(2 * 44100);
  for (size_t i = 0; i < 44100; ++i) {
    st[2 * i] = 0.3f * std::sin(0.05f * i);
    st[2 * i + 1] = 0.1f * std::sin(0.02f * i);
  }
  ModelFrontend fe(ModelFamily::kEcapa);
  fe.run_pcm(st.data(), st.size(), 2, 44100, {});
  CHECK(fe.sample_rate() == 44100);
  CHECK(fe.channels() == 2);
  CHECK(fe.frames() == 1 + 16000 / 160);
}

TEST_CASE("Speaker-ID preprocessing runs the service's enhancement before the family front-end", "[frontend]") {
  const std::vector<float> raw = test::golden_array("dev01_test-other_1688-142285-0003", "resemblyzer", "raw").as_float();
  REQUIRE(raw.size() > 16000 * 4);  // long enough for the best-3-s window
  ModelFrontend fe(ModelFamily::kEcapa);
  FrontendOptions o;
  o.preprocess = Preprocess::kSpeakerId;
  o.keep_stages = true;
  fe.run_pcm(raw.data(), raw.size(), 1, 16000, o);
  const std::vector<float> enhanced = compat_preprocess(raw);
  CHECK(enhanced.size() == 48000);
  CHECK(fe.input() == ecapa_frontend(enhanced).fbank_norm);
  const auto stages = fe.stages();
  REQUIRE(stages.back().name == "speaker_id_preprocessed");
  CHECK(stages.back().count == enhanced.size());
}

TEST_CASE("pooling follows the family: mean+L2 of partials, the single ECAPA row as is", "[frontend]") {
  ModelFrontend r(ModelFamily::kResemblyzer);
  std::vector<float> rows(2 * 256, 0.0f);
  rows[0] = 3;
  rows[256] = 1;
  const auto e = r.pool(rows.data(), 2, 256);
  CHECK(e == mean_l2(rows.data(), 2, 256));
  CHECK(e[0] == Approx(1.0f));
  ModelFrontend c(ModelFamily::kEcapa);
  std::vector<float> one(192, 2.0f);
  CHECK(c.pool(one.data(), 1, 192) == one);
  CHECK(code_of([&] { c.pool(one.data(), 1, 191); }) == ErrorCode::kInvalidArgument);
  CHECK_THAT(error_of([&] { c.pool(rows.data(), 2, 192); }), Contains("one row"));
  CHECK(code_of([&] { c.pool(nullptr, 0, 192); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("unusable audio throws kInvalidAudio and keeps the previous result", "[frontend][errors]") {
  ModelFrontend fe(ModelFamily::kEcapa);
  std::vector<float> ok(16000, 0.0f);
  for (size_t i = 0; i < ok.size(); ++i) ok[i] = 0.2f * std::sin(0.07f * i);
  fe.run_pcm(ok.data(), ok.size(), 1, 16000, {});
  const std::vector<float> before = fe.input();
  std::vector<float> nan = ok;
  nan[4000] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> inf = ok;
  inf[7] = std::numeric_limits<float>::infinity();
  const std::vector<uint8_t> junk = {'R', 'I', 'F', 'F', 1, 2};
  struct Case { const char* what; std::function<void()> run; const char* reason; };
  const std::vector<Case> cases = {
      {"empty", [&] { fe.run_pcm(ok.data(), 0, 1, 16000, {}); }, "empty"},
      {"no channels", [&] { fe.run_pcm(ok.data(), ok.size(), 0, 16000, {}); }, "channels must be 1..8"},
      {"ragged", [&] { fe.run_pcm(ok.data(), 15999, 2, 16000, {}); }, "multiple of the channel count"},
      {"rate", [&] { fe.run_pcm(ok.data(), ok.size(), 1, 4000, {}); }, "8000..192000 Hz"},
      {"NaN", [&] { fe.run_pcm(nan.data(), nan.size(), 1, 16000, {}); }, "sample 4000 (channel 0, at 0.25"},
      {"inf", [&] { fe.run_pcm(inf.data(), inf.size(), 1, 16000, {}); }, "is infinite"},
      {"bad WAV", [&] { fe.run_wav(junk.data(), junk.size(), {}); }, "invalid WAV"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CHECK(code_of(c.run) == ErrorCode::kInvalidAudio);
    CHECK_THAT(error_of(c.run), Contains(c.reason));
    CHECK(fe.input() == before);
  }
  FrontendOptions bad;
  bad.measure_quality = true;
  bad.quality.vad_mode = 7;
  CHECK(code_of([&] { fe.run_pcm(ok.data(), ok.size(), 1, 16000, bad); }) == ErrorCode::kInvalidArgument);
  CHECK(fe.input() == before);
}

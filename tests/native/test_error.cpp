// The one error model (src/error.h): every unit of the core reports failures as sid::Error with the right code.
#include <catch.hpp>

#include <string>
#include <vector>

#include "audio/resampler.h"
#include "audio/speech_quality.h"
#include "audio/wav_decoder.h"
#include "error_of.h"
#include "match/gallery.h"
#include "match/profile_format.h"
#include "match/speaker_name.h"
#include "match_fixtures.h"
#include "pipeline/partial_slices.h"

using namespace sid;

TEST_CASE("code names are the JS error codes", "[errors]") {
  CHECK(std::string(code_name(ErrorCode::kInvalidAudio)) == "invalid_audio");
  CHECK(std::string(code_name(ErrorCode::kInvalidArgument)) == "invalid_argument");
  CHECK(std::string(code_name(ErrorCode::kUnknownSpeaker)) == "unknown_speaker");
  CHECK(std::string(code_name(ErrorCode::kSpeakerExists)) == "speaker_exists");
  CHECK(std::string(code_name(ErrorCode::kModelMismatch)) == "model_mismatch");
  CHECK(std::string(code_name(ErrorCode::kInvalidProfile)) == "invalid_profile");
  CHECK(std::string(code_name(ErrorCode::kInternal)) == "internal");
}

TEST_CASE("each unit throws its code", "[errors]") {
  const std::string sha(64, 'a');
  Gallery g("m", sha, 4);
  g.add_sample("ann", test::sample({1, 0, 0, 0}));
  g.add_sample("bob", test::sample({0, 1, 0, 0}));
  CHECK(code_of([&] { g.rename("zed", "x"); }) == ErrorCode::kUnknownSpeaker);
  CHECK(code_of([&] { g.verify("zed", std::vector<float>{1, 0, 0, 0}, 0.5f); }) == ErrorCode::kUnknownSpeaker);
  CHECK(code_of([&] { g.rename("ann", "bob"); }) == ErrorCode::kSpeakerExists);
  CHECK(code_of([&] { g.add_speaker("ann", {test::sample({1, 1, 0, 0})}); }) == ErrorCode::kSpeakerExists);
  CHECK(code_of([&] { g.add_sample("", test::sample({1, 0, 0, 0})); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { g.identify(std::vector<float>{0, 0, 0, 0}, 1, 0.5f); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { check_speaker_name("a\x01"); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { Gallery("m", "nothex", 4); }) == ErrorCode::kInvalidArgument);

  auto blob = export_profiles(g);
  blob[blob.size() / 2] ^= 1;
  CHECK(code_of([&] { decode_profiles(blob.data(), blob.size()); }) == ErrorCode::kInvalidProfile);
  Gallery other("other", std::string(64, 'e'), 4);
  CHECK(code_of([&] { import_profiles(other, export_profiles(g)); }) == ErrorCode::kModelMismatch);
  Gallery same("m", sha, 4);
  same.add_sample("ann", test::sample({1, 0, 0, 0}));
  CHECK(code_of([&] { import_profiles(same, export_profiles(g), ImportMode::kMerge); }) == ErrorCode::kSpeakerExists);

  const std::vector<uint8_t> junk = {1, 2, 3};
  CHECK(code_of([&] { decode_wav(junk.data(), junk.size()); }) == ErrorCode::kInvalidAudio);
  const std::vector<float> x(100, 0.1f);
  CHECK(code_of([&] { resample(x.data(), x.size(), 4000, 16000); }) == ErrorCode::kInvalidAudio);
  QualityOptions bad;
  bad.vad_mode = 9;
  CHECK(code_of([&] { measure_speech_quality(x.data(), x.size(), x, bad); }) == ErrorCode::kInvalidArgument);
  CHECK(code_of([&] { compute_partial_slices(100, -1.0); }) == ErrorCode::kInvalidArgument);
}

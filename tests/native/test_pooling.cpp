// Pooling parity: upstream's embed_utterance = L2(mean(partial_embeds)), checked on every golden file
// (dev12 included: its partials come from the 44.1 kHz stereo input) and on the spk1688 speaker set.
#include <catch.hpp>

#include <cmath>

#include "golden.h"
#include "pipeline/pooling.h"

using namespace sid;
using namespace sid::test;

static double one_minus_cos(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) { ab += double(a[i]) * b[i]; aa += double(a[i]) * a[i]; bb += double(b[i]) * b[i]; }
  return 1.0 - ab / std::sqrt(aa * bb);
}

TEST_CASE("mean_l2 of golden partial embeddings equals the golden utterance embedding", "[pooling][golden]") {
  for (const auto& id : golden_ids()) {
    INFO(id);
    const auto partials = golden_array(id, "resemblyzer", "partial_embeds");
    const auto expected = golden_array(id, "resemblyzer", "embedding").as_float();
    REQUIRE(partials.shape.size() == 2);
    const auto p = partials.as_float();
    const auto got = mean_l2(p.data(), partials.shape[0], partials.shape[1]);
    REQUIRE(got.size() == expected.size());
    CHECK(one_minus_cos(got, expected) <= 1e-7);
    float max_abs = 0, max_d = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      max_abs = std::max(max_abs, std::abs(expected[i]));
      max_d = std::max(max_d, std::abs(got[i] - expected[i]));
    }
    CHECK(max_d <= 1e-6f * max_abs);
  }
}

TEST_CASE("embed_speaker of the spk1688 set is L2(mean of utterance embeddings)", "[pooling][golden]") {
  const std::vector<std::string> members = {"dev01_test-other_1688-142285-0003", "spk1688_extra_1688-142285-0002",
                                            "spk1688_extra_1688-142285-0005", "spk1688_extra_1688-142285-0009"};
  std::vector<float> rows;
  for (const auto& id : members) {
    const auto e = golden_array(id, "resemblyzer", "embedding").as_float();
    rows.insert(rows.end(), e.begin(), e.end());
  }
  const auto expected =
      load_npy(golden_dir() + "/speaker_sets/spk1688_resemblyzer_embed_speaker.npy").as_float();
  const auto got = mean_l2(rows.data(), members.size(), 256);
  CHECK(one_minus_cos(got, expected) <= 1e-7);
}

TEST_CASE("l2_normalize leaves a zero vector alone and makes others unit length", "[pooling]") {
  std::vector<float> z(8, 0.0f);
  l2_normalize(z.data(), z.size());
  for (float v : z) CHECK(v == 0.0f);
  std::vector<float> v = {3.0f, 4.0f};
  l2_normalize(v.data(), v.size());
  CHECK(v[0] == Approx(0.6f));
  CHECK(v[1] == Approx(0.8f));
  CHECK(mean_l2(v.data(), 0, 2) == std::vector<float>{0.0f, 0.0f});
}

// Gallery semantics and the profile blob, on synthetic embeddings with known geometry.
#include <catch.hpp>

#include <cmath>
#include <random>
#include <stdexcept>

#include "match/cosine.h"
#include "match/crc32.h"
#include "match/gallery.h"
#include "match/profile_format.h"
#include "match_fixtures.h"

using namespace sid;
using sid::test::sample;

static const std::string kSha(64, 'a');

static std::vector<float> unit(size_t dim, size_t axis, float noise = 0.0f, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v(dim);
  for (auto& x : v) x = noise * n(rng);
  v[axis] += 1.0f;
  return v;
}

TEST_CASE("crc32 and cosine basics", "[match]") {
  const char* text = "123456789";
  CHECK(crc32(text, 9) == 0xCBF43926u);  // the IEEE check value
  const std::vector<float> a = {1, 2, 3, 4, 5}, b = {2, 4, 6, 8, 10};
  CHECK(cosine(a.data(), b.data(), 5) == Approx(1.0f));
  CHECK(dot(a.data(), a.data(), 5) == Approx(55.0f));
}

TEST_CASE("identify: threshold rule, top-k order, no free match with one speaker", "[match]") {
  Gallery g("compact-ecapa", kSha, 16);
  g.add_sample("alice", sample(unit(16, 0)));
  // One enrolled speaker: an unrelated query stays unknown.
  auto r = g.identify(unit(16, 5), 3, 0.4f);
  CHECK(r.speaker.empty());
  CHECK(r.score == Approx(0.0f).margin(1e-6));
  g.add_sample("bob", sample(unit(16, 1)));
  g.add_sample("carol", sample(unit(16, 2)));
  r = g.identify(unit(16, 1, 0.05f, 7), 2, 0.4f);
  CHECK(r.speaker == "bob");
  REQUIRE(r.candidates.size() == 2);
  CHECK(r.candidates[0].name == "bob");
  CHECK(r.candidates[0].score >= r.candidates[1].score);
  // Exactly at the threshold is accepted; just above the best score is not.
  const float best = r.score;
  CHECK(g.identify(unit(16, 1, 0.05f, 7), 1, best).speaker == "bob");
  CHECK(g.identify(unit(16, 1, 0.05f, 7), 1, std::nextafter(best, 2.0f)).speaker.empty());
  auto v = g.verify("carol", unit(16, 2), 0.9f);
  CHECK(v.accepted);
  CHECK_FALSE(g.verify("carol", unit(16, 0), 0.9f).accepted);
}

TEST_CASE("centroid is L2(mean(L2(samples))); remove, rename, reset", "[match]") {
  Gallery g("m", kSha, 4);
  g.add_sample("x", sample({2, 0, 0, 0}));
  g.add_sample("x", sample({0, 5, 0, 0}));
  auto c = g.centroid("x");
  CHECK(c[0] == Approx(std::sqrt(0.5f)));
  CHECK(c[1] == Approx(std::sqrt(0.5f)));
  g.add_sample("y", sample({0, 0, 1, 0}));
  g.rename("x", "z");
  CHECK(g.speakers()[0].name == "z");
  CHECK(g.speakers()[0].sample_count == 2);
  CHECK_THROWS_AS(g.rename("z", "y"), std::invalid_argument);
  CHECK_THROWS_AS(g.rename("nobody", "w"), std::invalid_argument);
  CHECK(g.remove("y"));
  CHECK_FALSE(g.remove("y"));
  g.reset();
  CHECK(g.empty());
}

TEST_CASE("bad input is refused with a reason and changes nothing", "[match]") {
  Gallery g("m", kSha, 4);
  g.add_sample("ok", sample({1, 0, 0, 0}));
  CHECK_THROWS_AS(g.add_sample("ok", sample({1, 0, 0})), std::invalid_argument);               // wrong dim
  CHECK_THROWS_AS(g.add_sample("ok", sample({NAN, 0, 0, 0})), std::invalid_argument);          // NaN
  CHECK_THROWS_AS(g.add_sample("ok", sample({0, 0, 0, 0})), std::invalid_argument);            // zero
  CHECK_THROWS_AS(g.add_sample("", sample({1, 0, 0, 0})), std::invalid_argument);              // empty name
  CHECK_THROWS_AS(g.add_sample(std::string("a\nb"), sample({1, 0, 0, 0})), std::invalid_argument);
  CHECK_THROWS_AS(g.add_sample(std::string(129, 'n'), sample({1, 0, 0, 0})), std::invalid_argument);
  CHECK_THROWS_AS(g.verify("nobody", std::vector<float>{1, 0, 0, 0}, 0.5f), std::invalid_argument);
  CHECK(g.size() == 1);
  CHECK(g.samples("ok").size() == 1);
  try {
    g.add_sample("ok", sample({1, 0, 0}));
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find('4') != std::string::npos);  // says the expected dimension
  }
}

TEST_CASE("profile blob: round trip, truncation, tampering, other model", "[match]") {
  Gallery g("compact-ecapa", kSha, 8);
  for (int s = 0; s < 3; ++s)
    for (int k = 0; k < 2; ++k) g.add_sample("spk" + std::to_string(s), sample(unit(8, s, 0.1f, 10 * s + k)));
  const auto blob = export_profiles(g);

  Gallery back("compact-ecapa", kSha, 8);
  REQUIRE(import_profiles(back, blob).empty());
  REQUIRE(back.size() == 3);
  CHECK(back.samples("spk1")[1].embedding == g.samples("spk1")[1].embedding);
  CHECK(export_profiles(back) == blob);

  for (size_t cut = 0; cut < blob.size(); ++cut) {
    Gallery t("compact-ecapa", kSha, 8);
    t.add_sample("keep", sample(unit(8, 0)));
    const auto err = import_profiles(t, blob.data(), cut);
    INFO(cut);
    CHECK_FALSE(err.empty());
    CHECK(t.size() == 1);  // unchanged
  }
  for (size_t i = 0; i < blob.size(); i += 7) {
    auto bad = blob;
    bad[i] ^= 0x20;
    Gallery t("compact-ecapa", kSha, 8);
    INFO(i);
    CHECK_FALSE(import_profiles(t, bad).empty());
    CHECK(t.empty());
  }
  Gallery other("resemblyzer", std::string(64, 'b'), 8);
  const auto err = import_profiles(other, blob);
  CHECK(err.find("compact-ecapa") != std::string::npos);
  CHECK(err.find("resemblyzer") != std::string::npos);
  CHECK(other.empty());
}

TEST_CASE("20k speakers: the right one wins", "[match]") {
  const size_t n = 20000, dim = 192;
  Gallery g("m", kSha, dim);
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> target;
  for (size_t i = 0; i < n; ++i) {
    std::vector<float> e(dim);
    for (auto& x : e) x = nd(rng);
    if (i == 12345) target = e;
    g.add_sample("s" + std::to_string(i), sample(e));
  }
  for (auto& x : target) x += 0.3f * nd(rng);
  const auto r = g.identify(target, 5, 0.5f);
  CHECK(r.speaker == "s12345");
  CHECK(r.candidates.size() == 5);
}

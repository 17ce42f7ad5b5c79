// Gallery semantics (src/match/gallery.h): enrollment, centroids, name rules, rejects with reasons,
// identify (threshold rule with no free single-speaker match, top-k order and ties), verify, rename,
// remove, reset, and a 20k-speaker identification sanity check.
#include <catch.hpp>

#include "error_of.h"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "match/cosine.h"
#include "match/gallery.h"
#include "match/speaker_name.h"
#include "match_fixtures.h"

using namespace sid;
using sid::test::sample;
using Catch::Matchers::Contains;

namespace {

const std::string kSha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::vector<float> unit(size_t dim, size_t axis, float scale = 1.0f) {
  std::vector<float> v(dim, 0.0f);
  v[axis] = scale;
  return v;
}

std::vector<float> random_vector(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

std::vector<std::string> names_of(const Gallery& g) {
  std::vector<std::string> out;
  for (const auto& s : g.speakers()) out.push_back(s.name);
  return out;
}

}  // namespace

TEST_CASE("gallery constructor validates model id, sha256 and dimension", "[match][gallery]") {
  CHECK_NOTHROW(Gallery("ecapa-voxceleb", kSha, 192));
  Gallery upper("m", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", 4);
  CHECK(upper.model_sha256() == kSha);
  CHECK_THROWS_AS(Gallery("", kSha, 192), std::invalid_argument);
  CHECK_THROWS_AS(Gallery(std::string(257, 'm'), kSha, 192), std::invalid_argument);
  CHECK_THROWS_AS(Gallery("a\nb", kSha, 192), std::invalid_argument);
  CHECK_THROWS_WITH(Gallery("m", "abc", 192), Contains("64 hex digits"));
  CHECK_THROWS_AS(Gallery("m", std::string(63, 'a') + "g", 192), std::invalid_argument);
  CHECK_THROWS_WITH(Gallery("m", kSha, 0), Contains("dimension"));
  CHECK_THROWS_AS(Gallery("m", kSha, kMaxEmbeddingDim + 1), std::invalid_argument);
}

TEST_CASE("check_model refuses another model (sha256, dim) with kModelMismatch naming both", "[match][gallery]") {
  Gallery g("ecapa", kSha, 4);
  CHECK_NOTHROW(g.check_model("ecapa", kSha, 4));
  std::string upper = kSha;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  CHECK_NOTHROW(g.check_model("ecapa", upper, 4));
  CHECK_NOTHROW(g.check_model("my-copy-of-ecapa", kSha, 4));  // the same content under another label
  const std::string other(64, 'f');
  const std::string why = error_of([&] { g.check_model("resemblyzer", other, 4); });
  CHECK_THAT(why, Contains("'resemblyzer'") && Contains("'ecapa'") && Contains(other.substr(0, 12)) &&
                      Contains(std::string(kSha).substr(0, 12)));
  CHECK(code_of([&] { g.check_model("ecapa", other, 4); }) == sid::ErrorCode::kModelMismatch);
  CHECK_THAT(error_of([&] { g.check_model("ecapa", kSha, 8); }), Contains("dim 8") && Contains("dim 4"));
}

TEST_CASE("add_sample enrolls, counts samples and keeps the centroid = L2(mean(L2(samples)))", "[match][gallery]") {
  Gallery g("m", kSha, 4);
  CHECK(g.empty());
  CHECK(g.add_sample("alice", sample({10, 0, 0, 0})) == 1);
  CHECK(g.contains("alice"));
  auto c = g.centroid("alice");
  CHECK(c == std::vector<float>{1, 0, 0, 0});
  // Magnitudes do not weigh: a 10x longer vector counts as much as a unit one.
  CHECK(g.add_sample("alice", sample({0, 0.1f, 0, 0})) == 2);
  c = g.centroid("alice");
  CHECK(c[0] == Approx(std::sqrt(0.5)).epsilon(1e-6));
  CHECK(c[1] == Approx(std::sqrt(0.5)).epsilon(1e-6));
  CHECK(c[2] == 0.0f);
  CHECK(c[3] == 0.0f);
  CHECK(g.add_sample("alice", sample({0, 0, 3, 4})) == 3);
  c = g.centroid("alice");
  const double m[4] = {1.0 / 3, 1.0 / 3, 0.6 / 3, 0.8 / 3};
  const double n = std::sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2] + m[3] * m[3]);
  for (int i = 0; i < 4; ++i) CHECK(c[i] == Approx(m[i] / n).epsilon(1e-6));
  CHECK(g.samples("alice").size() == 3);
  CHECK(g.samples("alice")[0].embedding == std::vector<float>{10, 0, 0, 0});  // raw embedding kept
  CHECK(g.size() == 1);
  CHECK(g.centroids().size() == 4);
}

TEST_CASE("add_sample rejects bad embeddings and durations with reasons and changes nothing", "[match][gallery]") {
  Gallery g("m", kSha, 4);
  g.add_sample("alice", sample({1, 0, 0, 0}));
  const auto before = g.centroids();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(g.add_sample("alice", sample({1, 0, 0})), Contains("3 values") && Contains("produces 4"));
  CHECK_THROWS_WITH(g.add_sample("alice", sample({1, 0, 0, 0, 0})), Contains("5 values"));
  CHECK_THROWS_WITH(g.add_sample("alice", sample({1, nan, 0, 0})), Contains("NaN at index 1"));
  CHECK_THROWS_WITH(g.add_sample("alice", sample({1, 0, -inf, 0})), Contains("infinite value at index 2"));
  CHECK_THROWS_WITH(g.add_sample("alice", sample({0, 0, 0, 0})), Contains("all zeros"));
  CHECK_THROWS_WITH(g.add_sample("alice", sample({1, 0, 0, 0}, -1.0f)), Contains("duration"));
  CHECK_THROWS_WITH(g.add_sample("alice", sample({1, 0, 0, 0}, 1.0f, nan)), Contains("speech"));
  CHECK_THROWS_AS(g.add_sample("bob", sample({0, 0, 0, 0})), std::invalid_argument);
  CHECK(g.samples("alice").size() == 1);
  CHECK_FALSE(g.contains("bob"));
  CHECK(g.centroids() == before);
}

TEST_CASE("speaker names: UTF-8, 1..128 bytes, no control characters", "[match][gallery]") {
  Gallery g("m", kSha, 2);
  const auto e = sample({1, 0});
  for (const std::string& ok : {std::string("a"), std::string("José García"), std::string("\xE6\x9D\x8E\xE9\x9B\xB7"),
                               std::string("\xF0\x9F\x8E\xA4 mic"), std::string(128, 'x'), std::string("a b")}) {
    INFO(ok);
    CHECK_NOTHROW(g.add_sample(ok, e));
  }
  const std::string ok128 = std::string(126, 'y') + "\xC3\xA9";  // multi-byte char ending exactly at 128
  CHECK_NOTHROW(g.add_sample(ok128, e));
  const size_t count = g.size();
  CHECK_THROWS_WITH(g.add_sample("", e), Contains("empty"));
  CHECK_THROWS_WITH(g.add_sample(std::string(129, 'x'), e), Contains("129 bytes"));
  CHECK_THROWS_WITH(g.add_sample(std::string("a\nb"), e), Contains("control character at byte 1"));
  CHECK_THROWS_WITH(g.add_sample(std::string("a\0b", 3), e), Contains("control character"));
  CHECK_THROWS_WITH(g.add_sample("tab\t", e), Contains("control character"));
  CHECK_THROWS_WITH(g.add_sample("del\x7F", e), Contains("control character"));
  CHECK_THROWS_WITH(g.add_sample("c1\xC2\x85", e), Contains("control character"));  // U+0085 NEL
  CHECK_THROWS_WITH(g.add_sample("bad\xFF", e), Contains("not valid UTF-8"));
  CHECK_THROWS_WITH(g.add_sample("\xC0\x80", e), Contains("not valid UTF-8"));      // overlong NUL
  CHECK_THROWS_WITH(g.add_sample("\xE0\x80\xAF", e), Contains("overlong"));
  CHECK_THROWS_WITH(g.add_sample("\xED\xA0\x80", e), Contains("surrogate"));
  CHECK_THROWS_WITH(g.add_sample("\xF4\x90\x80\x80", e), Contains("above U+10FFFF"));
  CHECK_THROWS_WITH(g.add_sample("cut\xE2\x82", e), Contains("truncated"));
  CHECK_THROWS_WITH(g.add_sample("\x80x", e), Contains("not valid UTF-8"));
  CHECK_THROWS_WITH(g.add_sample("a\xC3(", e), Contains("continuation"));
  CHECK(g.size() == count);
}

TEST_CASE("one enrolled speaker is not a free match", "[match][gallery]") {
  Gallery g("m", kSha, 4);
  g.add_sample("only", sample({1, 0, 0, 0}));
  const auto r = g.identify(unit(4, 1), 5, 0.5f);
  CHECK(r.speaker.empty());
  CHECK(r.score == 0.0f);
  REQUIRE(r.candidates.size() == 1);
  CHECK(r.candidates[0].name == "only");
  const auto close = g.identify({1, 1, 0, 0}, 5, 0.82f);  // cos = 0.707 < 0.82
  CHECK(close.speaker.empty());
  CHECK(close.score == Approx(std::sqrt(0.5)).epsilon(1e-6));
  const auto same = g.identify({2, 0, 0, 0}, 5, 0.82f);
  CHECK(same.speaker == "only");
  CHECK(same.score == Approx(1.0f).epsilon(1e-6));
  CHECK_FALSE(g.verify("only", unit(4, 1), 0.5f).accepted);
}

TEST_CASE("threshold boundary: score == threshold accepts, the next float above refuses", "[match][gallery]") {
  Gallery g("m", kSha, 8);
  std::mt19937 rng(7);
  g.add_sample("a", sample(random_vector(rng, 8)));
  g.add_sample("b", sample(random_vector(rng, 8)));
  const auto q = random_vector(rng, 8);
  const float s = g.identify(q, 2, -1.0f).score;
  const float above = std::nextafter(s, 2.0f);
  const auto at = g.identify(q, 2, s);
  CHECK_FALSE(at.speaker.empty());
  CHECK(at.score == s);
  const auto over = g.identify(q, 2, above);
  CHECK(over.speaker.empty());
  CHECK(over.score == s);  // the best score is reported even when it is below the threshold
  CHECK(over.candidates.size() == 2);
  const std::string best = at.speaker;
  const auto v = g.verify(best, q, s);
  CHECK(v.accepted);
  CHECK(v.score == s);
  CHECK_FALSE(g.verify(best, q, above).accepted);
  CHECK_THROWS_WITH(g.identify(q, 2, std::numeric_limits<float>::quiet_NaN()), Contains("NaN"));
  CHECK_THROWS_AS(g.verify(best, q, std::numeric_limits<float>::quiet_NaN()), std::invalid_argument);
}

TEST_CASE("identify: top-k ordering, ties broken by name, top_k clamping", "[match][gallery]") {
  Gallery g("m", kSha, 3);
  // Scores against the query (1, 0, 0): far 0, mid 0.6, near 0.8, twin_b == twin_a == 1.
  g.add_sample("far", sample({0, 1, 0}));
  g.add_sample("twin_b", sample({5, 0, 0}));
  g.add_sample("mid", sample({3, 4, 0}));
  g.add_sample("near", sample({4, 3, 0}));
  g.add_sample("twin_a", sample({1, 0, 0}));
  const std::vector<float> q = {2, 0, 0};
  const auto r = g.identify(q, 10, 0.9f);
  REQUIRE(r.candidates.size() == 5);
  const std::vector<std::string> order = {"twin_a", "twin_b", "near", "mid", "far"};
  for (size_t i = 0; i < order.size(); ++i) CHECK(r.candidates[i].name == order[i]);
  for (size_t i = 1; i < r.candidates.size(); ++i) CHECK(r.candidates[i - 1].score >= r.candidates[i].score);
  CHECK(r.candidates[0].score == r.candidates[1].score);
  CHECK(r.speaker == "twin_a");
  CHECK(r.candidates[2].score == Approx(0.8f).epsilon(1e-6));
  CHECK(r.candidates[3].score == Approx(0.6f).epsilon(1e-6));
  CHECK(r.candidates[4].score == Approx(0.0f).margin(1e-7));

  const auto top2 = g.identify(q, 2, 0.9f);
  REQUIRE(top2.candidates.size() == 2);
  CHECK(top2.candidates[0].name == "twin_a");
  CHECK(top2.candidates[1].name == "twin_b");
  const auto top3 = g.identify(q, 3, 0.9f);
  REQUIRE(top3.candidates.size() == 3);
  CHECK(top3.candidates[2].name == "near");
  const auto none = g.identify(q, 0, 0.9f);
  CHECK(none.candidates.empty());
  CHECK(none.speaker == "twin_a");
  CHECK(none.score == r.score);
  // A near-miss query: the best is below the threshold, so unknown, but the candidates are still listed.
  const auto unk = g.identify({0, 0, 1}, 3, 0.1f);
  CHECK(unk.speaker.empty());
  CHECK(unk.candidates.size() == 3);
}

TEST_CASE("identify and verify reject bad queries and unknown names", "[match][gallery]") {
  Gallery g("m", kSha, 4);
  g.add_sample("alice", sample({1, 0, 0, 0}));
  CHECK_THROWS_WITH(g.identify({1, 0, 0}, 1, 0.5f), Contains("3 values"));
  CHECK_THROWS_WITH(g.identify({0, 0, 0, 0}, 1, 0.5f), Contains("all zeros"));
  CHECK_THROWS_WITH(g.identify({1, std::numeric_limits<float>::quiet_NaN(), 0, 0}, 1, 0.5f), Contains("NaN"));
  CHECK_THROWS_WITH(g.verify("bob", {1, 0, 0, 0}, 0.5f), Contains("unknown speaker 'bob'"));
  CHECK_THROWS_AS(g.verify("alice", {1, 0, 0, 0, 0}, 0.5f), std::invalid_argument);
  CHECK_THROWS_AS(g.samples("bob"), std::invalid_argument);
  CHECK_THROWS_AS(g.centroid("bob"), std::invalid_argument);
  const auto v = g.verify("alice", {3, 0, 0, 4}, 0.6f);
  CHECK(v.score == Approx(0.6f).epsilon(1e-6));
}

TEST_CASE("rename keeps samples and position; refuses missing source, existing or invalid target", "[match][gallery]") {
  Gallery g("m", kSha, 3);
  g.add_sample("a", sample({1, 0, 0}, 1.0f));
  g.add_sample("b", sample({0, 1, 0}, 2.0f));
  g.add_sample("c", sample({0, 0, 1}, 3.0f));
  g.rename("b", "bee");
  CHECK(names_of(g) == std::vector<std::string>{"a", "bee", "c"});
  CHECK_FALSE(g.contains("b"));
  CHECK(g.samples("bee")[0].duration_sec == 2.0f);
  CHECK(g.identify({0, 1, 0}, 1, 0.9f).speaker == "bee");
  CHECK(g.verify("bee", {0, 1, 0}, 0.9f).accepted);
  CHECK_THROWS_WITH(g.rename("b", "x"), Contains("unknown speaker 'b'"));
  CHECK_THROWS_WITH(g.rename("a", "c"), Contains("already exists"));
  CHECK_THROWS_AS(g.rename("a", ""), std::invalid_argument);
  CHECK_THROWS_AS(g.rename("a", "bad\x01"), std::invalid_argument);
  CHECK_THROWS_AS(g.rename("missing", "missing"), std::invalid_argument);
  CHECK_NOTHROW(g.rename("a", "a"));
  CHECK(names_of(g) == std::vector<std::string>{"a", "bee", "c"});
  // The old name is free again.
  g.add_sample("b", sample({1, 1, 0}));
  CHECK(g.size() == 4);
}

TEST_CASE("remove closes the gap and keeps every other centroid aligned; reset empties", "[match][gallery]") {
  Gallery g("m", kSha, 4);
  for (size_t i = 0; i < 4; ++i) g.add_sample("s" + std::to_string(i), sample(unit(4, i, float(i + 1))));
  CHECK(g.remove("s1"));
  CHECK_FALSE(g.remove("s1"));
  CHECK_FALSE(g.remove("nobody"));
  CHECK(names_of(g) == std::vector<std::string>{"s0", "s2", "s3"});
  CHECK(g.centroids().size() == 3 * 4);
  for (size_t i : {0u, 2u, 3u}) {
    const std::string name = "s" + std::to_string(i);
    CHECK(g.identify(unit(4, i), 1, 0.99f).speaker == name);
    CHECK(g.centroid(name) == unit(4, i));
  }
  CHECK(g.identify(unit(4, 1), 3, 0.5f).speaker.empty());
  g.add_sample("s1", sample(unit(4, 1)));
  CHECK(names_of(g) == std::vector<std::string>{"s0", "s2", "s3", "s1"});
  CHECK(g.identify(unit(4, 1), 1, 0.99f).speaker == "s1");

  g.reset();
  CHECK(g.empty());
  CHECK(g.speakers().empty());
  CHECK(g.centroids().empty());
  CHECK(g.dim() == 4);
  const auto r = g.identify(unit(4, 0), 5, -1.0f);
  CHECK(r.speaker.empty());
  CHECK(r.score == 0.0f);
  CHECK(r.candidates.empty());
  CHECK_THROWS_AS(g.verify("s0", unit(4, 0), 0.5f), std::invalid_argument);
}

TEST_CASE("speakers() lists enrollment order with totals and time range", "[match][gallery]") {
  Gallery g("m", kSha, 2);
  g.add_sample("z", sample({1, 0}, 2.0f, 1.5f, 300));
  g.add_sample("a", sample({0, 1}, 1.0f, 1.0f, 100));
  g.add_sample("z", sample({1, 1}, 4.0f, 3.0f, 200));
  const auto list = g.speakers();
  REQUIRE(list.size() == 2);
  CHECK(list[0].name == "z");
  CHECK(list[0].sample_count == 2);
  CHECK(list[0].total_duration_sec == Approx(6.0));
  CHECK(list[0].total_speech_sec == Approx(4.5));
  CHECK(list[0].first_created_at_ms == 200);
  CHECK(list[0].last_created_at_ms == 300);
  CHECK(list[1].name == "a");
  CHECK(list[1].sample_count == 1);
  // One speaker's entry, without the listing.
  const auto z = g.speaker("z");
  CHECK(z.name == "z");
  CHECK(z.sample_count == 2);
  CHECK(z.total_speech_sec == Approx(4.5));
  CHECK(z.first_created_at_ms == 200);
  CHECK_THROWS_WITH(g.speaker("nobody"), Contains("unknown speaker"));
}

TEST_CASE("add_speaker enrolls all samples at once and refuses duplicates or empty lists", "[match][gallery]") {
  Gallery g("m", kSha, 2);
  g.add_speaker("a", {sample({1, 0}), sample({0, 1})});
  CHECK(g.samples("a").size() == 2);
  CHECK(g.centroid("a")[0] == Approx(std::sqrt(0.5)).epsilon(1e-6));
  CHECK_THROWS_WITH(g.add_speaker("a", {sample({1, 0})}), Contains("already exists"));
  CHECK_THROWS_WITH(g.add_speaker("b", {}), Contains("no samples"));
  CHECK_THROWS_AS(g.add_speaker("b", {sample({1, 0}), sample({0, 0})}), std::invalid_argument);
  CHECK(g.size() == 1);
}

TEST_CASE("20k speakers x 192 dims: the right speaker wins", "[match][gallery][large]") {
  const size_t n = 20000, dim = 192;
  Gallery g("ecapa", kSha, dim);
  std::mt19937 rng(20000);
  std::vector<float> target;
  const size_t want = 12345;
  for (size_t i = 0; i < n; ++i) {
    auto e = random_vector(rng, dim);
    if (i == want) target = e;
    g.add_sample("spk" + std::to_string(i), sample(std::move(e)));
  }
  REQUIRE(g.size() == n);
  REQUIRE(g.centroids().size() == n * dim);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  auto q = target;
  for (float& x : q) x += noise(rng);
  const auto r = g.identify(q, 5, 0.82f);
  CHECK(r.speaker == "spk12345");
  CHECK(r.score > 0.9f);
  REQUIRE(r.candidates.size() == 5);
  CHECK(r.candidates[0].name == "spk12345");
  CHECK(r.candidates[1].score < 0.5f);  // random 192-d directions are nearly orthogonal
  // Removing a speaker early in the list keeps the index of the later ones right.
  CHECK(g.remove("spk7"));
  CHECK(g.identify(q, 1, 0.82f).speaker == "spk12345");
  CHECK(g.verify("spk12345", q, 0.82f).accepted);
}

TEST_CASE("the name rule refuses edge white space and bidirectional formatting characters", "[match][names]") {
  for (const char* bad : {" ann", "ann ", "\xc2\xa0" "ann", "ann\xe3\x80\x80", "   ", "\xe2\x80\xae" "evil",
                          "a\xe2\x81\xa6" "b", "\xe2\x80\x8f" "x"}) {
    INFO(bad);
    CHECK(code_of([&] { check_speaker_name(bad); }) == ErrorCode::kInvalidArgument);
  }
  CHECK_THAT(error_of([] { check_speaker_name(" a"); }), Contains("starts with white space"));
  CHECK_THAT(error_of([] { check_speaker_name("a\xe2\x80\xae"); }), Contains("bidirectional"));
  for (const char* good : {"ann", "Ann Lee", "Zo\xc3\xab \xe6\x9d\x8e", "a b\xc2\xa0" "c", "\xf0\x9f\x8e\xa4"}) {
    INFO(good);
    CHECK_NOTHROW(check_speaker_name(good));
  }
}

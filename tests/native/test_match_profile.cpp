// Profile blob (src/match/profile_format.h): CRC-32, layout, round trips, and refusal of every damaged,
// foreign or inconsistent blob without touching the target gallery.
#include <catch.hpp>

#include "error_of.h"

#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "match/crc32.h"
#include "match/gallery.h"
#include "match_fixtures.h"
#include "match/profile_format.h"

using namespace sid;

// The core throws (error.h); these give the reason as text, "" on success, as the assertions below compare it.
template <typename... A>
std::string import_error(Gallery& target, A&&... args) {
  return error_of([&] { sid::import_profiles(target, std::forward<A>(args)...); });
}
std::string decode_error(const uint8_t* data, size_t size, std::optional<Gallery>& out) {
  return error_of([&] { out = sid::decode_profiles(data, size); });
}
using sid::test::sample;
using Catch::Matchers::Contains;

namespace {

const std::string kSha = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";
const std::string kModel = "ecapa";  // 5 bytes: dim at 45, speaker count at 49, first speaker at 53
constexpr size_t kDimAt = 8 + 5 + 32, kCountAt = kDimAt + 4, kFirstSpeakerAt = kCountAt + 4;

Gallery make_gallery(size_t dim = 8) {
  Gallery g(kModel, kSha, dim);
  std::vector<float> e(dim);
  for (size_t s = 0; s < 3; ++s) {
    for (size_t i = 0; i < dim; ++i) e[i] = 0.1f * float(i + 1) * (s % 2 ? -1.0f : 1.0f) + float(s);
    g.add_sample(s == 1 ? "Zoë \xE6\x9D\x8E" : "spk" + std::to_string(s), sample(e, 3.25f, 2.0f, 1700000000123 + s));
  }
  e.assign(dim, 0.0f);
  e[0] = -1e-30f;  // denormal-ish tiny values survive bit-exactly
  e[dim - 1] = 3.4e38f;
  g.add_sample("spk0", sample(e, 0.0f, 0.0f, std::numeric_limits<int64_t>::min()));
  e[1] = 7.0f;
  g.add_sample("spk0", sample(e, 1e6f, 0.5f, std::numeric_limits<int64_t>::max()));
  return g;
}

void require_same(const Gallery& a, const Gallery& b) {
  REQUIRE(a.model_id() == b.model_id());
  REQUIRE(a.model_sha256() == b.model_sha256());
  REQUIRE(a.dim() == b.dim());
  const auto la = a.speakers(), lb = b.speakers();
  REQUIRE(la.size() == lb.size());
  for (size_t i = 0; i < la.size(); ++i) {
    REQUIRE(la[i].name == lb[i].name);
    const auto& sa = a.samples(la[i].name);
    const auto& sb = b.samples(lb[i].name);
    REQUIRE(sa.size() == sb.size());
    for (size_t k = 0; k < sa.size(); ++k) {
      REQUIRE(sa[k].embedding.size() == sb[k].embedding.size());
      CHECK(std::memcmp(sa[k].embedding.data(), sb[k].embedding.data(), sa[k].embedding.size() * 4) == 0);
      CHECK(sa[k].duration_sec == sb[k].duration_sec);
      CHECK(sa[k].speech_sec == sb[k].speech_sec);
      CHECK(sa[k].created_at_ms == sb[k].created_at_ms);
    }
  }
  CHECK(a.centroids() == b.centroids());
}

void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Recomputes the trailing CRC so that a deliberately inconsistent blob gets past the checksum.
void fix_crc(std::vector<uint8_t>& b) { put_u32(b, b.size() - 4, crc32(b.data(), b.size() - 4)); }

}  // namespace

TEST_CASE("crc32 is CRC-32/IEEE and chains", "[match][profile]") {
  CHECK(crc32("123456789", 9) == 0xCBF43926u);
  CHECK(crc32("", 0) == 0u);
  CHECK(crc32("The quick brown fox jumps over the lazy dog", 43) == 0x414FA339u);
  CHECK(crc32("6789", 4, crc32("12345", 5)) == 0xCBF43926u);
}

TEST_CASE("blob layout: magic, version, model id, raw sha256, dim, counts, checksum", "[match][profile]") {
  const Gallery g = make_gallery(8);
  const auto b = export_profiles(g);
  REQUIRE(b.size() > kMinProfileBlobSize);
  CHECK(std::memcmp(b.data(), "SIDP", 4) == 0);
  CHECK((b[4] | b[5] << 8) == kProfileFormatVersion);
  CHECK((b[6] | b[7] << 8) == 5);
  CHECK(std::string(b.begin() + 8, b.begin() + 13) == kModel);
  CHECK(b[13] == 0x00);
  CHECK(b[14] == 0x11);
  CHECK(b[13 + 31] == 0x10);
  CHECK(b[kDimAt] == 8);
  CHECK(b[kCountAt] == 3);
  CHECK(b[kFirstSpeakerAt] == 4);  // "spk0"
  // 3 speakers with 3 + 1 + 1 samples of 16 + 4 * 8 bytes.
  const size_t names = (1 + 4 + 4) + (1 + 8 + 4) + (1 + 4 + 4);  // "Zoë 李" is 8 bytes
  CHECK(b.size() == kFirstSpeakerAt + names + 5 * (16 + 32) + 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= uint32_t(b[b.size() - 4 + i]) << (8 * i);
  CHECK(stored == crc32(b.data(), b.size() - 4));
  Gallery empty(kModel, kSha, 8);
  CHECK(export_profiles(empty).size() == kFirstSpeakerAt + 4);
}

TEST_CASE("export -> import round trip is exact, and re-export is byte-identical", "[match][profile]") {
  const Gallery g = make_gallery(8);
  const auto blob = export_profiles(g);
  Gallery fresh(kModel, kSha, 8);
  REQUIRE(import_error(fresh, blob) == "");
  require_same(g, fresh);
  CHECK(export_profiles(fresh) == blob);
  const std::vector<float> q = {1, 1, 1, 1, 1, 1, 1, 1};
  CHECK(fresh.identify(q, 3, 0.5f).candidates.size() == 3);
  CHECK(fresh.identify(q, 3, 0.5f).score == g.identify(q, 3, 0.5f).score);

  std::optional<Gallery> decoded;
  REQUIRE(decode_error(blob.data(), blob.size(), decoded) == "");
  REQUIRE(decoded.has_value());
  require_same(g, *decoded);

  Gallery empty(kModel, kSha, 192);
  Gallery empty2(kModel, kSha, 192);
  REQUIRE(import_error(empty2, export_profiles(empty)) == "");
  CHECK(empty2.empty());
}

TEST_CASE("every truncation of a valid blob is refused and leaves the target unchanged", "[match][profile]") {
  const auto blob = export_profiles(make_gallery(8));
  Gallery target(kModel, kSha, 8);
  target.add_sample("keep", sample({1, 0, 0, 0, 0, 0, 0, 0}, 1, 1, 1));
  const auto before = export_profiles(target);
  size_t says_truncated = 0;
  for (size_t n = 0; n < blob.size(); ++n) {
    const std::string err = import_error(target, blob.data(), n);
    INFO("length " << n << ": " << err);
    REQUIRE_FALSE(err.empty());
    if (err.find("truncated") != std::string::npos) ++says_truncated;
    std::optional<Gallery> out;
    REQUIRE_FALSE(decode_error(blob.data(), n, out).empty());
    REQUIRE_FALSE(out.has_value());
  }
  CHECK(export_profiles(target) == before);
  CHECK(says_truncated * 2 > blob.size());  // mostly diagnosed as truncation, not just "bad checksum"
  CHECK_THAT(import_error(target, nullptr, 0), Contains("truncated"));
}

TEST_CASE("a single changed byte anywhere is refused (checksum)", "[match][profile]") {
  const auto blob = export_profiles(make_gallery(8));
  Gallery target(kModel, kSha, 8);
  target.add_sample("keep", sample({0, 1, 0, 0, 0, 0, 0, 0}, 1, 1, 1));
  const auto before = export_profiles(target);
  size_t says_checksum = 0;
  for (size_t i = 0; i < blob.size(); ++i) {
    for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
      auto bad = blob;
      bad[i] ^= mask;
      const std::string err = import_error(target, bad);
      INFO("byte " << i << " ^ " << int(mask) << ": " << err);
      REQUIRE_FALSE(err.empty());
      if (err.find("checksum") != std::string::npos) ++says_checksum;
    }
  }
  CHECK(export_profiles(target) == before);
  CHECK(says_checksum > blob.size());  // most are reported as checksum mismatches
  auto bad = blob;
  bad[kFirstSpeakerAt + 10] ^= 0x04;  // inside the first embedding
  CHECK_THAT(import_error(target, bad), Contains("checksum mismatch"));
}

TEST_CASE("bad magic and unknown versions are refused by name", "[match][profile]") {
  Gallery target(kModel, kSha, 8);
  auto blob = export_profiles(make_gallery(8));
  auto bad = blob;
  bad[0] = 'X';
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("magic"));
  const std::vector<uint8_t> text = {'{', '"', 'a', '"', ':', '1', '}'};
  CHECK_THAT(import_error(target, text), Contains("not a speaker-id profile"));
  bad = blob;
  bad[4] = 2;
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("unsupported profile format version 2"));
  bad[4] = 0;
  bad[5] = 1;
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("version 256"));
  CHECK(target.empty());
}

TEST_CASE("absurd counts, lengths and dimensions are refused before allocating", "[match][profile]") {
  Gallery target(kModel, kSha, 8);
  const auto blob = export_profiles(make_gallery(8));
  auto bad = blob;
  put_u32(bad, kCountAt, 0xFFFFFFFFu);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("4294967295 speakers"));
  bad = blob;
  put_u32(bad, kCountAt, 4);
  fix_crc(bad);
  CHECK_FALSE(import_error(target, bad).empty());
  bad = blob;
  put_u32(bad, kCountAt, 2);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("unexpected bytes"));
  bad = blob;
  put_u32(bad, kDimAt, 0);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("dimension 0"));
  bad = blob;
  put_u32(bad, kDimAt, 0x7FFFFFFFu);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("dimension 2147483647"));
  bad = blob;
  bad[kFirstSpeakerAt] = 0;  // name length 0
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("name of 0 bytes"));
  bad = blob;
  bad[kFirstSpeakerAt] = 200;
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("name of 200 bytes"));
  bad = blob;
  put_u32(bad, kFirstSpeakerAt + 1 + 4, 0x10000000u);  // spk0's sample count
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("268435456 samples"));
  bad = blob;
  put_u32(bad, kFirstSpeakerAt + 1 + 4, 0);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("no samples"));
  bad = blob;
  bad[6] = 0;
  bad[7] = 0;  // model id length 0
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("model id of 0 bytes"));
  bad = blob;
  bad.insert(bad.end() - 4, {1, 2, 3});
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("3 unexpected bytes"));
  CHECK(target.empty());
}

TEST_CASE("duplicate names, invalid names and invalid samples in a blob are refused", "[match][profile]") {
  Gallery src(kModel, kSha, 2);
  src.add_sample("aa", sample({1, 0}, 1, 1, 1));
  src.add_sample("ab", sample({0, 1}, 1, 1, 1));
  const auto blob = export_profiles(src);
  // First speaker: name length, "aa", sample count, one sample of 2 * 4 + 16 bytes; then the second name.
  const size_t second_name = kFirstSpeakerAt + (1 + 2 + 4 + (2 * 4 + 16)) + 1;
  REQUIRE(blob[second_name - 1] == 2);
  REQUIRE(blob[second_name + 1] == 'b');
  Gallery target(kModel, kSha, 2);
  target.add_sample("keep", sample({1, 1}, 1, 1, 1));
  const auto before = export_profiles(target);

  auto bad = blob;
  bad[second_name + 1] = 'a';
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("duplicate speaker name 'aa'"));
  std::optional<Gallery> out;
  CHECK_THAT(decode_error(bad.data(), bad.size(), out), Contains("duplicate"));
  CHECK_FALSE(out.has_value());

  bad = blob;
  bad[second_name + 1] = '\n';
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("control character"));
  bad = blob;
  bad[second_name + 1] = 0xFF;
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("UTF-8"));

  // First speaker's embedding: 2 floats right after its sample count.
  const size_t emb = kFirstSpeakerAt + 1 + 2 + 4;
  bad = blob;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&bad[emb], &nan, 4);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("'aa'") && Contains("NaN"));
  bad = blob;
  std::memset(&bad[emb], 0, 8);
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("all zeros"));
  bad = blob;
  const float neg = -1.0f;
  std::memcpy(&bad[emb + 8], &neg, 4);  // duration
  fix_crc(bad);
  CHECK_THAT(import_error(target, bad), Contains("duration"));
  CHECK(export_profiles(target) == before);
}

TEST_CASE("profiles of another model are refused with both models named", "[match][profile]") {
  const auto blob = export_profiles(make_gallery(8));
  Gallery other("resemblyzer", std::string(64, 'b'), 8);
  other.add_sample("keep", sample({1, 0, 0, 0, 0, 0, 0, 0}, 1, 1, 1));
  const auto before = export_profiles(other);
  const std::string err = import_error(other, blob);
  CHECK_THAT(err, Contains("'ecapa'") && Contains("'resemblyzer'"));
  CHECK(export_profiles(other) == before);
  // The same model (sha256, dim) under another id is the same model: its profiles are taken.
  Gallery relabelled("my-ecapa", kSha, 8);
  import_profiles(relabelled, blob);
  CHECK(relabelled.size() == make_gallery(8).size());

  const std::string sha2(64, 'e');
  Gallery retrained(kModel, sha2, 8);
  CHECK_THAT(import_error(retrained, blob), Contains(std::string(kSha).substr(0, 12)) && Contains(sha2.substr(0, 12)));
  CHECK(retrained.empty());

  Gallery wrong_dim(kModel, kSha, 4);
  CHECK_THAT(import_error(wrong_dim, blob), Contains("dim 8") && Contains("dim 4"));
  CHECK(wrong_dim.empty());
}

TEST_CASE("replace and merge imports; a refused merge changes nothing", "[match][profile]") {
  const Gallery g = make_gallery(8);
  const auto blob = export_profiles(g);
  const std::vector<float> e = {0, 0, 0, 0, 0, 0, 0, 1};

  Gallery replaced(kModel, kSha, 8);
  replaced.add_sample("old", sample(e, 1, 1, 1));
  REQUIRE(import_error(replaced, blob, ImportMode::kReplace) == "");
  require_same(g, replaced);
  CHECK_FALSE(replaced.contains("old"));

  Gallery merged(kModel, kSha, 8);
  merged.add_sample("old", sample(e, 1, 1, 1));
  REQUIRE(import_error(merged, blob, ImportMode::kMerge) == "");
  CHECK(merged.size() == 4);
  CHECK(merged.speakers()[0].name == "old");
  CHECK(merged.samples("spk0").size() == 3);
  CHECK(merged.centroid("spk2") == g.centroid("spk2"));
  CHECK(merged.identify(e, 1, 0.99f).speaker == "old");

  Gallery clash(kModel, kSha, 8);
  clash.add_sample("spk2", sample(e, 1, 1, 1));
  clash.add_sample("mine", sample(e, 1, 1, 1));
  const auto before = export_profiles(clash);
  CHECK_THAT(import_error(clash, blob, ImportMode::kMerge), Contains("'spk2'"));
  CHECK(export_profiles(clash) == before);
}

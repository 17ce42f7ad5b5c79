#include "match/profile_format.h"

#include "error.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "match/crc32.h"
#include "match/speaker_name.h"

namespace sid {

namespace {

constexpr char kMagic[4] = {'S', 'I', 'D', 'P'};
constexpr size_t kShaBytes = 32;

// ---- writing ----

class Writer {
 public:
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void i64(int64_t v) { le(static_cast<uint64_t>(v), 8); }
  void f32(float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    u32(u);
  }
  std::vector<uint8_t>& out() { return out_; }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

// ---- reading ----

// Bounds-checked little-endian reader over [data, data + size). Every read first checks the bytes remain.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), size_(size) {}
  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  bool has(size_t n) const { return n <= remaining(); }
  const uint8_t* take(size_t n) {  // caller checked has(n)
    const uint8_t* r = p_ + pos_;
    pos_ += n;
    return r;
  }
  uint64_t le(size_t n) {
    const uint8_t* b = take(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return v;
  }
  float f32() {
    const uint32_t u = static_cast<uint32_t>(le(4));
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }

 private:
  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
};

struct ParsedSpeaker {
  std::string name;
  std::vector<Sample> samples;
};

struct ParsedBlob {
  std::string model_id;
  std::string model_sha256;  // hex
  size_t dim = 0;
  std::vector<ParsedSpeaker> speakers;
};

std::string truncated(const Reader& r, const char* what, size_t need) {
  return "profile blob is truncated: " + std::string(what) + " at byte " + std::to_string(r.offset()) + " needs " +
         std::to_string(need) + " bytes but only " + std::to_string(r.remaining()) + " remain";
}

// Parses the body (everything before the checksum). With `keep` false only the structure is walked (used to
// tell truncation from corruption when the checksum fails); nothing is stored and nothing is allocated.
std::string parse_body(const uint8_t* data, size_t size, bool keep, ParsedBlob& blob) {
  Reader r(data, size);
  if (!r.has(8)) return truncated(r, "header", 8);
  r.take(4);  // magic, checked by the caller
  r.le(2);    // version, checked by the caller
  const size_t id_len = static_cast<size_t>(r.le(2));
  if (id_len == 0 || id_len > kMaxModelIdBytes)
    return "profile blob has a model id of " + std::to_string(id_len) + " bytes; expected 1.." +
           std::to_string(kMaxModelIdBytes);
  if (!r.has(id_len)) return truncated(r, "model id", id_len);
  const uint8_t* id = r.take(id_len);
  if (!r.has(kShaBytes + 8)) return truncated(r, "model sha256, dimension and speaker count", kShaBytes + 8);
  const uint8_t* sha = r.take(kShaBytes);
  const uint64_t dim = r.le(4);
  if (dim == 0 || dim > kMaxEmbeddingDim)
    return "profile blob has embedding dimension " + std::to_string(dim) + "; expected 1.." +
           std::to_string(kMaxEmbeddingDim);
  const uint64_t speaker_count = r.le(4);
  const uint64_t sample_bytes = 4 * dim + 16;
  const uint64_t min_speaker_bytes = 1 + 1 + 4 + sample_bytes;  // 1-byte name, one sample
  if (speaker_count > r.remaining() / min_speaker_bytes)
    return "profile blob claims " + std::to_string(speaker_count) + " speakers but holds only " +
           std::to_string(r.remaining()) + " bytes for them (truncated or corrupted)";
  if (keep) {
    blob.model_id.assign(reinterpret_cast<const char*>(id), id_len);
    blob.model_sha256 = to_hex(sha, kShaBytes);
    blob.dim = static_cast<size_t>(dim);
    blob.speakers.reserve(static_cast<size_t>(speaker_count));
  }
  for (uint64_t s = 0; s < speaker_count; ++s) {
    const std::string which = "speaker " + std::to_string(s);
    if (!r.has(1)) return truncated(r, (which + " name length").c_str(), 1);
    const size_t name_len = static_cast<size_t>(r.le(1));
    if (name_len == 0 || name_len > kMaxSpeakerNameBytes)
      return "profile blob: " + which + " has a name of " + std::to_string(name_len) + " bytes; expected 1.." +
             std::to_string(kMaxSpeakerNameBytes);
    if (!r.has(name_len + 4)) return truncated(r, (which + " name and sample count").c_str(), name_len + 4);
    const uint8_t* name = r.take(name_len);
    const uint64_t sample_count = r.le(4);
    if (sample_count == 0) return "profile blob: " + which + " has no samples";
    if (sample_count > r.remaining() / sample_bytes)
      return "profile blob: " + which + " claims " + std::to_string(sample_count) + " samples of " +
             std::to_string(sample_bytes) + " bytes but only " + std::to_string(r.remaining()) +
             " bytes remain (truncated or corrupted)";
    if (!keep) {
      r.take(static_cast<size_t>(sample_count * sample_bytes));
      continue;
    }
    ParsedSpeaker sp;
    sp.name.assign(reinterpret_cast<const char*>(name), name_len);
    sp.samples.resize(static_cast<size_t>(sample_count));
    for (Sample& smp : sp.samples) {
      smp.embedding.resize(static_cast<size_t>(dim));
      for (float& v : smp.embedding) v = r.f32();
      smp.duration_sec = r.f32();
      smp.speech_sec = r.f32();
      smp.created_at_ms = static_cast<int64_t>(r.le(8));
    }
    blob.speakers.push_back(std::move(sp));
  }
  if (r.remaining() != 0)
    return "profile blob has " + std::to_string(r.remaining()) + " unexpected bytes after the last speaker (at byte " +
           std::to_string(r.offset()) + ")";
  return {};
}

// Magic, version, structure and checksum; on success `blob` holds the parsed content (not yet validated).
std::string parse_blob(const uint8_t* data, size_t size, ParsedBlob& blob) {
  if (data == nullptr && size != 0) return "profile blob is null";
  if (size < 4 || std::memcmp(data, kMagic, 4) != 0) {
    if (size < 4 && (size == 0 || std::memcmp(data, kMagic, size) == 0))
      return "profile blob is truncated: " + std::to_string(size) + " bytes, the smallest valid blob has " +
             std::to_string(kMinProfileBlobSize);
    return "not a speaker-id profile blob (magic is not \"SIDP\")";
  }
  if (size < 6)
    return "profile blob is truncated: " + std::to_string(size) + " bytes, the smallest valid blob has " +
           std::to_string(kMinProfileBlobSize);
  const uint16_t version = static_cast<uint16_t>(data[4] | (data[5] << 8));
  if (version != kProfileFormatVersion)
    return "unsupported profile format version " + std::to_string(version) + " (this build reads version " +
           std::to_string(kProfileFormatVersion) + ")";
  if (size < kMinProfileBlobSize)
    return "profile blob is truncated: " + std::to_string(size) + " bytes, the smallest valid blob has " +
           std::to_string(kMinProfileBlobSize);
  const size_t body = size - 4;
  const uint32_t stored = static_cast<uint32_t>(data[body]) | (static_cast<uint32_t>(data[body + 1]) << 8) |
                          (static_cast<uint32_t>(data[body + 2]) << 16) |
                          (static_cast<uint32_t>(data[body + 3]) << 24);
  const uint32_t computed = crc32(data, body);
  if (stored != computed) {
    // Tell a cut-off blob from a modified one when the structure makes it obvious.
    ParsedBlob ignored;
    const std::string structural = parse_body(data, body, false, ignored);
    if (!structural.empty()) return structural + " (and the checksum does not match)";
    char buf[96];
    std::snprintf(buf, sizeof buf, " (stored CRC-32 %08x, computed %08x)", stored, computed);
    return "profile blob checksum mismatch: the blob is corrupted or was modified" + std::string(buf);
  }
  return parse_body(data, body, true, blob);
}

}  // namespace

std::vector<uint8_t> export_profiles(const Gallery& g) {
  Writer w;
  w.bytes(kMagic, 4);
  w.u16(kProfileFormatVersion);
  w.u16(static_cast<uint16_t>(g.model_id().size()));
  w.bytes(g.model_id().data(), g.model_id().size());
  const std::string& hex = g.model_sha256();
  for (size_t i = 0; i < kShaBytes; ++i)
    w.u8(static_cast<uint8_t>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1])));
  w.u32(static_cast<uint32_t>(g.dim()));
  const std::vector<SpeakerInfo> speakers = g.speakers();
  w.u32(static_cast<uint32_t>(speakers.size()));
  for (const SpeakerInfo& info : speakers) {
    w.u8(static_cast<uint8_t>(info.name.size()));
    w.bytes(info.name.data(), info.name.size());
    const std::vector<Sample>& samples = g.samples(info.name);
    w.u32(static_cast<uint32_t>(samples.size()));
    for (const Sample& s : samples) {
      for (float v : s.embedding) w.f32(v);
      w.f32(s.duration_sec);
      w.f32(s.speech_sec);
      w.i64(s.created_at_ms);
    }
  }
  const uint32_t crc = crc32(w.out().data(), w.out().size());
  w.u32(crc);
  return std::move(w.out());
}

namespace {

// Builds a gallery from parsed content, validating every name and sample; the error names the speaker.
Gallery build(ParsedBlob&& blob) {
  auto invalid = [](const std::string& why) { return Error(ErrorCode::kInvalidProfile, why); };
  std::optional<Gallery> g;
  try {
    g.emplace(blob.model_id, blob.model_sha256, blob.dim);
  } catch (const Error& e) {
    throw invalid(std::string("profile blob: ") + e.what());
  }
  for (ParsedSpeaker& sp : blob.speakers) {
    try {
      check_speaker_name(sp.name);
    } catch (const Error& e) {
      throw invalid(std::string("profile blob: ") + e.what());
    }
    if (g->contains(sp.name)) throw invalid("profile blob has duplicate speaker name '" + sp.name + "'");
    try {
      g->add_speaker(sp.name, std::move(sp.samples));
    } catch (const Error& e) {
      throw invalid("profile blob: speaker '" + sp.name + "': " + e.what());
    }
  }
  return std::move(*g);
}

ParsedBlob parse_or_throw(const uint8_t* data, size_t size) {
  ParsedBlob blob;
  const std::string err = parse_blob(data, size, blob);
  if (!err.empty()) throw Error(ErrorCode::kInvalidProfile, err);
  return blob;
}

}  // namespace

Gallery decode_profiles(const uint8_t* data, size_t size) { return build(parse_or_throw(data, size)); }

void import_profiles(Gallery& target, const uint8_t* data, size_t size, ImportMode mode) {
  ParsedBlob blob = parse_or_throw(data, size);
  // Refuse another model before validating (or allocating for) its speakers.
  target.check_model(blob.model_id, blob.model_sha256, blob.dim);
  Gallery incoming = build(std::move(blob));
  if (mode == ImportMode::kReplace) {
    target = std::move(incoming);
    return;
  }
  for (const SpeakerInfo& info : incoming.speakers())
    if (target.contains(info.name))
      throw Error(ErrorCode::kSpeakerExists,
                  "cannot merge: speaker '" + info.name + "' exists both in the gallery and in the profiles");
  Gallery merged = target;
  for (const SpeakerInfo& info : incoming.speakers()) merged.add_speaker(info.name, incoming.samples(info.name));
  target = std::move(merged);
}

}  // namespace sid

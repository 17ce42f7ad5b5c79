// Versioned binary export / import of a Gallery ("profile blob"), the format every storage adapter persists
// and exportProfiles()/importProfiles() exchange (DESIGN.md, "Storage adapters").
//
// Layout, version 1. All integers and floats little-endian; floats are IEEE-754 binary32 bit patterns.
//
//   offset  size         field
//   0       4            magic "SIDP"
//   4       2   u16      format version (= kProfileFormatVersion)
//   6       2   u16      model id length L (1..kMaxModelIdBytes)
//   8       L            model id, UTF-8 (no control characters)
//   8+L     32           model manifest sha256 as 32 RAW bytes (the gallery API uses the 64-hex-digit form)
//   40+L    4   u32      embedding dimension D (1..kMaxEmbeddingDim)
//   44+L    4   u32      speaker count S
//   then S speakers, in the gallery's enrollment order:
//           1   u8       name length N (1..kMaxSpeakerNameBytes)
//           N            name, UTF-8 (rules of check_speaker_name)
//           4   u32      sample count C (>= 1)
//           C samples of 16 + 4*D bytes each:
//                4*D f32 embedding (raw, as enrolled), f32 duration_sec, f32 speech_sec, i64 created_at_ms
//   end-4   4   u32      CRC-32 (IEEE, see crc32.h) of every byte before it
//
// Import validates everything with bounds checks and throws a one-line kInvalidProfile error (error.h), never crashes:
// too short / truncated, bad magic, unknown version, checksum mismatch (corrupted or tampered), absurd
// lengths and counts (every count is checked against the bytes actually present before anything is
// allocated), trailing bytes, invalid names, duplicate speaker names, bad embeddings (NaN/inf/zero). A model other
// than the target gallery's is kModelMismatch (the message names both), a merge clash kSpeakerExists. An import that fails leaves the
// target gallery exactly as it was: the result is built aside and swapped in only on success.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "match/gallery.h"

namespace sid {

constexpr uint16_t kProfileFormatVersion = 1;
// Size of the smallest well-formed blob (1-byte model id, no speakers, checksum included).
constexpr size_t kMinProfileBlobSize = 4 + 2 + 2 + 1 + 32 + 4 + 4 + 4;

// Serialises the whole gallery (model, dimension, every speaker and sample, in enrollment order).
std::vector<uint8_t> export_profiles(const Gallery& gallery);

// Decodes a blob into a new gallery carrying the blob's own model id, sha256 and dimension.
Gallery decode_profiles(const uint8_t* data, size_t size);

enum class ImportMode {
  kReplace,  // the target's speakers are replaced by the blob's
  kMerge,    // the blob's speakers are added; a name present in both refuses the whole import
};

// Imports a blob into `target`, which must use the same model (id and sha256) and dimension as the blob.
// On failure (it throws) `target` is unchanged.
void import_profiles(Gallery& target, const uint8_t* data, size_t size, ImportMode mode = ImportMode::kReplace);
inline void import_profiles(Gallery& target, const std::vector<uint8_t>& blob, ImportMode mode = ImportMode::kReplace) {
  import_profiles(target, blob.data(), blob.size(), mode);
}

}  // namespace sid

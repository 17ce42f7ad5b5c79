// libFuzzer entry point for the profile blob reader (match/profile_format.h), which parses untrusted bytes
// (`import-profiles`, the HTTP import route). Build and run (seeded with real exports, see tests/fuzz/README.md):
//   cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DSID_FUZZERS=ON
//   cmake --build build/fuzz --target fuzz_profile_blob && build/fuzz/fuzz_profile_blob CORPUS_DIR -runs=10000000
// Invariants on every input: decoding returns a gallery or throws sid::Error (kInvalidProfile, one non-empty line),
// nothing else; a decoded blob re-exports to exactly the input bytes; importing it into a gallery of the same model
// succeeds, and into one of another model throws kModelMismatch and leaves that gallery unchanged.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "match/crc32.h"
#include "match/gallery.h"
#include "match/profile_format.h"

namespace {

void check_error(const sid::Error& e, sid::ErrorCode want) {
  const std::string why = e.what();
  if (e.code() != want || why.empty() || why.find('\n') != std::string::npos) std::abort();
}

void check_blob(const uint8_t* data, size_t size) {
  std::optional<sid::Gallery> g;
  try {
    g.emplace(sid::decode_profiles(data, size));
  } catch (const sid::Error& e) {
    check_error(e, sid::ErrorCode::kInvalidProfile);
    return;
  }
  const std::vector<uint8_t> again = sid::export_profiles(*g);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();

  sid::Gallery same(g->model_id(), g->model_sha256(), g->dim());
  sid::import_profiles(same, data, size);  // must not throw
  if (same.size() != g->size()) std::abort();

  const std::string other_sha(64, g->model_sha256()[0] == 'f' ? 'e' : 'f');
  sid::Gallery other(g->model_id(), other_sha, g->dim());
  try {
    sid::import_profiles(other, data, size);
    std::abort();
  } catch (const sid::Error& e) {
    check_error(e, sid::ErrorCode::kModelMismatch);
  }
  if (!other.empty()) std::abort();
}

}  // namespace

// Each input is tried as it is and with its last 4 bytes replaced by the right CRC-32: random bytes almost never
// carry a valid checksum, and the second form reaches the validation behind it (names, counts, embeddings).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_blob(data, size);
  if (size >= 8) {
    std::vector<uint8_t> fixed(data, data + size);
    const uint32_t crc = sid::crc32(fixed.data(), size - 4);
    for (int i = 0; i < 4; ++i) fixed[size - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
    check_blob(fixed.data(), fixed.size());
  }
  return 0;
}

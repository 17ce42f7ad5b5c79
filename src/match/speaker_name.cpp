#include "match/speaker_name.h"

#include <cstdint>

#include "error.h"

namespace sid {

namespace {

std::string at(size_t offset) { return " at byte " + std::to_string(offset); }

// Unicode White_Space (without the controls, refused anyway).
bool is_space(uint32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) and the implicit marks (LRM, RLM, ALM).
bool is_bidi_control(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
         cp == 0x061C;
}

// Why `name` is not acceptable, or empty.
std::string name_problem(const std::string& name) {
  if (name.empty()) return "speaker name is empty";
  if (name.size() > kMaxSpeakerNameBytes)
    return "speaker name is " + std::to_string(name.size()) + " bytes long; the limit is " +
           std::to_string(kMaxSpeakerNameBytes) + " bytes of UTF-8";
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    uint32_t cp = 0;
    size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      cp = c & 0x1Fu;
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cp = c & 0x0Fu;
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cp = c & 0x07u;
      len = 4;
    } else {
      return "speaker name is not valid UTF-8 (bad lead byte" + at(i) + ")";
    }
    if (i + len > n) return "speaker name is not valid UTF-8 (truncated sequence" + at(i) + ")";
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0u) != 0x80u) return "speaker name is not valid UTF-8 (bad continuation byte" + at(i + k) + ")";
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
      return "speaker name is not valid UTF-8 (overlong encoding" + at(i) + ")";
    if (cp >= 0xD800 && cp <= 0xDFFF) return "speaker name is not valid UTF-8 (surrogate code point" + at(i) + ")";
    if (cp > 0x10FFFF) return "speaker name is not valid UTF-8 (code point above U+10FFFF" + at(i) + ")";
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
      return "speaker name contains a control character" + at(i);
    if (is_bidi_control(cp))
      return "speaker name contains a bidirectional formatting character" + at(i) +
             " (it would display differently from what it is)";
    if (i == 0 && is_space(cp)) return "speaker name starts with white space";
    if (i + len == n && is_space(cp)) return "speaker name ends with white space";
    i += len;
  }
  return {};
}

}  // namespace

void check_speaker_name(const std::string& name) {
  const std::string why = name_problem(name);
  if (!why.empty()) throw Error(ErrorCode::kInvalidArgument, why);
}

}  // namespace sid

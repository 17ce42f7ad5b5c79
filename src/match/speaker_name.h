// Validation of speaker names, shared by the gallery and the profile importer.
#pragma once
#include <cstddef>
#include <string>

namespace sid {

// Longest accepted speaker name, in bytes of UTF-8.
constexpr size_t kMaxSpeakerNameBytes = 128;

// Checks a speaker name: 1..kMaxSpeakerNameBytes bytes of well-formed UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF) with no control characters (U+0000..U+001F, U+007F, U+0080..U+009F).
// Returns an empty string when the name is acceptable, otherwise a one-line reason naming the problem.
std::string speaker_name_error(const std::string& name);

}  // namespace sid

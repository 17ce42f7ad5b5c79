// Validation of speaker names, shared by the gallery and the profile importer.
#pragma once
#include <cstddef>
#include <string>

namespace sid {

// Longest accepted speaker name, in bytes of UTF-8.
constexpr size_t kMaxSpeakerNameBytes = 128;

// Checks a speaker name: 1..kMaxSpeakerNameBytes bytes of well-formed UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF) with no control characters (U+0000..U+001F, U+007F, U+0080..U+009F).
// Returns when the name is acceptable, otherwise throws kInvalidArgument (error.h) with a one-line reason.
void check_speaker_name(const std::string& name);

}  // namespace sid

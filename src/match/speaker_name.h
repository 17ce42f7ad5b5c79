// Validation of speaker names, shared by the gallery and the profile importer.
#pragma once
#include <cstddef>
#include <string>

namespace sid {

// Longest accepted speaker name, in bytes of UTF-8.
constexpr size_t kMaxSpeakerNameBytes = 128;

// The speaker name rule (the same everywhere: API, CLI, every store, the profile format):
//  - 1..kMaxSpeakerNameBytes bytes of well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF);
//  - no control characters (U+0000..U+001F, U+007F, U+0080..U+009F) and no bidirectional formatting characters
//    (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C), which make a name display as another;
//  - no white space (Unicode White_Space) at the start or the end, so "ann" and "ann " are not two speakers and a
//    name of only spaces is refused;
//  - in Unicode NFC: the JS layer normalises names to NFC before they reach the core and refuses a profile blob
//    whose names are not (this file has no Unicode tables), so "Zoë" typed as e + U+0308 is the same speaker.
// Returns when the name is acceptable, otherwise throws kInvalidArgument (error.h) with a one-line reason.
void check_speaker_name(const std::string& name);

}  // namespace sid

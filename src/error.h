// The core's one error model. Every failure anywhere in src/ is reported the same way: a thrown sid::Error with a
// machine-readable code and a one-line message that says what was wrong and what is accepted. Nothing returns an
// error string, an ok flag or an {ok, error} pair.
//
// - Codes are the JS error codes (web/src/errors.mjs): the bindings pass `code_name(code)` across and JS picks its
//   typed error class by that code, never by message text, so wording is free to improve.
// - sid::Error derives from std::invalid_argument, so code that only needs "this input was refused" can catch that.
//   Anything else that escapes (std::bad_alloc, a bug) is reported by the bindings as kInternal.
// - A throwing call changes nothing: objects passed in or called on are as they were before the call (each header
//   says how, where it matters).
#pragma once
#include <stdexcept>
#include <string>

namespace sid {

enum class ErrorCode {
  kInvalidAudio,     // undecodable or unusable audio (malformed WAV, unsupported format, bad rate, empty)
  kInvalidArgument,  // an argument out of range or malformed (names, options, dimensions, thresholds)
  kUnknownSpeaker,   // no enrolled speaker has that name
  kSpeakerExists,    // a speaker of that name already exists (rename target, merge import)
  kModelMismatch,    // profiles or a gallery of another embedding model
  kInvalidProfile,   // a profile blob that is corrupted, tampered with, truncated or not a blob
  kInternal,         // a failure that is not the caller's input (allocation, a library call that must not fail)
};

// "invalid_audio", "invalid_argument", "unknown_speaker", "speaker_exists", "model_mismatch", "invalid_profile",
// "internal".
const char* code_name(ErrorCode code);

class Error : public std::invalid_argument {
 public:
  Error(ErrorCode code, const std::string& message) : std::invalid_argument(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace sid

#include "error.h"

namespace sid {

const char* code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidAudio: return "invalid_audio";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kUnknownSpeaker: return "unknown_speaker";
    case ErrorCode::kSpeakerExists: return "speaker_exists";
    case ErrorCode::kModelMismatch: return "model_mismatch";
    case ErrorCode::kInvalidProfile: return "invalid_profile";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace sid

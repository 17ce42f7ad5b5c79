#include "audio/webrtc_vad.h"

#include "error.h"

#include <stdexcept>
#include <string>

#include "common_audio/vad/include/webrtc_vad.h"

namespace sid {

WebRtcVad::WebRtcVad(int mode) : inst_(nullptr) {
  if (mode < 0 || mode > 3)
    throw Error(ErrorCode::kInvalidArgument, "WebRtcVad: mode must be 0..3, got " + std::to_string(mode));
  VadInst* vad = WebRtcVad_Create();
  if (vad == nullptr) throw Error(ErrorCode::kInternal, "WebRtcVad: WebRtcVad_Create failed");
  if (WebRtcVad_Init(vad) != 0 || WebRtcVad_set_mode(vad, mode) != 0) {
    WebRtcVad_Free(vad);
    throw Error(ErrorCode::kInternal, "WebRtcVad: initialisation failed");
  }
  inst_ = vad;
}

WebRtcVad::~WebRtcVad() { WebRtcVad_Free(static_cast<VadInst*>(inst_)); }

bool WebRtcVad::is_speech(const int16_t* frame, size_t length, int sample_rate) {
  if (frame == nullptr && length != 0) throw Error(ErrorCode::kInvalidArgument, "WebRtcVad: null frame");
  if (WebRtcVad_ValidRateAndFrameLength(sample_rate, length) != 0)
    throw Error(ErrorCode::kInvalidArgument, "WebRtcVad: invalid frame (" + std::to_string(length) + " samples at " +
                                std::to_string(sample_rate) +
                                " Hz); frames must be 10, 20 or 30 ms at 8, 16, 32 or 48 kHz");
  const int r = WebRtcVad_Process(static_cast<VadInst*>(inst_), sample_rate, frame, length);
  if (r < 0) throw Error(ErrorCode::kInternal, "WebRtcVad: WebRtcVad_Process failed");
  return r == 1;
}

}  // namespace sid

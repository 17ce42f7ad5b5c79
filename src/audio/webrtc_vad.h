// RAII wrapper over the WebRTC voice activity detector (C sources fetched from Debian, see src/third_party).
#pragma once
#include <cstddef>
#include <cstdint>

namespace sid {

class WebRtcVad {
 public:
  explicit WebRtcVad(int mode = 3);  // aggressiveness 0..3; throws std::invalid_argument otherwise
  ~WebRtcVad();
  WebRtcVad(const WebRtcVad&) = delete;
  WebRtcVad& operator=(const WebRtcVad&) = delete;
  // One 10/20/30 ms frame at 8/16/32/48 kHz. Throws std::invalid_argument on another length or rate.
  bool is_speech(const int16_t* frame, size_t length, int sample_rate);

 private:
  void* inst_;
};

}  // namespace sid

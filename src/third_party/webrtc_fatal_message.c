/* WebRTC's RTC_CHECK/RTC_DCHECK in C files call rtc_FatalMessage, which lives in rtc_base/checks.cc (C++, pulls in
 * absl). The VAD only reaches it on a broken invariant (the caller validates frame length and rate first), so a
 * plain abort is the right behaviour and keeps absl out of the build. */
#include <stdlib.h>

void rtc_FatalMessage(const char* file, int line, const char* msg) {
  (void)file;
  (void)line;
  (void)msg;
  abort();
}

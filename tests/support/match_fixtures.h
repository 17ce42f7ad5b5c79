// Shared fixtures for the src/match tests.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "match/gallery.h"

namespace sid::test {

inline Sample sample(std::vector<float> e, float dur = 3.0f, float speech = 2.5f, int64_t at = 1700000000000) {
  Sample s;
  s.embedding = std::move(e);
  s.duration_sec = dur;
  s.speech_sec = speech;
  s.created_at_ms = at;
  return s;
}

}  // namespace sid::test

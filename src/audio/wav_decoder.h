// WAV (RIFF/RIFX-free, little-endian RIFF only) decoding to interleaved float32.
// Accepts PCM 8 (unsigned) / 16 / 24 / 32-bit integer, IEEE float 32 / 64, 1-8 channels, WAVE_FORMAT_EXTENSIBLE
// (PCM or float sub-format), unknown chunks skipped, odd-sized chunks padded. Malformed input never crashes and
// never reads out of bounds: it throws a one-line reason saying what is wrong and what is accepted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "audio/resampler.h"

namespace sid {

struct DecodedAudio {
  int sample_rate = 0;
  int channels = 0;
  int bits_per_sample = 0;
  bool is_float = false;
  std::vector<float> samples;  // interleaved, frames() * channels values; integer PCM scaled by 1 / 2^(bits-1)
  size_t frames() const { return channels > 0 ? samples.size() / static_cast<size_t>(channels) : 0; }
};

// Limits that reject absurd headers before any allocation.
constexpr int kWavMaxChannels = 8;
// Rates: what the resampler takes (audio/resampler.h), so a file the decoder accepts is one the pipeline can use.
constexpr int kWavMinRate = kResampleMinRate;
constexpr int kWavMaxRate = kResampleMaxRate;

// Throws kInvalidAudio (error.h) with "invalid WAV: <reason>; accepted: ..." for anything it cannot decode.
DecodedAudio decode_wav(const uint8_t* data, size_t size);

}  // namespace sid

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

// Where a WAV file's samples are, from its first bytes: what long recordings are cut into windows with, without
// decoding (or holding) the whole file. Frames are those present in a file of `total_size` bytes, as decode_wav
// counts them.
struct WavLayout {
  int sample_rate = 0;
  int channels = 0;
  int container_bits = 0;  // bits per sample as stored (8, 16, 24, 32, 64)
  int valid_bits = 0;
  bool is_float = false;
  size_t block_align = 0;  // bytes per frame
  size_t data_offset = 0;  // of the first sample, from the start of the file
  size_t frames = 0;
};

// `prefix`: the first `prefix_size` bytes of a file of `total_size` bytes. Throws kInvalidAudio as decode_wav does,
// also when the chunks before the samples do not fit in the prefix ("... span more than the N bytes read").
WavLayout probe_wav(const uint8_t* prefix, size_t prefix_size, size_t total_size);

}  // namespace sid

// libFuzzer entry point for the WAV decoder. Build e.g.:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_wav_decoder.cpp \
//     src/audio/wav_decoder.cpp src/audio/downmix.cpp src/error.cpp -o fuzz_wav_decoder && ./fuzz_wav_decoder -max_len=4096
// Checks the decoder's invariants on every input: it returns sane shapes or throws sid::Error (kInvalidAudio, one
// non-empty line), never anything else, and never reads out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audio/downmix.h"
#include "audio/wav_decoder.h"
#include "error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sid::DecodedAudio a;
  try {
    a = sid::decode_wav(data, size);
  } catch (const sid::Error& e) {
    const std::string why = e.what();
    if (e.code() != sid::ErrorCode::kInvalidAudio || why.empty() || why.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  {
    if (a.channels < 1 || a.channels > sid::kWavMaxChannels) std::abort();
    if (a.sample_rate < sid::kWavMinRate || a.sample_rate > sid::kWavMaxRate) std::abort();
    if (a.samples.size() % static_cast<size_t>(a.channels) != 0) std::abort();
    if (a.samples.size() > size) std::abort();  // at least one byte per sample
    const auto mono = sid::downmix_to_mono(a.samples.data(), a.frames(), a.channels);
    if (mono.size() != a.frames()) std::abort();
  }
  return 0;
}

// libFuzzer entry point for the WAV decoder. Build e.g.:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_wav_decoder.cpp \
//     src/audio/wav_decoder.cpp src/audio/downmix.cpp -o fuzz_wav_decoder && ./fuzz_wav_decoder -max_len=4096
// Checks the decoder's invariants on every input: ok <=> empty error, sane shapes, no out-of-bounds reads.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "audio/downmix.h"
#include "audio/wav_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const sid::WavDecodeResult r = sid::decode_wav(data, size);
  if (r.ok) {
    const auto& a = r.audio;
    if (!r.error.empty()) std::abort();
    if (a.channels < 1 || a.channels > sid::kWavMaxChannels) std::abort();
    if (a.sample_rate < sid::kWavMinRate || a.sample_rate > sid::kWavMaxRate) std::abort();
    if (a.samples.size() % static_cast<size_t>(a.channels) != 0) std::abort();
    if (a.samples.size() > size) std::abort();  // at least one byte per sample
    const auto mono = sid::downmix_to_mono(a.samples.data(), a.frames(), a.channels);
    if (mono.size() != a.frames()) std::abort();
  } else {
    if (r.error.empty() || !r.audio.samples.empty()) std::abort();
  }
  return 0;
}

// Downmix interleaved multi-channel audio to mono by the mean of the channels (what librosa and SpeechBrain do).
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

std::vector<float> downmix_to_mono(const float* interleaved, size_t frames, int channels);

}  // namespace sid

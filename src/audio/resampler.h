// Band-limited sample-rate conversion to (typically) 16 kHz: polyphase Kaiser-windowed sinc.
// Quality (measured by tests/native/test_resampler.cpp, documented in docs of the header's .cpp):
// passband ripple and stopband attenuation are asserted there with sines and sweeps.
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

constexpr int kResampleMinRate = 8000;
constexpr int kResampleMaxRate = 192000;

// Resamples mono `input` from `in_rate` to `out_rate` (both in [kResampleMinRate, kResampleMaxRate]).
// Output length is ceil(n * out_rate / in_rate) (librosa's fix_length convention); equal rates copy.
// Throws std::invalid_argument on a rate outside the range.
std::vector<float> resample(const float* input, size_t n, int in_rate, int out_rate);

namespace detail {
// resample() with a choice of kernel path, for tests: force_interpolated = true computes the taps of every output
// sample from the finely sampled kernel (the path used automatically when the per-phase table would be huge).
std::vector<float> resample_impl(const float* input, size_t n, int in_rate, int out_rate, bool force_interpolated);
}  // namespace detail

}  // namespace sid

// Band-limited sample-rate conversion to (typically) 16 kHz: polyphase Kaiser-windowed sinc.
//
// Design: cutoff 0.95 x the lower Nyquist, Kaiser beta 10, half-width 64 samples of the lower rate (128 zero
// crossings); zero delay (output k = band-limited input at time k * in / out, as soxr / librosa / resample_poly);
// per-phase tap table, or for a huge L (e.g. 8001 -> 16000) a 1024-steps-per-sample phase table with linear blending.
// Quality (lower rate f_low; prototype response computed in float64, and measured on the float32 implementation
// by tests/native/test_resampler.cpp):
//   passband:  ripple +-0.0001 dB up to 0.45 f_low (0.9 x Nyquist); measured sine gain error <= 0.00006 dB and phase
//              error <= 1e-7 rad for 8/11.025/22.05/32/44.1/48/96/192 kHz -> 16 kHz; -0.02 dB at 0.455 f_low,
//              -3 dB at ~0.472 f_low (7.55 kHz for 16 kHz output).
//   stopband:  >= 99.5 dB attenuation from 0.5 f_low (the lower Nyquist) on; measured leak of tones 8 kHz .. in/2
//              into 16 kHz <= -100.8 dB (worst at 22.05 kHz input, just above 8 kHz); upsampling images +
//              noise <= -110 dB; residual (aliases + images + float32 noise) next to a passband sine <= -109 dB.
//   DC gain 1 (every phase normalised to unit sum). Speed: 10 s of 44.1 kHz -> 16 kHz in ~10 ms natively (x86-64,
//   g++ -O3, one core; ~34 ms as wasm -O3 -msimd128 under Node 20); 55 s of 8001 Hz -> 16 kHz (interpolated
//   path) ~40 ms natively.
//   dev12 downmix (44.1 kHz) -> 16 kHz vs other resamplers of the same downmix (float64 comparison, 45920 samples):
//     scipy resample_poly(160, 441): max |d| 2.4e-3, SNR 39.6 dB (59.4 dB with both low-passed at 7 kHz);
//     torchaudio Resample(44100, 16000) defaults: max |d| 3.6e-3, SNR 36.8 dB (43.8 dB <= 7 kHz: torchaudio's
//     Hann width-6 kernel is -1.8 dB at 7 kHz). The differences sit in the 6-8 kHz band edges of the filters.
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

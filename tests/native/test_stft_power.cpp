// PowerStft vs a direct float64 DFT, framing / padding conventions, windows, tiny inputs.
#include <catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "features/stft_power.h"

using sid::PowerStft;
using sid::Window;

namespace {

const double kTwoPi = 6.283185307179586476925286766559;

double window_value(Window w, int i, int n) {
  return w == Window::kHannPeriodic ? 0.5 - 0.5 * std::cos(kTwoPi * i / n) : 0.54 - 0.46 * std::cos(kTwoPi * i / n);
}

// Reference: centred frames (n_fft/2 zeros each side), 1 + n/hop frames, direct DFT in float64.
std::vector<double> reference_power(const std::vector<float>& x, int n_fft, int hop, Window w) {
  const size_t n = x.size();
  const size_t frames = 1 + n / hop;
  const int bins = n_fft / 2 + 1;
  std::vector<double> out(frames * bins);
  std::vector<double> fr(n_fft);
  for (size_t t = 0; t < frames; ++t) {
    for (int i = 0; i < n_fft; ++i) {
      const long j = static_cast<long>(t) * hop - n_fft / 2 + i;
      fr[i] = (j >= 0 && j < static_cast<long>(n)) ? x[j] * window_value(w, i, n_fft) : 0.0;
    }
    for (int k = 0; k < bins; ++k) {
      double re = 0, im = 0;
      for (int i = 0; i < n_fft; ++i) {
        const double a = kTwoPi * static_cast<double>((static_cast<long>(k) * i) % n_fft) / n_fft;
        re += fr[i] * std::cos(a);
        im -= fr[i] * std::sin(a);
      }
      out[t * bins + k] = re * re + im * im;
    }
  }
  return out;
}

std::vector<float> random_signal(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, 0.3f);
  std::vector<float> x(n);
  for (auto& v : x) v = d(rng);
  return x;
}

}  // namespace

TEST_CASE("PowerStft matches a float64 DFT on random signals", "[stft]") {
  for (Window w : {Window::kHannPeriodic, Window::kHammingPeriodic}) {
    PowerStft stft(400, 160, w);
    for (size_t n : {size_t(0), size_t(1), size_t(150), size_t(199), size_t(200), size_t(201), size_t(399),
                     size_t(400), size_t(401), size_t(1000), size_t(1759), size_t(3200)}) {
      const auto x = random_signal(n, static_cast<unsigned>(n) + 7u);
      const auto got = stft.compute(x.data(), x.size());
      const auto ref = reference_power(x, 400, 160, w);
      REQUIRE(stft.frames(n) == 1 + n / 160);
      REQUIRE(got.size() == ref.size());
      REQUIRE(got.size() == stft.frames(n) * 201);
      // float32 FFT error is relative to the frame's energy: compare each frame against its largest bin.
      const size_t frames = stft.frames(n);
      for (size_t t = 0; t < frames; ++t) {
        double fmax = 0;
        for (int k = 0; k < 201; ++k) fmax = std::max(fmax, ref[t * 201 + k]);
        double err = 0;
        for (int k = 0; k < 201; ++k) err = std::max(err, std::fabs(got[t * 201 + k] - ref[t * 201 + k]));
        INFO("window " << int(w) << " n " << n << " frame " << t << " max " << fmax << " err " << err);
        CHECK(err <= 2e-6 * fmax + 1e-30);
      }
    }
  }
}

TEST_CASE("PowerStft centring and periodic windows (impulse response)", "[stft]") {
  // A unit impulse at sample j: frame t sees it at offset i = j - (t*hop - n_fft/2), power = w[i]^2 in every bin.
  for (Window w : {Window::kHannPeriodic, Window::kHammingPeriodic}) {
    PowerStft stft(400, 160, w);
    std::vector<float> x(1000, 0.f);
    const long j = 437;
    x[j] = 1.f;
    const auto p = stft.compute(x.data(), x.size());
    for (size_t t = 0; t < stft.frames(x.size()); ++t) {
      const long i = j - (static_cast<long>(t) * 160 - 200);
      const double expect = (i >= 0 && i < 400) ? std::pow(window_value(w, static_cast<int>(i), 400), 2) : 0.0;
      for (int k = 0; k < 201; k += 40) CHECK(p[t * 201 + k] == Approx(expect).margin(1e-7).epsilon(1e-5));
    }
  }
  // The periodic window's value at i = n_fft/2 is exactly 1 (Hann) / 1 (Hamming), and at i = 0 is 0 / 0.08:
  // an impulse at the centre of frame 1 (sample 160) gives power 1.
  PowerStft hann(400, 160, Window::kHannPeriodic);
  std::vector<float> x(400, 0.f);
  x[160] = 1.f;
  auto p = hann.compute(x.data(), x.size());
  CHECK(p[1 * 201 + 0] == Approx(1.0).epsilon(1e-6));
  CHECK(p[0 * 201 + 0] == Approx(std::pow(0.5 - 0.5 * std::cos(kTwoPi * 360 / 400), 2)).epsilon(1e-5));
}

TEST_CASE("PowerStft tiny inputs: frames = 1 + n/hop, zero padding, never crashes", "[stft]") {
  // librosa 0.10 (center=True, pad_mode="constant") warns for n < n_fft but returns 1 + n//hop frames of the
  // zero-padded signal; torch.stft(center=True, pad_mode="constant") behaves the same. n = 0: we return a single
  // all-zero frame (upstream would reject an empty signal; a silent zero frame is the safe answer here).
  PowerStft stft(400, 160, Window::kHannPeriodic);
  auto p0 = stft.compute(nullptr, 0);
  REQUIRE(p0.size() == 201);
  for (float v : p0) CHECK(v == 0.f);
  std::vector<float> one = {0.5f};
  auto p1 = stft.compute(one.data(), 1);
  REQUIRE(p1.size() == 201);
  // Sample 0 sits at the centre of frame 0 (window value 1): flat spectrum 0.25.
  for (float v : p1) CHECK(v == Approx(0.25f).epsilon(1e-6));
  std::vector<float> x(159, 0.1f);
  CHECK(stft.compute(x.data(), x.size()).size() == 201);
  x.resize(160, 0.1f);
  CHECK(stft.compute(x.data(), x.size()).size() == 2 * 201);
}

TEST_CASE("PowerStft rejects invalid sizes", "[stft]") {
  CHECK_THROWS(PowerStft(401, 160, Window::kHannPeriodic));
  CHECK_THROWS(PowerStft(400, 0, Window::kHannPeriodic));
  PowerStft small(16, 4, Window::kHammingPeriodic);
  CHECK(small.bins() == 9);
  std::vector<float> x(37, 1.f);
  CHECK(small.compute(x.data(), x.size()).size() == (1 + 37 / 4) * 9);
}

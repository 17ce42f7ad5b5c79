// Structural checks of the two filterbanks and of the sparse apply.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "features/mel_filterbank.h"

using sid::MelFilterbank;

namespace {

double slaney_hz_to_mel(double f) {
  return f < 1000.0 ? f / (200.0 / 3.0) : 15.0 + std::log(f / 1000.0) / (std::log(6.4) / 27.0);
}
double slaney_mel_to_hz(double m) {
  return m < 15.0 ? m * (200.0 / 3.0) : 1000.0 * std::exp((m - 15.0) * std::log(6.4) / 27.0);
}

}  // namespace

TEST_CASE("Slaney mel filterbank (librosa filters.mel, 40 bands)", "[mel]") {
  const auto fb = MelFilterbank::slaney(16000, 400, 40, 0.f, 8000.f);
  REQUIRE(fb.n_mels() == 40);
  REQUIRE(fb.bins() == 201);
  const auto d = fb.dense();
  REQUIRE(d.size() == 40 * 201);
  const double top = slaney_hz_to_mel(8000.0);
  for (int m = 0; m < 40; ++m) {
    const double f0 = slaney_mel_to_hz(top * m / 41), f1 = slaney_mel_to_hz(top * (m + 1) / 41),
                 f2 = slaney_mel_to_hz(top * (m + 2) / 41);
    const double enorm = 2.0 / (f2 - f0);
    double area = 0;
    for (int k = 0; k < 201; ++k) {
      const double f = 40.0 * k;
      const double w = d[m * 201 + k];
      CHECK(w >= 0.0);
      // Asymmetric triangle from f0 through the apex f1 to f2, scaled by the Slaney area norm 2 / (f2 - f0).
      const double tri = std::max(0.0, std::min((f - f0) / (f1 - f0), (f2 - f) / (f2 - f1)));
      CHECK(w == Approx(tri * enorm).margin(1e-9).epsilon(1e-5));
      area += w * 40.0;
    }
    // Unit area in Hz (sampled on the 40 Hz bin grid: exact for wide filters, approximate for the narrow ones).
    INFO("band " << m << " area " << area);
    CHECK(area == Approx(1.0).epsilon(m < 6 ? 0.35 : 0.05));
  }
  // Below 1 kHz the Slaney scale is linear: band centres evenly spaced.
  CHECK(slaney_mel_to_hz(top * 2 / 41) - slaney_mel_to_hz(top * 1 / 41) ==
        Approx(slaney_mel_to_hz(top * 3 / 41) - slaney_mel_to_hz(top * 2 / 41)));
}

TEST_CASE("SpeechBrain filterbank (80 bands, symmetric triangles in Hz, peak 1)", "[mel]") {
  const auto fb = MelFilterbank::speechbrain(16000, 400, 80, 0.f, 8000.f);
  REQUIRE(fb.n_mels() == 80);
  REQUIRE(fb.bins() == 201);
  const auto d = fb.dense();
  const double mel_top = 2595.0 * std::log10(1.0 + 8000.0 / 700.0);
  auto hz = [&](int i) { return 700.0 * (std::pow(10.0, mel_top * i / 81.0 / 2595.0) - 1.0); };
  for (int m = 0; m < 80; ++m) {
    const double fc = hz(m + 1), band = hz(m + 1) - hz(m);
    double peak = 0;
    for (int k = 0; k < 201; ++k) {
      const double f = 40.0 * k;
      const double w = d[m * 201 + k];
      CHECK(w >= 0.0);
      CHECK(w <= 1.0);
      // Symmetric in Hz, half-width = gap to the left neighbour (right foot at fc + band, not the next centre).
      CHECK(w == Approx(std::max(0.0, 1.0 - std::fabs(f - fc) / band)).margin(2e-4));
      peak = std::max(peak, w);
    }
    // Peak 1 at the centre (bins are 40 Hz apart, so the largest sample is 1 - distance/band).
    double nearest = 1e9;
    for (int k = 0; k < 201; ++k) nearest = std::min(nearest, std::fabs(40.0 * k - fc));
    CHECK(peak == Approx(std::max(0.0, 1.0 - nearest / band)).margin(2e-4));
  }
  // A wide high band: exactly symmetric weights around its centre where the bins mirror.
  // Band 79: its right foot lies beyond the previous band's centre spacing (fc + band > next centre is impossible
  // here, but fc + band != hz(81) in general).
  CHECK(hz(80) + (hz(80) - hz(79)) < hz(81));
}

TEST_CASE("sparse apply equals the dense matmul", "[mel]") {
  std::mt19937 rng(3);
  std::exponential_distribution<float> e(1.0f);
  for (const auto& fb : {MelFilterbank::slaney(16000, 400, 40, 0.f, 8000.f),
                         MelFilterbank::speechbrain(16000, 400, 80, 0.f, 8000.f),
                         MelFilterbank::slaney(16000, 512, 64, 20.f, 7600.f),
                         MelFilterbank::speechbrain(8000, 256, 23, 0.f, 4000.f)}) {
    const size_t frames = 37;
    const int bins = fb.bins();
    std::vector<float> p(frames * bins);
    for (auto& v : p) v = e(rng) * 100.f;
    const auto got = fb.apply(p, frames);
    const auto d = fb.dense();
    REQUIRE(got.size() == frames * fb.n_mels());
    for (size_t t = 0; t < frames; ++t)
      for (int m = 0; m < fb.n_mels(); ++m) {
        double ref = 0;
        for (int k = 0; k < bins; ++k) ref += static_cast<double>(d[m * bins + k]) * p[t * bins + k];
        CHECK(got[t * fb.n_mels() + m] == Approx(ref).epsilon(1e-5).margin(1e-6));
      }
  }
}

TEST_CASE("filterbank argument checks", "[mel]") {
  CHECK_THROWS(MelFilterbank::slaney(16000, 400, 0, 0.f, 8000.f));
  CHECK_THROWS(MelFilterbank::speechbrain(16000, 400, 80, 8000.f, 100.f));
  const auto fb = MelFilterbank::slaney(16000, 400, 40, 0.f, 8000.f);
  CHECK_THROWS(fb.apply(std::vector<float>(100), 1));
  CHECK(fb.apply({}, 0).empty());
}

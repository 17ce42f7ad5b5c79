// Resemblyzer mel (librosa melspectrogram, 40 Slaney mels) vs golden mel.npy, from golden preprocessed.npy.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "features/mel_filterbank.h"
#include "features/stft_power.h"
#include "golden.h"

using namespace sid;

TEST_CASE("Resemblyzer mel matches the golden for every 16 kHz mono file", "[resemblyzer][golden]") {
  const auto fb = MelFilterbank::slaney(16000, 400, 40, 0.f, 8000.f);
  PowerStft stft(400, 160, Window::kHannPeriodic);
  double worst = 0;
  for (const auto& id : test::golden_ids_16k_mono()) {
    std::vector<float> wav = test::golden_array(id, "resemblyzer", "preprocessed").as_float();
    const auto slices = test::golden_array(id, "resemblyzer", "slices");
    const auto sl = slices.as_int();
    REQUIRE(slices.shape.size() == 2);
    REQUIRE(slices.shape[1] == 4);
    const size_t stop = static_cast<size_t>(sl[(slices.shape[0] - 1) * 4 + 3]);
    if (stop >= wav.size()) wav.resize(stop, 0.f);
    const auto gold = test::golden_array(id, "resemblyzer", "mel");
    const auto g = gold.as_float();
    const size_t frames = stft.frames(wav.size());
    REQUIRE(gold.shape.size() == 2);
    REQUIRE(gold.shape[0] == frames);
    REQUIRE(gold.shape[1] == 40);
    const auto mel = fb.apply(stft.compute(wav.data(), wav.size()), frames);
    REQUIRE(mel.size() == g.size());
    double gmax = 0, err = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      gmax = std::max(gmax, std::fabs(static_cast<double>(g[i])));
      err = std::max(err, std::fabs(static_cast<double>(mel[i]) - g[i]));
    }
    const double ratio = err / gmax;
    worst = std::max(worst, ratio);
    std::printf("resemblyzer mel %-40s frames %5zu max|mel| %.4g max|d| %.3g ratio %.3g\n", id.c_str(), frames, gmax,
                err, ratio);
    INFO(id << " max|d| " << err << " max|mel| " << gmax);
    CHECK(ratio <= 1e-5);
  }
  std::printf("resemblyzer mel worst ratio %.3g (tolerance 1e-5)\n", worst);
}

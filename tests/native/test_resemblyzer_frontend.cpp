// End to end Resemblyzer front-end from golden raw.npy: preprocessed, slices, mel and the partials batch.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "golden.h"
#include "pipeline/resemblyzer_frontend.h"

using namespace sid;

TEST_CASE("Resemblyzer front-end matches the golden stages", "[resemblyzer][golden]") {
  for (const auto& id : test::golden_ids_16k_mono()) {
    INFO(id);
    const std::vector<float> raw = test::golden_array(id, "resemblyzer", "raw").as_float();
    const auto f = resemblyzer_frontend(raw);

    const auto pre = test::golden_array(id, "resemblyzer", "preprocessed").as_float();
    REQUIRE(f.vad.trimmed.size() == pre.size());
    double perr = 0;
    for (size_t i = 0; i < pre.size(); ++i) perr = std::max(perr, std::fabs(double(f.vad.trimmed[i]) - pre[i]));
    CHECK(perr <= 1e-6);

    const auto sl = test::golden_array(id, "resemblyzer", "slices");
    const auto s = sl.as_int();
    REQUIRE(f.slices.size() == sl.shape[0]);
    for (size_t i = 0; i < f.slices.size(); ++i) {
      CHECK(f.slices[i].mel_start == s[i * 4 + 0]);
      CHECK(f.slices[i].mel_stop == s[i * 4 + 1]);
      CHECK(f.slices[i].wav_start == s[i * 4 + 2]);
      CHECK(f.slices[i].wav_stop == s[i * 4 + 3]);
    }

    const auto gm = test::golden_array(id, "resemblyzer", "mel");
    const auto g = gm.as_float();
    REQUIRE(f.mel_frames == gm.shape[0]);
    REQUIRE(f.mel.size() == g.size());
    double gmax = 0, err = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      gmax = std::max(gmax, std::fabs(double(g[i])));
      err = std::max(err, std::fabs(double(f.mel[i]) - g[i]));
    }
    std::printf("resemblyzer frontend %-40s preprocessed max|d| %.3g mel ratio %.3g\n", id.c_str(), perr,
                err / gmax);
    CHECK(err <= 1e-5 * gmax);

    // partials = mel rows [mel_start, mel_stop) of each slice.
    REQUIRE(f.partials.size() == f.slices.size() * 160 * 40);
    for (size_t p = 0; p < f.slices.size(); ++p)
      for (size_t r = 0; r < 160; ++r)
        for (size_t m = 0; m < 40; ++m)
          REQUIRE(f.partials[(p * 160 + r) * 40 + m] == f.mel[(f.slices[p].mel_start + r) * 40 + m]);
  }
}

TEST_CASE("Resemblyzer front-end on silence and very short input does not crash", "[resemblyzer]") {
  for (size_t n : {size_t(0), size_t(100), size_t(480), size_t(16000)}) {
    const auto f = resemblyzer_frontend(std::vector<float>(n, 0.f));
    CHECK(f.mel.size() == f.mel_frames * 40);
    CHECK(f.partials.size() == f.slices.size() * 160 * 40);
  }
}

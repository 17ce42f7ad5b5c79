// SpeechBrain Fbank(n_mels=80) + sentence mean normalisation vs golden fbank.npy / fbank_norm.npy, from raw.npy.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "golden.h"
#include "pipeline/ecapa_frontend.h"

using namespace sid;

TEST_CASE("ECAPA fbank and fbank_norm match the golden for every 16 kHz mono file", "[ecapa][golden]") {
  double worst_fb = 0, worst_norm = 0;
  for (const auto& id : test::golden_ids_16k_mono()) {
    const std::vector<float> wav = test::golden_array(id, "resemblyzer", "raw").as_float();
    const auto f = ecapa_frontend(wav);
    for (const char* name : {"fbank", "fbank_norm"}) {
      const auto gold = test::golden_array(id, "ecapa", name);
      REQUIRE(gold.shape.size() == 2);
      REQUIRE(gold.shape[0] == f.frames);
      REQUIRE(gold.shape[1] == kEcapaMels);
      REQUIRE(f.frames == 1 + wav.size() / 160);
      const auto g = gold.as_float();
      const auto& mine = std::string(name) == "fbank" ? f.fbank : f.fbank_norm;
      REQUIRE(mine.size() == g.size());
      double err = 0;
      size_t at = 0;
      for (size_t i = 0; i < g.size(); ++i) {
        const double d = std::fabs(static_cast<double>(mine[i]) - g[i]);
        if (d > err) err = d, at = i;
      }
      std::printf("ecapa %-10s %-40s frames %5zu max|d| %.3g dB (frame %zu band %zu)\n", name, id.c_str(), f.frames,
                  err, at / kEcapaMels, at % kEcapaMels);
      (std::string(name) == "fbank" ? worst_fb : worst_norm) =
          std::max(std::string(name) == "fbank" ? worst_fb : worst_norm, err);
      INFO(id << " " << name << " max|d| " << err);
      CHECK(err <= 0.02);
    }
  }
  std::printf("ecapa worst: fbank %.3g dB, fbank_norm %.3g dB (tolerance 0.02)\n", worst_fb, worst_norm);
}

TEST_CASE("ECAPA front-end on empty, tiny and silent input", "[ecapa]") {
  for (size_t n : {size_t(0), size_t(1), size_t(159), size_t(160), size_t(4000)}) {
    const auto f = ecapa_frontend(std::vector<float>(n, 0.f));
    REQUIRE(f.frames == 1 + n / 160);
    REQUIRE(f.fbank.size() == f.frames * kEcapaMels);
    REQUIRE(f.fbank_norm.size() == f.frames * kEcapaMels);
    for (float v : f.fbank) CHECK(v == Approx(-100.0f));  // 10*log10(1e-10)
    for (float v : f.fbank_norm) CHECK(v == 0.0f);
  }
}

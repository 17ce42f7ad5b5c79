// Resemblyzer volume normalisation vs the golden manifest scalars.
#include <catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "audio/volume.h"
#include "golden.h"

namespace {

struct LevelRow {
  const char* id;
  double rms_dbfs;  // manifest.json files[].resemblyzer.scalars.rms_dBFS
  double gain_db;   // manifest.json files[].resemblyzer.scalars.gain_dB_applied
};

// Copied from shared/golden/manifest.json (upstream float32 computation, printed as float64).
const LevelRow kLevels[] = {
    {"dev01_test-other_1688-142285-0003", -21.5901021314251, 0.0},
    {"dev02_test-other_2033-164914-0001", -25.283473481414866, 0.0},
    {"dev03_test-other_3080-5032-0002", -22.30382320455945, 0.0},
    {"dev04_test-other_367-130732-0000", -33.202330833335594, 3.202330833335594},
    {"dev05_train-clean-100_1034-121119-0000", -22.724920348447462, 0.0},
    {"dev06_train-clean-100_1081-125237-0000", -18.72892637840515, 0.0},
    {"dev07_sb-ASR_spk1_snt1", -32.79781847695247, 2.7978184769524717},
    {"dev08_sb-ASR_spk2_snt1", -23.622555243245586, 0.0},
    {"dev09_synth_short_0p6s", -28.709310630320786, 0.0},
    {"dev10_synth_silence_gap", -27.30670158629858, 0.0},
    {"dev11_synth_quiet_-45dBFS", -45.00038515999236, 15.000385159992362},
};

std::vector<float> raw(const std::string& id) { return sid::test::golden_array(id, "resemblyzer", "raw").as_float(); }

}  // namespace

TEST_CASE("normalize_volume: level and gain match the manifest for every golden file", "[volume]") {
  for (const auto& row : kLevels) {
    INFO(row.id);
    std::vector<float> wav = raw(row.id);
    const std::vector<float> before = wav;
    const sid::VolumeChange vc = sid::normalize_volume(wav);
    // Same float32 rms as upstream -> the float64 dBFS agrees to the last few bits.
    CHECK(vc.rms_dbfs == Approx(row.rms_dbfs).epsilon(0).margin(1e-12));
    CHECK(vc.gain_db == Approx(row.gain_db).epsilon(0).margin(1e-12));
    if (row.gain_db == 0.0) {
      CHECK(wav == before);  // loud files are untouched, bit for bit
    } else {
      const float factor = static_cast<float>(std::pow(10.0, row.gain_db / 20.0));
      bool all = true;
      for (size_t i = 0; i < wav.size(); ++i) all = all && wav[i] == before[i] * factor;
      CHECK(all);
    }
  }
}

TEST_CASE("normalize_volume: dev04 is raised to -30 dBFS, dev11 by +15.0 dB", "[volume]") {
  {
    std::vector<float> wav = raw("dev04_test-other_367-130732-0000");
    const auto vc = sid::normalize_volume(wav);
    CHECK(vc.gain_db == Approx(3.202330833335594).margin(1e-12));
    std::vector<float> again = wav;
    const auto vc2 = sid::normalize_volume(again);
    CHECK(vc2.rms_dbfs == Approx(-30.0).margin(1e-5));
  }
  {
    std::vector<float> wav = raw("dev11_synth_quiet_-45dBFS");
    const auto vc = sid::normalize_volume(wav);
    CHECK(vc.gain_db == Approx(15.0).margin(1e-3));
    CHECK(vc.gain_db == Approx(15.000385159992362).margin(1e-12));
  }
}

TEST_CASE("normalize_volume: increase only, custom targets", "[volume]") {
  std::vector<float> wav(1600);
  for (size_t i = 0; i < wav.size(); ++i) wav[i] = 0.5f * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
  const std::vector<float> before = wav;
  // ~ -9 dBFS: louder than -30, untouched.
  auto vc = sid::normalize_volume(wav);
  CHECK(vc.gain_db == 0.0);
  CHECK(vc.rms_dbfs == Approx(20 * std::log10(0.5 / std::sqrt(2.0))).margin(0.01));
  CHECK(wav == before);
  // Decreasing is allowed when increase_only is false.
  vc = sid::normalize_volume(wav, -20.0, false);
  CHECK(vc.gain_db < 0.0);
  std::vector<float> check = wav;
  CHECK(sid::normalize_volume(check, -20.0, false).rms_dbfs == Approx(-20.0).margin(1e-4));
}

TEST_CASE("normalize_volume: silence and empty input are left untouched without NaN/inf", "[volume]") {
  std::vector<float> zeros(16000, 0.0f);
  const auto vc = sid::normalize_volume(zeros);
  CHECK(vc.gain_db == 0.0);
  CHECK(std::isinf(vc.rms_dbfs));
  CHECK(vc.rms_dbfs < 0);
  for (float v : zeros) REQUIRE(v == 0.0f);

  std::vector<float> empty;
  const auto ve = sid::normalize_volume(empty);
  CHECK(ve.gain_db == 0.0);
  CHECK(empty.empty());

  // One non-zero sample among zeros: a finite, very large gain, still finite samples.
  std::vector<float> tiny(16000, 0.0f);
  tiny[100] = 1.0f / 32768.0f;
  const auto vt = sid::normalize_volume(tiny);
  CHECK(std::isfinite(vt.gain_db));
  CHECK(vt.gain_db > 0);
  for (float v : tiny) REQUIRE(std::isfinite(v));
}

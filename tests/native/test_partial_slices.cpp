// Resemblyzer compute_partial_slices vs the golden slice tables, plus edge cases.
#include <catch.hpp>

#include <stdexcept>
#include <vector>

#include "golden.h"
#include "pipeline/partial_slices.h"

TEST_CASE("compute_partial_slices matches every golden slices.npy", "[partial_slices][golden]") {
  for (const auto& id : sid::test::golden_ids_16k_mono()) {
    INFO(id);
    const auto pre = sid::test::golden_array(id, "resemblyzer", "preprocessed");
    const auto table = sid::test::golden_array(id, "resemblyzer", "slices");
    REQUIRE(table.dtype == "<i4");
    REQUIRE(table.shape.size() == 2);
    REQUIRE(table.shape[1] == 4);
    const std::vector<int32_t> v = table.as_int();
    const auto slices = sid::compute_partial_slices(pre.size());
    REQUIRE(slices.size() == table.shape[0]);
    for (size_t p = 0; p < slices.size(); ++p) {
      INFO("slice " << p);
      CHECK(slices[p].mel_start == v[4 * p + 0]);
      CHECK(slices[p].mel_stop == v[4 * p + 1]);
      CHECK(slices[p].wav_start == v[4 * p + 2]);
      CHECK(slices[p].wav_stop == v[4 * p + 3]);
    }
  }
}

TEST_CASE("compute_partial_slices edge cases", "[partial_slices]") {
  // n = 0: one slice [0, 160) (a single slice is always kept).
  auto s = sid::compute_partial_slices(0);
  REQUIRE(s.size() == 1);
  CHECK(s[0].mel_start == 0);
  CHECK(s[0].mel_stop == 160);
  CHECK(s[0].wav_start == 0);
  CHECK(s[0].wav_stop == 25600);

  // Very short (0.6 s, golden dev09: 9120 samples): one slice.
  s = sid::compute_partial_slices(9120);
  REQUIRE(s.size() == 1);
  CHECK(s[0].wav_stop == 25600);

  // n_frames = ceil((n+1)/160); steps = n_frames - 160 + 77 + 1 = n_frames - 82.
  // A second slice (start 77) exists once steps > 77, i.e. n_frames >= 160 -> n >= 159*160 = 25440.
  CHECK(sid::compute_partial_slices(25439).size() == 1);
  // n = 25440: second slice starts at 12320, coverage (25440-12320)/25600 = 0.5125 < 0.75 -> dropped.
  CHECK(sid::compute_partial_slices(25440).size() == 1);
  // Coverage boundary of the second slice: (n - 12320) / 25600 >= 0.75 <=> n >= 12320 + 19200 = 31520.
  CHECK(sid::compute_partial_slices(31519).size() == 1);
  s = sid::compute_partial_slices(31520);  // exactly 0.75: kept (only < drops)
  REQUIRE(s.size() == 2);
  CHECK(s[1].mel_start == 77);
  CHECK(s[1].mel_stop == 237);
  CHECK(s[1].wav_start == 12320);
  CHECK(s[1].wav_stop == 37920);

  // Starts are 0, 77, 154, ...
  s = sid::compute_partial_slices(160000);
  for (size_t p = 0; p < s.size(); ++p) {
    CHECK(s[p].mel_start == static_cast<int>(77 * p));
    CHECK(s[p].wav_start == 160 * s[p].mel_start);
    CHECK(s[p].mel_stop - s[p].mel_start == 160);
  }
  // n_frames = 1001, steps = 919: starts 0..847 (12 slices); last coverage (160000-135520)/25600 = 0.956 -> kept.
  CHECK(s.size() == 12);

  // Rate checks (upstream asserts).
  CHECK_THROWS_AS(sid::compute_partial_slices(1000, 1000.0), std::invalid_argument);  // frame_step 0
  CHECK_THROWS_AS(sid::compute_partial_slices(1000, 0.5), std::invalid_argument);     // frame_step 200 > 160
  CHECK_THROWS_AS(sid::compute_partial_slices(1000, 0.0), std::invalid_argument);
  // min_coverage 0: every slice kept; 1.0: a partial last slice is dropped.
  CHECK(sid::compute_partial_slices(31519, 1.3, 0.0).size() == 2);
  CHECK(sid::compute_partial_slices(31520, 1.3, 1.0).size() == 1);
}

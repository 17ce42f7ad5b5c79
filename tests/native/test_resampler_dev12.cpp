// dev12 (golden/inputs/synth_stereo_44k1.wav) = dev07 -> scipy resample_poly(441, 160) -> L; R = 0.8 L delayed by
// 2 samples; int16 stereo at 44.1 kHz. Decode, downmix, resample back to 16 kHz and compare with dev07's raw samples.
#include <catch.hpp>

#include <cmath>
#include <vector>

#include "audio/downmix.h"
#include "audio/resampler.h"
#include "audio/wav_decoder.h"
#include "golden.h"

namespace {

double snr_db(const std::vector<float>& test, const std::vector<float>& ref, size_t lo, size_t hi) {
  double s = 0, e = 0;
  for (size_t i = lo; i < hi; ++i) {
    s += static_cast<double>(ref[i]) * ref[i];
    e += (static_cast<double>(test[i]) - ref[i]) * (static_cast<double>(test[i]) - ref[i]);
  }
  return 10 * std::log10(s / e);
}

}  // namespace

TEST_CASE("dev12: 44.1 kHz stereo -> downmix -> 16 kHz matches dev07", "[resampler][golden]") {
  const auto bytes = sid::test::read_file(sid::test::golden_dir() + "/inputs/synth_stereo_44k1.wav");
  const sid::DecodedAudio audio = sid::decode_wav(bytes.data(), bytes.size());
  REQUIRE(audio.sample_rate == 44100);
  REQUIRE(audio.channels == 2);
  REQUIRE(audio.frames() == 126567);
  const auto raw = sid::test::golden_array("dev07_sb-ASR_spk1_snt1", "resemblyzer", "raw").as_float();
  REQUIRE(raw.size() == 45920);

  const size_t n = audio.frames();
  const auto mono = sid::downmix_to_mono(audio.samples.data(), n, 2);
  const auto mono16 = sid::resample(mono.data(), n, 44100, 16000);
  REQUIRE(mono16.size() == 45920);  // ceil(126567 * 160 / 441), librosa's fix_length

  // Linearity: downmix-then-resample == mean of the resampled channels.
  std::vector<float> left(n), right(n);
  for (size_t i = 0; i < n; ++i) {
    left[i] = audio.samples[2 * i];
    right[i] = audio.samples[2 * i + 1];
  }
  const auto l16 = sid::resample(left.data(), n, 44100, 16000);
  const auto r16 = sid::resample(right.data(), n, 44100, 16000);
  for (size_t i = 0; i < mono16.size(); ++i) REQUIRE(std::fabs(mono16[i] - 0.5f * (l16[i] + r16[i])) <= 1e-6f);

  // L alone is dev07 resampled there and back. Full band the match is limited by the 7.6-8 kHz content that our
  // filter (cutoff 0.95 x Nyquist) and resample_poly's remove; below 3.8 kHz (both sides taken through the same
  // 16 k -> 8 k step) only the int16 rounding of dev12 and resample_poly's ripple remain.
  const double snr_full = snr_db(l16, raw, 0, raw.size());
  const auto l8 = sid::resample(l16.data(), l16.size(), 16000, 8000);
  const auto raw8 = sid::resample(raw.data(), raw.size(), 16000, 8000);
  const double snr_low = snr_db(l8, raw8, 0, raw8.size());
  // The downmix is 0.5 (L + 0.8 L(t - 2/44100)) ~ 0.9 L delayed 0.36 samples at 16 kHz at low frequencies.
  const double snr_mix = snr_db(mono16, raw, 0, raw.size());
  WARN("dev12 L channel -> 16 kHz vs dev07 raw: SNR " << snr_full << " dB full band, " << snr_low
                                                      << " dB below 3.8 kHz; downmix vs raw " << snr_mix << " dB");
  CHECK(snr_full >= 20.0);  // measured 24.1 dB (dev07 has 1 % of its energy above 7.2 kHz)
  CHECK(snr_low >= 55.0);   // measured 60.3 dB
}

#include "audio/volume.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace sid {
namespace {

constexpr float kInt16Max = 32767.0f;  // upstream's int16_max = 2**15 - 1

// NumPy's pairwise summation for float32 (the inner loop of np.add.reduce): blocks of <= 128 elements use 8
// interleaved float accumulators, larger ranges are split in two halves rounded down to a multiple of 8.
float pairwise_sum_f32(const float* a, size_t n) {
  if (n < 8) {
    float res = 0.0f;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    float r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum_f32(a, n2) + pairwise_sum_f32(a + n2, n - n2);
}

// np.mean / np.sum of a contiguous float32 array: the reduction iterator hands the inner loop at most `bufsize`
// (8192) elements at a time; each chunk is summed pairwise and added to the float32 result in turn (starting at 0).
// Reproduced so that the level (and therefore the gain) matches upstream bit for bit (verified on all golden files:
// a single pairwise pass over the whole array gives a 1-ulp different rms for dev11).
constexpr size_t kNumpyBufsize = 8192;

float numpy_sum_f32(const float* a, size_t n) {
  float acc = 0.0f;
  for (size_t i = 0; i < n; i += kNumpyBufsize) acc += pairwise_sum_f32(a + i, std::min(kNumpyBufsize, n - i));
  return acc;
}

}  // namespace

VolumeChange normalize_volume(std::vector<float>& wav, double target_dbfs, bool increase_only) {
  VolumeChange out;
  if (wav.empty()) {
    out.rms_dbfs = -std::numeric_limits<double>::infinity();
    return out;
  }
  // Upstream (float32 input): rms = np.sqrt(np.mean((wav * 32767) ** 2)), all in float32; the mean divides the
  // float32 sum by n in double and rounds back to float32.
  std::vector<float> sq(wav.size());
  for (size_t i = 0; i < wav.size(); ++i) {
    const float s = wav[i] * kInt16Max;
    sq[i] = s * s;
  }
  const float sum = numpy_sum_f32(sq.data(), sq.size());
  const float mean = static_cast<float>(static_cast<double>(sum) / static_cast<double>(wav.size()));
  const float rms = std::sqrt(mean);
  // rms / int16_max promotes the float32 scalar to float64 (NumPy 1.x scalar promotion); the rest is float64.
  const double dbfs = 20.0 * std::log10(static_cast<double>(rms) / 32767.0);
  out.rms_dbfs = dbfs;
  if (!std::isfinite(dbfs)) return out;  // digital silence (or inf/NaN samples): leave untouched
  const double change = target_dbfs - dbfs;
  if (increase_only && change < 0) return out;
  // wav * np.float64 scalar: value-based casting keeps float32, the factor is rounded to float32 first.
  const float factor = static_cast<float>(std::pow(10.0, change / 20.0));
  if (!std::isfinite(factor)) return out;
  for (float& x : wav) x *= factor;
  out.gain_db = change;
  return out;
}

}  // namespace sid

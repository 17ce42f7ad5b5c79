// Dot product, cosine and batch scoring (src/match/cosine.h): every length around the SIMD block sizes
// against a double-precision reference, the zero-vector rule, and score_rows == dot per row.
#include <catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "match/cosine.h"

using namespace sid;

namespace {

std::vector<float> random_vector(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

double ref_dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

}  // namespace

TEST_CASE("dot matches a double reference for every length 0..70", "[match][cosine]") {
  std::mt19937 rng(1);
  for (size_t n = 0; n <= 70; ++n) {
    INFO("n = " << n);
    const auto a = random_vector(rng, n), b = random_vector(rng, n);
    double mag = 0;
    for (size_t i = 0; i < n; ++i) mag += std::abs(double(a[i]) * b[i]);
    CHECK(std::abs(dot(a.data(), b.data(), n) - ref_dot(a, b)) <= 1e-6 * (mag + 1.0));
  }
}

TEST_CASE("dot of small exact vectors", "[match][cosine]") {
  const float a[] = {1, 2, 3};
  const float b[] = {4, -5, 6};
  CHECK(dot(a, b, 3) == 12.0f);
  CHECK(dot(a, b, 0) == 0.0f);
  std::vector<float> ones(33, 1.0f), twos(33, 2.0f);
  CHECK(dot(ones.data(), twos.data(), 33) == 66.0f);
}

TEST_CASE("dot is symmetric bit for bit", "[match][cosine]") {
  std::mt19937 rng(2);
  for (size_t n : {1u, 15u, 16u, 17u, 192u, 256u, 259u}) {
    const auto a = random_vector(rng, n), b = random_vector(rng, n);
    CHECK(dot(a.data(), b.data(), n) == dot(b.data(), a.data(), n));
  }
}

TEST_CASE("cosine: parallel, opposite, orthogonal, scale invariance, zero vectors", "[match][cosine]") {
  std::mt19937 rng(3);
  const auto a = random_vector(rng, 192);
  std::vector<float> scaled(a), neg(a);
  for (float& x : scaled) x *= 7.5f;
  for (float& x : neg) x = -x;
  CHECK(cosine(a.data(), scaled.data(), a.size()) == Approx(1.0f).margin(1e-6));
  CHECK(cosine(a.data(), neg.data(), a.size()) == Approx(-1.0f).margin(1e-6));
  const float x[] = {1, 0, 0, 0, 0};
  const float y[] = {0, 3, 0, 0, 0};
  CHECK(cosine(x, y, 5) == 0.0f);
  const std::vector<float> z(192, 0.0f);
  CHECK(cosine(a.data(), z.data(), 192) == 0.0f);
  CHECK(cosine(z.data(), z.data(), 192) == 0.0f);
  const auto b = random_vector(rng, 192);
  const float c = cosine(a.data(), b.data(), 192);
  CHECK(c == Approx(ref_dot(a, b) / std::sqrt(ref_dot(a, a) * ref_dot(b, b))).margin(1e-6));
  CHECK(c >= -1.0f);
  CHECK(c <= 1.0f);
}

TEST_CASE("score_rows equals dot against each contiguous row", "[match][cosine]") {
  std::mt19937 rng(4);
  for (size_t dim : {1u, 7u, 192u, 256u}) {
    const size_t count = 37;
    const auto q = random_vector(rng, dim);
    const auto rows = random_vector(rng, count * dim);
    std::vector<float> out(count, -99.0f);
    score_rows(q.data(), rows.data(), count, dim, out.data());
    for (size_t r = 0; r < count; ++r) CHECK(out[r] == dot(q.data(), rows.data() + r * dim, dim));
  }
  float untouched = 42.0f;
  score_rows(nullptr, nullptr, 0, 192, &untouched);
  CHECK(untouched == 42.0f);
}

TEST_CASE("the SIMD path is used exactly when compiled for wasm SIMD", "[match][cosine]") {
#ifdef __wasm_simd128__
  CHECK(cosine_uses_simd());
#else
  CHECK_FALSE(cosine_uses_simd());
#endif
}

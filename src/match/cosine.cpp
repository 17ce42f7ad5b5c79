#include "match/cosine.h"

#include <cmath>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace sid {

namespace {

// Fixed reduction of the 16 partial sums p[0..15], where p[4*k + l] is lane l of accumulator k.
// Accumulators are combined (0+1) + (2+3) lane by lane, then the lanes as (l0+l2) + (l1+l3).
inline float reduce16(const float* p) {
  float lane[4];
  for (int l = 0; l < 4; ++l) lane[l] = (p[l] + p[4 + l]) + (p[8 + l] + p[12 + l]);
  return (lane[0] + lane[2]) + (lane[1] + lane[3]);
}

}  // namespace

#ifdef __wasm_simd128__

float dot(const float* a, const float* b, size_t n) {
  v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
    acc2 = wasm_f32x4_add(acc2, wasm_f32x4_mul(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8)));
    acc3 = wasm_f32x4_add(acc3, wasm_f32x4_mul(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12)));
  }
  for (; i + 4 <= n; i += 4)
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  float p[16];
  wasm_v128_store(p, acc0);
  wasm_v128_store(p + 4, acc1);
  wasm_v128_store(p + 8, acc2);
  wasm_v128_store(p + 12, acc3);
  float sum = reduce16(p);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

bool cosine_uses_simd() { return true; }

#else

float dot(const float* a, const float* b, size_t n) {
  // Same lane layout as the SIMD path: p[4*k + l] accumulates element i + 4*k + l of each 16-block.
  float p[16] = {0.0f};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) p[j] += a[i + j] * b[i + j];
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; ++j) p[j] += a[i + j] * b[i + j];
  float sum = reduce16(p);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

bool cosine_uses_simd() { return false; }

#endif

float cosine(const float* a, const float* b, size_t n) {
  const double ab = dot(a, b, n);
  const double aa = dot(a, a, n);
  const double bb = dot(b, b, n);
  if (!(aa > 0.0) || !(bb > 0.0)) return 0.0f;
  double c = ab / (std::sqrt(aa) * std::sqrt(bb));
  if (c > 1.0) c = 1.0;
  if (c < -1.0) c = -1.0;
  return static_cast<float>(c);
}

void score_rows(const float* query, const float* rows, size_t count, size_t dim, float* out) {
  for (size_t r = 0; r < count; ++r) out[r] = dot(query, rows + r * dim, dim);
}

}  // namespace sid

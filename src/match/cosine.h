// Dot product and cosine similarity of float vectors, and batch scoring of one query against many rows.
//
// Under Emscripten with -msimd128 (__wasm_simd128__) the inner loop uses wasm SIMD with four f32x4
// accumulators; elsewhere a portable scalar loop runs. Both paths sum in float32 with the *same* lane
// layout and reduction order (16 partial sums, then a fixed pairwise reduction, then the scalar tail), so
// the native and the wasm build produce bit-identical scores for the same inputs (no FMA contraction is
// assumed: the project compiles in ISO mode, where GCC/Clang do not contract across statements).
#pragma once
#include <cstddef>

namespace sid {

// Sum of a[i] * b[i] for i in [0, n). n == 0 gives 0.
float dot(const float* a, const float* b, size_t n);

// Cosine similarity a.b / (|a| |b|), computed with dot() for the three products and the norms in double.
// Returns 0 when either vector is all zeros (no direction), never NaN for finite inputs.
float cosine(const float* a, const float* b, size_t n);

// Scores one query against `count` contiguous rows of `dim` floats (row r starts at rows + r * dim):
// out[r] = dot(query, row r). When the query and the rows are L2-normalised this is their cosine.
// `out` must have room for `count` floats; it may not alias query or rows.
void score_rows(const float* query, const float* rows, size_t count, size_t dim, float* out);

// True when this build uses the wasm SIMD path.
bool cosine_uses_simd();

}  // namespace sid

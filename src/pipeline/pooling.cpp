#include "pipeline/pooling.h"

#include <cmath>

namespace sid {

void l2_normalize(float* v, size_t dim) {
  double sum = 0.0;
  for (size_t i = 0; i < dim; ++i) sum += static_cast<double>(v[i]) * v[i];
  const float norm = static_cast<float>(std::sqrt(sum));
  if (norm == 0.0f) return;
  for (size_t i = 0; i < dim; ++i) v[i] /= norm;
}

std::vector<float> mean_l2(const float* partials, size_t count, size_t dim) {
  std::vector<float> out(dim, 0.0f);
  if (count == 0) return out;
  for (size_t p = 0; p < count; ++p)
    for (size_t i = 0; i < dim; ++i) out[i] += partials[p * dim + i];
  const float n = static_cast<float>(count);
  for (size_t i = 0; i < dim; ++i) out[i] /= n;
  l2_normalize(out.data(), dim);
  return out;
}

}  // namespace sid

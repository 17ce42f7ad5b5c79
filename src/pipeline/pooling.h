// Pooling of model outputs into one utterance embedding.
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

// Divides v by its L2 norm in place (float32, like numpy/torch); a zero vector is left as is.
void l2_normalize(float* v, size_t dim);

// Resemblyzer's embed_utterance pooling: L2(mean over the rows of partials [count][dim]).
// The mean is taken in float32 in row order, as numpy does for a [P, 256] float32 array along axis 0.
std::vector<float> mean_l2(const float* partials, size_t count, size_t dim);

}  // namespace sid

// The core's Conv1d (src/network/conv1d.h) against a direct double-precision evaluation of its definition
// (reflect padding, bias, extra bias, fused ReLU + BatchNorm), on inputs small enough to run in one pass and large
// enough to be cut into time tiles (the full ECAPA's sizes at 10 s), including a partial last tile.
#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "error.h"
#include "network/conv1d.h"

using namespace sid;

namespace {

// Deterministic values in [-1, 1): a linear congruential generator (no dependence on the standard library's).
struct Lcg {
  uint32_t s;
  float next() { s = s * 1664525u + 1013904223u; return static_cast<float>(s >> 8) / (1u << 23) - 1.0f; }
};

struct Case {
  int cin, cout, kernel, dilation, frames;
  bool relu_bn;
};

void check(const Case& c) {
  INFO(c.cin << " -> " << c.cout << ", kernel " << c.kernel << ", dilation " << c.dilation << ", " << c.frames
       << " frames" << (c.relu_bn ? ", relu + bn" : ""));
  Lcg rng{static_cast<uint32_t>(c.cin * 131 + c.frames)};
  std::vector<float> w(static_cast<size_t>(c.cout) * c.cin * c.kernel), bias(c.cout), extra(c.cout);
  for (float& v : w) v = rng.next() / std::sqrt(static_cast<float>(c.cin * c.kernel));
  for (float& v : bias) v = rng.next();
  for (float& v : extra) v = rng.next();
  BatchNormParams bn;
  for (int o = 0; o < c.cout; o++) {
    bn.weight.push_back(1.0f + 0.5f * rng.next());
    bn.bias.push_back(rng.next());
    bn.mean.push_back(0.1f * rng.next());
    bn.var.push_back(1.0f + 0.5f * rng.next());
  }
  Conv1d conv(w.data(), c.cout, c.cin, c.kernel, c.dilation, bias.data());
  if (c.relu_bn) conv.fuse_relu_batchnorm(bn);

  const int stride = padded_frames(c.frames);
  std::vector<float> x(static_cast<size_t>(c.cin) * stride, 1e30f);  // columns >= frames must never be read
  for (int ci = 0; ci < c.cin; ci++) {
    for (int t = 0; t < c.frames; t++) x[static_cast<size_t>(ci) * stride + t] = rng.next();
  }
  std::vector<float> y(static_cast<size_t>(c.cout) * stride), scratch;
  conv.run(x.data(), c.frames, y.data(), scratch, extra.data());

  const int p = conv.pad();
  auto reflect = [&](int t) { return t < 0 ? -t : t >= c.frames ? 2 * (c.frames - 1) - t : t; };
  double worst = 0;
  for (int o = 0; o < c.cout; o++) {
    for (int t = 0; t < c.frames; t++) {
      double acc = static_cast<double>(bias[o]) + extra[o], mag = 0;
      for (int ci = 0; ci < c.cin; ci++) {
        for (int k = 0; k < c.kernel; k++) {
          const double term = static_cast<double>(w[(static_cast<size_t>(o) * c.cin + ci) * c.kernel + k]) *
                              x[static_cast<size_t>(ci) * stride + reflect(t - p + k * c.dilation)];
          acc += term;
          mag += std::abs(term);
        }
      }
      if (c.relu_bn) {
        acc = std::max(acc, 0.0) * bn.weight[o] / std::sqrt(static_cast<double>(bn.var[o]) + bn.eps) +
              (bn.bias[o] - bn.mean[o] * bn.weight[o] / std::sqrt(static_cast<double>(bn.var[o]) + bn.eps));
        mag *= 2;
      }
      // float sums of cin * kernel terms: the error is bounded by a few ulps of the sum of magnitudes
      const double err = std::abs(y[static_cast<size_t>(o) * stride + t] - acc) / (mag + 1.0);
      worst = std::max(worst, err);
    }
  }
  CHECK(worst < 1e-5);
}

}  // namespace

TEST_CASE("conv1d equals its definition in one pass and in time tiles", "[network]") {
  check({16, 8, 5, 1, 100, false});     // 6 KB of input: one pass
  check({128, 12, 3, 3, 57, true});     // the shortest golden clip's frames
  check({256, 8, 3, 2, 1000, true});    // 1 MB: two tiles
  check({1024, 8, 3, 4, 1001, false});  // 4 MB: tiles of 128 frames, the last one partial
  check({3072, 4, 1, 1, 1001, true});   // the full ECAPA's MFA at 10 s: 12 MB
}

TEST_CASE("conv1d refuses shapes it does not run and inputs shorter than its padding", "[network]") {
  std::vector<float> w(8 * 2 * 3, 0.1f);
  CHECK_THROWS_AS(Conv1d(w.data(), 6, 2, 3, 1, nullptr), Error);  // output channels not a multiple of 4
  CHECK_THROWS_AS(Conv1d(w.data(), 8, 2, 2, 1, nullptr), Error);  // even kernel
  Conv1d conv(w.data(), 8, 2, 3, 2, nullptr);
  std::vector<float> x(2 * kTimeBlock, 0.5f), y(8 * kTimeBlock), scratch;
  CHECK_THROWS_WITH(conv.run(x.data(), 2, y.data(), scratch), Catch::Contains("reflect padding by 2"));
  conv.run(x.data(), 3, y.data(), scratch);
  CHECK(std::abs(y[0] - 0.1f * 6 * 0.5f) < 1e-6f);
}

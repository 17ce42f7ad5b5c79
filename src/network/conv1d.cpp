#include "network/conv1d.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "error.h"

namespace sid {
namespace {

// GCC/clang vector extension: SSE/AVX natively, wasm SIMD128 under -msimd128. Unaligned loads/stores via memcpy.
typedef float v4f __attribute__((vector_size(16)));
inline v4f load4(const float* p) { v4f v; std::memcpy(&v, p, sizeof v); return v; }
inline void store4(float* p, v4f v) { std::memcpy(p, &v, sizeof v); }
inline v4f splat(float f) { return v4f{f, f, f, f}; }

// 4 output channels x kTimeBlock columns: acc[j][h] = b[j] + sum over (ci, k) of w * x[ci][t0 + 4h + k * dilation].
// Not inlined on purpose: V8 has no on-stack replacement for wasm, so a long-running caller would stay in its
// baseline (Liftoff) code for the whole first embed(); a short function called often gets its optimised code soon.
__attribute__((noinline)) void block_4x8(const float* w, const float* x, int cin, int kernel, int dilation,
                                         int xstride, const float* b, v4f acc[4][2]) {
  v4f a00 = splat(b[0]), a01 = a00, a10 = splat(b[1]), a11 = a10, a20 = splat(b[2]), a21 = a20, a30 = splat(b[3]),
      a31 = a30;
  for (int ci = 0; ci < cin; ci++) {
    const float* row = x + static_cast<size_t>(ci) * xstride;
    for (int k = 0; k < kernel; k++, w += 4) {
      const float* xp = row + k * dilation;
      const v4f x0 = load4(xp), x1 = load4(xp + 4);
      const v4f w0 = splat(w[0]), w1 = splat(w[1]), w2 = splat(w[2]), w3 = splat(w[3]);
      a00 += w0 * x0; a01 += w0 * x1;
      a10 += w1 * x0; a11 += w1 * x1;
      a20 += w2 * x0; a21 += w2 * x1;
      a30 += w3 * x0; a31 += w3 * x1;
    }
  }
  acc[0][0] = a00; acc[0][1] = a01; acc[1][0] = a10; acc[1][1] = a11;
  acc[2][0] = a20; acc[2][1] = a21; acc[3][0] = a30; acc[3][1] = a31;
}

// Columns per time tile. The kernel reads the whole padded input once per 4 output channels, so an input larger
// than the caches comes from memory cout/4 times, at the speed of the host's memory: the full ECAPA at 10 s (1000
// frames; the MFA's input is 3072 channels, 12 MB) took 1.7-3.9 s per embed in wasm, against 1.2-1.7 s tiled.
// A tile of about kTileBytes of input (one L2) stays cached across all output channels, at the price of reading the
// weights once per tile. Each output's sum runs in the same order either way: the result is bit-identical.
constexpr size_t kTileBytes = 512 << 10;
int time_tile(int cin, int stride) {
  const size_t row = sizeof(float) * static_cast<size_t>(cin);
  if (row * stride <= kTileBytes) return stride;
  return std::max<int>(kTimeBlock, static_cast<int>(kTileBytes / row) / kTimeBlock * kTimeBlock);
}

}  // namespace

Conv1d::Conv1d(const float* weight, int cout, int cin, int kernel, int dilation, const float* bias)
    : cin_(cin), cout_(cout), kernel_(kernel), dilation_(dilation) {
  if (cout <= 0 || cout % 4 || cin <= 0 || kernel <= 0 || kernel % 2 == 0 || dilation <= 0) {
    throw Error(ErrorCode::kInvalidArgument, "conv1d: " + std::to_string(cout) + " x " + std::to_string(cin) +
                " x " + std::to_string(kernel) + " (dilation " + std::to_string(dilation) +
                ") is not supported: output channels a multiple of 4, an odd kernel size");
  }
  const size_t r = static_cast<size_t>(cin) * kernel;
  packed_.resize(static_cast<size_t>(cout) * r);
  for (int co = 0; co < cout; co++) {
    for (size_t k = 0; k < r; k++) packed_[((co / 4) * r + k) * 4 + co % 4] = weight[co * r + k];
  }
  bias_ = bias ? std::vector<float>(bias, bias + cout) : std::vector<float>(cout, 0.0f);
}

void BatchNormParams::fold(std::vector<float>& scale, std::vector<float>& shift) const {
  scale.resize(weight.size());
  shift.resize(weight.size());
  for (size_t c = 0; c < weight.size(); c++) {
    scale[c] = weight[c] / std::sqrt(var[c] + eps);
    shift[c] = bias[c] - mean[c] * scale[c];
  }
}

void Conv1d::fuse_relu_batchnorm(const BatchNormParams& bn) {
  relu_bn_ = true;
  bn.fold(scale_, shift_);
}

void Conv1d::run(const float* x, int frames, float* y, std::vector<float>& scratch, const float* extra_bias) const {
  const int p = pad();
  if (frames <= p) {
    throw Error(ErrorCode::kInvalidArgument, "conv1d: " + std::to_string(frames) + " frames, reflect padding by " +
                std::to_string(p) + " needs more than " + std::to_string(p));
  }
  const int stride = padded_frames(frames);
  const int xstride = stride + 2 * p;  // every read of a time block stays inside the row
  scratch.assign(static_cast<size_t>(cin_) * xstride, 0.0f);
  for (int c = 0; c < cin_; c++) {
    const float* src = x + static_cast<size_t>(c) * stride;
    float* dst = scratch.data() + static_cast<size_t>(c) * xstride;
    std::memcpy(dst + p, src, sizeof(float) * frames);
    for (int j = 1; j <= p; j++) {
      dst[p - j] = src[j];
      dst[p + frames - 1 + j] = src[frames - 1 - j];
    }
  }
  const size_t r = static_cast<size_t>(cin_) * kernel_;
  const int tile = time_tile(cin_, stride);
  for (int ts = 0; ts < stride; ts += tile) {
    const int te = std::min(stride, ts + tile);
    for (int cb = 0; cb < cout_ / 4; cb++) {
      const float* wblock = packed_.data() + cb * r * 4;
      float b[4];
      for (int j = 0; j < 4; j++) b[j] = bias_[cb * 4 + j] + (extra_bias ? extra_bias[cb * 4 + j] : 0.0f);
      for (int t0 = ts; t0 < te; t0 += kTimeBlock) {
        v4f acc[4][2];
        block_4x8(wblock, scratch.data() + t0, cin_, kernel_, dilation_, xstride, b, acc);
        for (int j = 0; j < 4; j++) {
          const int co = cb * 4 + j;
          float* out = y + static_cast<size_t>(co) * stride + t0;
          for (int h = 0; h < 2; h++) {
            v4f v = acc[j][h];
            if (relu_bn_) {
              const v4f zero = splat(0.0f);
              v = v > zero ? v : zero;  // relu
              v = v * splat(scale_[co]) + splat(shift_[co]);
            }
            store4(out + 4 * h, v);
          }
        }
      }
    }
  }
}

}  // namespace sid

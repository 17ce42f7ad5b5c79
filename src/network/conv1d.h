// A 1-D convolution as SpeechBrain's Conv1d(padding="same", padding_mode="reflect", stride 1) computes it, with the
// TDNN block's ReLU and inference BatchNorm fused behind it: y = bn(relu(conv(x) + bias)), or conv(x) + bias alone.
//
// Activations are channel-major [channels][stride] with `frames` valid columns; stride = padded_frames(frames)
// (a multiple of kTimeBlock), so the kernel reads and writes whole vectors. Columns >= frames of an output hold
// garbage, never read as data by the network. Reflect padding: x[-j] = x[j], x[T-1+j] = x[T-1-j] (torch's
// F.pad(mode="reflect"), which needs pad < frames).
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

constexpr int kTimeBlock = 8;  // output columns per micro-kernel step (two 4-lane vectors)
inline int padded_frames(int frames) { return (frames + kTimeBlock - 1) / kTimeBlock * kTimeBlock; }

struct BatchNormParams {  // inference BatchNorm: y = (x - mean) / sqrt(var + eps) * weight + bias
  std::vector<float> weight, bias, mean, var;
  float eps = 1e-5f;
  // The same as y = x * scale + shift, per channel.
  void fold(std::vector<float>& scale, std::vector<float>& shift) const;
};

class Conv1d {
 public:
  Conv1d() = default;
  // weight [cout][cin][kernel] (row-major, as torch stores it), bias [cout] (or empty: zero).
  Conv1d(const float* weight, int cout, int cin, int kernel, int dilation, const float* bias);
  void fuse_relu_batchnorm(const BatchNormParams& bn);  // then: bn(relu(conv + bias))

  int in_channels() const { return cin_; }
  int out_channels() const { return cout_; }
  int pad() const { return dilation_ * (kernel_ - 1) / 2; }

  // x: [cin][stride] with `frames` valid columns -> y: [cout][stride] (stride = padded_frames(frames)).
  // `scratch` is reused between calls (the padded input). extra_bias[cout], if given, is added to the bias.
  void run(const float* x, int frames, float* y, std::vector<float>& scratch, const float* extra_bias = nullptr) const;

 private:
  int cin_ = 0, cout_ = 0, kernel_ = 1, dilation_ = 1;
  std::vector<float> packed_;  // [cout/4][cin*kernel][4]: four output channels side by side per reduction step
  std::vector<float> bias_;
  bool relu_bn_ = false;
  std::vector<float> scale_, shift_;  // folded BatchNorm
};

}  // namespace sid

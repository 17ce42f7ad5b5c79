// SpeechBrain's ECAPA_TDNN (speechbrain/lobes/models/ECAPA_TDNN.py, v1.1.0) in inference, batch 1, no lengths: the
// embedding network of the "ecapa" family (upstream spkrec-ecapa-voxceleb, the golden small config, and the project's
// compact model), built from the float weights of its ONNX export (models/export.py keeps torch's parameter names).
//
// Upstream semantics, stage by stage (x: [channels][frames]):
//   blocks[0]        TDNNBlock: conv(k0, d0, same/reflect) -> ReLU -> BatchNorm1d
//   blocks[1..n-2]   SERes2NetBlock: tdnn1 (k=1) -> Res2NetBlock (y0 = x0, y1 = tdnn(x1), yi = tdnn(xi + y{i-1}),
//                    concatenated) -> tdnn2 (k=1) -> SEBlock (s = mean over time, sigmoid(conv2(relu(conv1(s)))) * x)
//                    -> + x (the residual; the shortcut conv when a block changes width)
//   mfa              TDNNBlock (k=1) on the concatenation of blocks[1..n-2]'s outputs
//   asp              AttentiveStatisticsPooling(global_context): [x; mean; std] (std = sqrt(max(var, 1e-12)),
//                    population variance) -> TDNNBlock -> tanh -> conv -> softmax over time -> weighted mean, std
//   asp_bn, fc       BatchNorm1d on [mean; std], then the k=1 conv to lin_neurons
// Output: the fc row (upstream's encode_batch result, unnormalised), as the ONNX export's `embedding` [1, 1, dim].
// Kernel sizes come from the weights, dilations from the export's Conv nodes, BatchNorm eps from its nodes.
// Differences from the ONNX graph are float rounding only (BatchNorm folded into the conv's output, the constant
// mean/std columns of the attention's input folded into a bias).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "network/conv1d.h"

namespace sid {

struct OnnxGraph;

class EcapaTdnn {
 public:
  // From the bytes of an fp32 ECAPA-TDNN ONNX export. Throws kInvalidArgument naming the first missing or
  // unsupported weight (e.g. an int8 QLinearConv export: run those with ONNX Runtime).
  static EcapaTdnn from_onnx(const uint8_t* bytes, size_t size);

  int input_bands() const { return bands_; }
  int embedding_dim() const { return dim_; }
  int min_frames() const;  // fewer frames than this cannot be reflect-padded by some convolution

  // feats: [frames][bands] (the ONNX input's layout, row-major) -> the embedding [embedding_dim()].
  // Throws kInvalidArgument when frames < min_frames(). Not thread-safe (reuses its buffers).
  std::vector<float> embed(const float* feats, int frames);

 private:
  struct SeRes2Block {
    Conv1d tdnn1, tdnn2, se1, se2, shortcut;
    bool has_shortcut = false;
    std::vector<Conv1d> res2;  // scale - 1 convs of width/scale channels
  };
  explicit EcapaTdnn(const OnnxGraph& g);

  int bands_ = 0, dim_ = 0;
  Conv1d block0_;
  std::vector<SeRes2Block> blocks_;
  Conv1d mfa_;
  Conv1d asp_tdnn_x_;                         // the attention TDNN's weight columns for x
  std::vector<float> asp_w_mean_, asp_w_std_;  // [att][C] columns for the constant mean / std inputs
  Conv1d asp_conv_;
  std::vector<float> asp_bn_scale_, asp_bn_shift_;
  std::vector<float> fc_w_, fc_b_;  // [dim][2C]

  // Reused buffers.
  std::vector<float> scratch_, in_, x0_, cat_, tmp_, tmp2_, att_, att2_;
};

}  // namespace sid

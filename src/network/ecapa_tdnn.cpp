#include "network/ecapa_tdnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "error.h"
#include "network/onnx_reader.h"

namespace sid {
namespace {

constexpr double kStatsEps = 1e-12;  // AttentiveStatisticsPooling's eps (std = sqrt(clamp(var, eps)))

int dim(const OnnxTensor& t, size_t i) { return static_cast<int>(t.dims[i]); }
Error refused(const std::string& why) { return Error(ErrorCode::kInvalidArgument, why); }

// A TDNNBlock's or a Conv1d's convolution `<prefix>.weight` / `.bias`, with the dilation of the Conv node that uses it.
Conv1d conv(const OnnxGraph& g, const std::string& prefix) {
  const OnnxTensor& w = g.float_tensor(prefix + ".weight", 3);
  const OnnxTensor* b = g.has(prefix + ".bias") ? &g.float_tensor(prefix + ".bias", 1) : nullptr;
  int dilation = 1;
  if (const OnnxNode* n = g.consumer(prefix + ".weight", 1)) {
    if (n->op_type != "Conv") {
      throw refused("weight " + prefix + ".weight feeds a " + n->op_type +
                  " node; the core runs fp32 Conv exports only");
    }
    auto it = n->ints.find("dilations");
    if (it != n->ints.end() && !it->second.empty()) dilation = static_cast<int>(it->second[0]);
    auto groups = n->ints.find("group");
    if (groups != n->ints.end() && !groups->second.empty() && groups->second[0] != 1) {
      throw refused("conv " + prefix + " is grouped; not an ECAPA-TDNN export");
    }
  }
  if (b && dim(*b, 0) != dim(w, 0)) throw refused("bias " + prefix + ".bias does not match its weight");
  return Conv1d(w.floats.data(), dim(w, 0), dim(w, 1), dim(w, 2), dilation, b ? b->floats.data() : nullptr);
}

BatchNormParams batchnorm(const OnnxGraph& g, const std::string& prefix, int channels) {
  BatchNormParams bn;
  std::vector<float>* parts[] = {&bn.weight, &bn.bias, &bn.mean, &bn.var};
  const char* names[] = {".weight", ".bias", ".running_mean", ".running_var"};
  for (int i = 0; i < 4; i++) {
    const OnnxTensor& t = g.float_tensor(prefix + names[i], 1);
    if (dim(t, 0) != channels) {
      throw refused("batchnorm " + prefix + " has " + std::to_string(dim(t, 0)) +
                  " channels, its input " + std::to_string(channels));
    }
    *parts[i] = t.floats;
  }
  if (const OnnxNode* n = g.consumer(prefix + ".weight", 1)) {
    auto it = n->floats.find("epsilon");
    if (it != n->floats.end()) bn.eps = it->second;
  }
  return bn;
}

// TDNNBlock `<prefix>`: conv -> ReLU -> BatchNorm1d.
Conv1d tdnn(const OnnxGraph& g, const std::string& prefix) {
  Conv1d c = conv(g, prefix + ".conv.conv");
  c.fuse_relu_batchnorm(batchnorm(g, prefix + ".norm.norm", c.out_channels()));
  return c;
}

void expect_channels(const Conv1d& c, int in, const std::string& what) {
  if (c.in_channels() != in) {
    throw refused(what + " takes " + std::to_string(c.in_channels()) + " channels, " +
                "its input has " + std::to_string(in));
  }
}

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

}  // namespace

EcapaTdnn EcapaTdnn::from_onnx(const uint8_t* bytes, size_t size) {
  const OnnxGraph g = read_onnx(bytes, size);
  return EcapaTdnn(g);
}

EcapaTdnn::EcapaTdnn(const OnnxGraph& g) {
  block0_ = tdnn(g, "blocks.0");
  bands_ = block0_.in_channels();
  int width = block0_.out_channels(), cat_width = 0;
  for (int i = 1; g.has("blocks." + std::to_string(i) + ".tdnn1.conv.conv.weight"); i++) {
    const std::string p = "blocks." + std::to_string(i);
    SeRes2Block b;
    b.tdnn1 = tdnn(g, p + ".tdnn1");
    expect_channels(b.tdnn1, width, p + ".tdnn1");
    const int c = b.tdnn1.out_channels();
    for (int j = 0; g.has(p + ".res2net_block.blocks." + std::to_string(j) + ".conv.conv.weight"); j++) {
      b.res2.push_back(tdnn(g, p + ".res2net_block.blocks." + std::to_string(j)));
    }
    const int scale = static_cast<int>(b.res2.size()) + 1;
    if (b.res2.empty() || c % scale) throw refused(p + ": no Res2Net convolutions of " + std::to_string(c) + " channels");
    for (const Conv1d& r : b.res2) expect_channels(r, c / scale, p + ".res2net_block");
    b.tdnn2 = tdnn(g, p + ".tdnn2");
    expect_channels(b.tdnn2, c, p + ".tdnn2");
    b.se1 = conv(g, p + ".se_block.conv1.conv");
    b.se2 = conv(g, p + ".se_block.conv2.conv");
    expect_channels(b.se1, b.tdnn2.out_channels(), p + ".se_block.conv1");
    expect_channels(b.se2, b.se1.out_channels(), p + ".se_block.conv2");
    if (g.has(p + ".shortcut.conv.weight")) {
      b.shortcut = conv(g, p + ".shortcut.conv");
      b.has_shortcut = true;
      expect_channels(b.shortcut, width, p + ".shortcut");
    } else if (b.tdnn2.out_channels() != width) {
      throw refused(p + " changes width without a shortcut convolution");
    }
    width = b.tdnn2.out_channels();
    cat_width += width;
    blocks_.push_back(std::move(b));
  }
  if (blocks_.empty()) throw refused("the model has no SE-Res2Net blocks (blocks.1.*); not an ECAPA-TDNN export");
  mfa_ = tdnn(g, "mfa");
  expect_channels(mfa_, cat_width, "mfa");
  const int c = mfa_.out_channels();

  // The attention TDNN sees [x; mean; std] (3C channels); mean and std are constant over time, so their weight
  // columns become a per-utterance bias.
  const OnnxTensor& aw = g.float_tensor("asp.tdnn.conv.conv.weight", 3);
  if (dim(aw, 1) != 3 * c || dim(aw, 2) != 1) {
    throw refused("asp.tdnn takes " + std::to_string(dim(aw, 1)) + " channels, expected 3 x " + std::to_string(c) +
                  " (global context)");
  }
  const int att = dim(aw, 0);
  std::vector<float> wx(static_cast<size_t>(att) * c);
  asp_w_mean_.resize(wx.size());
  asp_w_std_.resize(wx.size());
  for (int a = 0; a < att; a++) {
    const float* row = aw.floats.data() + static_cast<size_t>(a) * 3 * c;
    std::copy(row, row + c, wx.begin() + a * c);
    std::copy(row + c, row + 2 * c, asp_w_mean_.begin() + a * c);
    std::copy(row + 2 * c, row + 3 * c, asp_w_std_.begin() + a * c);
  }
  const OnnxTensor& ab = g.float_tensor("asp.tdnn.conv.conv.bias", 1);
  asp_tdnn_x_ = Conv1d(wx.data(), att, c, 1, 1, ab.floats.data());
  asp_tdnn_x_.fuse_relu_batchnorm(batchnorm(g, "asp.tdnn.norm.norm", att));
  asp_conv_ = conv(g, "asp.conv.conv");
  expect_channels(asp_conv_, att, "asp.conv");
  if (asp_conv_.out_channels() != c) {
    throw refused("asp.conv gives " + std::to_string(asp_conv_.out_channels()) + " channels, expected " + std::to_string(c));
  }

  batchnorm(g, "asp_bn.norm", 2 * c).fold(asp_bn_scale_, asp_bn_shift_);
  const OnnxTensor& fw = g.float_tensor("fc.conv.weight", 3);
  if (dim(fw, 1) != 2 * c || dim(fw, 2) != 1) {
    throw refused("fc takes " + std::to_string(dim(fw, 1)) + " channels, expected " + std::to_string(2 * c));
  }
  dim_ = dim(fw, 0);
  fc_w_ = fw.floats;
  fc_b_ = g.has("fc.conv.bias") ? g.float_tensor("fc.conv.bias", 1).floats : std::vector<float>(dim_, 0.0f);
}

int EcapaTdnn::min_frames() const {
  int p = block0_.pad();
  for (const SeRes2Block& b : blocks_) {
    for (const Conv1d& r : b.res2) p = std::max(p, r.pad());
  }
  return p + 1;
}

std::vector<float> EcapaTdnn::embed(const float* feats, int frames) {
  if (frames < min_frames()) {
    throw refused("the network needs at least " + std::to_string(min_frames()) +
                " feature frames, got " + std::to_string(frames));
  }
  const int T = frames, S = padded_frames(frames);
  auto at = [S](std::vector<float>& v, int channel) { return v.data() + static_cast<size_t>(channel) * S; };

  in_.assign(static_cast<size_t>(bands_) * S, 0.0f);
  for (int t = 0; t < T; t++) {
    for (int b = 0; b < bands_; b++) in_[static_cast<size_t>(b) * S + t] = feats[static_cast<size_t>(t) * bands_ + b];
  }
  // Block outputs: block 0 in tmp2_ first, blocks 1.. side by side in cat_ (the MFA's input, concatenated in place).
  int cat_width = 0;
  for (const SeRes2Block& b : blocks_) cat_width += b.tdnn2.out_channels();
  cat_.resize(static_cast<size_t>(cat_width) * S);
  x0_.resize(static_cast<size_t>(block0_.out_channels()) * S);
  block0_.run(in_.data(), T, x0_.data(), scratch_);

  const float* x = x0_.data();
  int offset = 0;
  std::vector<float> s, z, gate, sum, shortcut_out;
  for (const SeRes2Block& b : blocks_) {
    const int c = b.tdnn1.out_channels(), scale = static_cast<int>(b.res2.size()) + 1, w = c / scale;
    tmp_.resize(static_cast<size_t>(c) * S);
    tmp2_.resize(static_cast<size_t>(c) * S);
    b.tdnn1.run(x, T, tmp_.data(), scratch_);
    std::memcpy(at(tmp2_, 0), at(tmp_, 0), sizeof(float) * w * S);                       // y0 = x0
    b.res2[0].run(at(tmp_, w), T, at(tmp2_, w), scratch_);                               // y1 = tdnn(x1)
    sum.resize(static_cast<size_t>(w) * S);
    for (int i = 2; i < scale; i++) {                                                    // yi = tdnn(xi + y{i-1})
      const float* xi = at(tmp_, i * w);
      const float* prev = at(tmp2_, (i - 1) * w);
      for (size_t k = 0; k < sum.size(); k++) sum[k] = xi[k] + prev[k];
      b.res2[i - 1].run(sum.data(), T, at(tmp2_, i * w), scratch_);
    }
    float* out = at(cat_, offset);
    const int co = b.tdnn2.out_channels();
    b.tdnn2.run(tmp2_.data(), T, out, scratch_);
    // SE: the time mean of each channel gates it.
    s.assign(static_cast<size_t>(co) * kTimeBlock, 0.0f);
    for (int ch = 0; ch < co; ch++) {
      double acc = 0;
      const float* row = out + static_cast<size_t>(ch) * S;
      for (int t = 0; t < T; t++) acc += row[t];
      s[static_cast<size_t>(ch) * kTimeBlock] = static_cast<float>(acc / T);
    }
    z.resize(static_cast<size_t>(b.se1.out_channels()) * kTimeBlock);
    b.se1.run(s.data(), 1, z.data(), scratch_);
    for (int ch = 0; ch < b.se1.out_channels(); ch++) z[ch * kTimeBlock] = std::max(z[ch * kTimeBlock], 0.0f);
    gate.resize(static_cast<size_t>(co) * kTimeBlock);
    b.se2.run(z.data(), 1, gate.data(), scratch_);
    const float* residual = x;
    if (b.has_shortcut) {
      shortcut_out.resize(static_cast<size_t>(co) * S);
      b.shortcut.run(x, T, shortcut_out.data(), scratch_);
      residual = shortcut_out.data();
    }
    for (int ch = 0; ch < co; ch++) {
      const float g = sigmoid(gate[ch * kTimeBlock]);
      float* row = out + static_cast<size_t>(ch) * S;
      const float* res = residual + static_cast<size_t>(ch) * S;
      for (int t = 0; t < T; t++) row[t] = row[t] * g + res[t];
    }
    x = out;
    offset += co;
  }

  const int c = mfa_.out_channels();
  tmp_.resize(static_cast<size_t>(c) * S);
  mfa_.run(cat_.data(), T, tmp_.data(), scratch_);
  const float* h = tmp_.data();

  // Attentive statistics pooling, global context.
  std::vector<float> mean(c), stdev(c);
  for (int ch = 0; ch < c; ch++) {
    const float* row = h + static_cast<size_t>(ch) * S;
    double m = 0;
    for (int t = 0; t < T; t++) m += row[t];
    m /= T;
    double v = 0;
    for (int t = 0; t < T; t++) v += (row[t] - m) * (row[t] - m);
    mean[ch] = static_cast<float>(m);
    stdev[ch] = static_cast<float>(std::sqrt(std::max(v / T, kStatsEps)));
  }
  const int att = asp_tdnn_x_.out_channels();
  std::vector<float> extra(att);
  for (int a = 0; a < att; a++) {
    double acc = 0;
    for (int ch = 0; ch < c; ch++) {
      acc += static_cast<double>(asp_w_mean_[a * c + ch]) * mean[ch] + static_cast<double>(asp_w_std_[a * c + ch]) * stdev[ch];
    }
    extra[a] = static_cast<float>(acc);
  }
  att_.resize(static_cast<size_t>(att) * S);
  asp_tdnn_x_.run(h, T, att_.data(), scratch_, extra.data());
  for (int a = 0; a < att; a++) {
    float* row = at(att_, a);
    for (int t = 0; t < T; t++) row[t] = std::tanh(row[t]);
  }
  att2_.resize(static_cast<size_t>(c) * S);
  asp_conv_.run(att_.data(), T, att2_.data(), scratch_);
  std::vector<float> pooled(2 * c);
  for (int ch = 0; ch < c; ch++) {
    float* a = at(att2_, ch);
    const float* row = h + static_cast<size_t>(ch) * S;
    const float mx = *std::max_element(a, a + T);
    double total = 0;
    for (int t = 0; t < T; t++) total += (a[t] = std::exp(a[t] - mx));
    double m = 0;
    for (int t = 0; t < T; t++) m += (a[t] / total) * row[t];
    double v = 0;
    for (int t = 0; t < T; t++) v += (a[t] / total) * (row[t] - m) * (row[t] - m);
    pooled[ch] = static_cast<float>(m) * asp_bn_scale_[ch] + asp_bn_shift_[ch];
    const float sd = static_cast<float>(std::sqrt(std::max(v, kStatsEps)));
    pooled[c + ch] = sd * asp_bn_scale_[c + ch] + asp_bn_shift_[c + ch];
  }
  std::vector<float> e(dim_);
  for (int o = 0; o < dim_; o++) {
    double acc = fc_b_[o];
    const float* wrow = fc_w_.data() + static_cast<size_t>(o) * 2 * c;
    for (int i = 0; i < 2 * c; i++) acc += static_cast<double>(wrow[i]) * pooled[i];
    e[o] = static_cast<float>(acc);
  }
  return e;
}

}  // namespace sid

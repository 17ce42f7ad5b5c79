// The core's own ECAPA-TDNN (src/network) against upstream: the golden small-config checkpoint exported by
// models/export.py (build/models/ecapa-small-golden.onnx, made by .ci/setup) run on upstream's normalised fbank of
// every golden file must give SpeechBrain's embedding; plus the shipped compact fp32 model's shape and errors.
#include <catch.hpp>

#include <cmath>
#include <string>

#include "error.h"
#include "golden.h"
#include "network/ecapa_tdnn.h"

using namespace sid;
using namespace sid::test;

namespace {

double one_minus_cos(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) { ab += double(a[i]) * b[i]; aa += double(a[i]) * a[i]; bb += double(b[i]) * b[i]; }
  return 1.0 - ab / std::sqrt(aa * bb);
}

EcapaTdnn load(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return EcapaTdnn::from_onnx(bytes.data(), bytes.size());
}

const std::string kSource = SID_SOURCE_DIR;

}  // namespace

TEST_CASE("the golden small ECAPA-TDNN gives upstream's embedding on every golden file", "[network][golden]") {
  const std::string model = kSource + "/build/models/ecapa-small-golden.onnx";
  INFO("made by .ci/setup (models/export.py of the golden checkpoint): " << model);
  REQUIRE(file_exists(model));
  EcapaTdnn net = load(model);
  CHECK(net.input_bands() == 80);
  CHECK(net.embedding_dim() == 192);
  int checked = 0;
  for (const auto& id : golden_ids()) {
    if (!file_exists(golden_dir() + "/files/" + id + "/ecapa/fbank_norm.npy")) continue;
    INFO(id);
    const auto feats = golden_array(id, "ecapa", "fbank_norm");
    const auto expected = golden_array(id, "ecapa", "embedding_small").as_float();
    const auto f = feats.as_float();
    const auto got = net.embed(f.data(), static_cast<int>(feats.shape[0]));
    REQUIRE(got.size() == expected.size());
    CHECK(one_minus_cos(got, expected) <= 1e-6);
    float max_abs = 0, max_d = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      max_abs = std::max(max_abs, std::abs(expected[i]));
      max_d = std::max(max_d, std::abs(got[i] - expected[i]));
    }
    CHECK(max_d <= 1e-4f * max_abs);
    checked++;
  }
  CHECK(checked >= 10);
}

TEST_CASE("the compact fp32 model loads; short input and int8 or foreign models are refused", "[network]") {
  EcapaTdnn net = load(kSource + "/models/compact/compact-ecapa-fp32.onnx");
  CHECK(net.embedding_dim() == 192);
  CHECK(net.min_frames() == 5);  // reflect padding by 4 (kernel 3, dilation 4) needs 5 frames
  std::vector<float> feats(4 * 80, 0.1f);
  CHECK_THROWS_AS(net.embed(feats.data(), 4), Error);
  feats.resize(5 * 80, 0.2f);
  CHECK(net.embed(feats.data(), 5).size() == 192);

  // The shipped default is int8 (QLinearConv): the core names what it cannot run.
  try {
    load(kSource + "/models/compact/compact-ecapa.onnx");
    FAIL("an int8 model was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("blocks.0.conv.conv.weight") != std::string::npos);
  }
  const std::vector<uint8_t> junk = {0x08, 0x07, 0x3a, 0xff};  // a varint field, then a truncated graph
  CHECK_THROWS_WITH(EcapaTdnn::from_onnx(junk.data(), junk.size()), Catch::Contains("not an ONNX model"));
}

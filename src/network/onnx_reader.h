// The part of an ONNX file the core's own network needs: float initializers by name, and the nodes with their
// integer and float attributes (a Conv's dilations, a BatchNormalization's epsilon). A protobuf wire-format reader of
// onnx.proto3's ModelProto -> GraphProto fields 1 (node) and 5 (initializer); every other field is skipped.
//
// Accepted tensors: FLOAT (data_type 1) with raw_data (little-endian) or float_data; other types are read as
// names only (the network refuses them by name). External data (weights in a side file) is refused.
// Malformed bytes throw sid::Error kInvalidArgument ("not an ONNX model: ..."); nothing is returned half-read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sid {

struct OnnxTensor {
  std::vector<int64_t> dims;
  int32_t data_type = 0;      // onnx TensorProto.DataType: 1 float, 3 int8, 2 uint8, 7 int64, ...
  std::vector<float> floats;  // the values when data_type is 1, row-major
};

struct OnnxNode {
  std::string op_type;
  std::vector<std::string> inputs, outputs;
  std::map<std::string, std::vector<int64_t>> ints;  // attribute i / ints
  std::map<std::string, float> floats;               // attribute f
};

struct OnnxGraph {
  std::map<std::string, OnnxTensor> initializers;
  std::vector<OnnxNode> nodes;

  // The float initializer `name` with exactly `rank` dimensions; throws kInvalidArgument naming what is missing.
  const OnnxTensor& float_tensor(const std::string& name, size_t rank) const;
  bool has(const std::string& name) const { return initializers.count(name) != 0; }
  // The node that takes initializer `name` as its input `index` (nullptr if none).
  const OnnxNode* consumer(const std::string& name, size_t index) const;
};

OnnxGraph read_onnx(const uint8_t* bytes, size_t size);

}  // namespace sid

#include "network/onnx_reader.h"

#include <cstring>

#include "error.h"

namespace sid {
namespace {

Error malformed(const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "not an ONNX model: " + why + " (give the bytes of an .onnx file)");
}

// One protobuf message's bytes; fields are read in order.
struct Reader {
  const uint8_t* p;
  const uint8_t* end;

  bool done() const { return p >= end; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) throw malformed("truncated varint");
      const uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw malformed("varint longer than 10 bytes");
  }
  Reader bytes() {
    const uint64_t n = varint();
    if (n > static_cast<uint64_t>(end - p)) throw malformed("a field runs past the end of its message");
    Reader r{p, p + n};
    p += n;
    return r;
  }
  std::string string() {
    Reader r = bytes();
    return std::string(reinterpret_cast<const char*>(r.p), static_cast<size_t>(r.end - r.p));
  }
  float fixed32_float() {
    if (end - p < 4) throw malformed("truncated float");
    float f;
    std::memcpy(&f, p, 4);
    p += 4;
    return f;
  }
  void skip(uint32_t wire) {
    switch (wire) {
      case 0: varint(); break;
      case 1: if (end - p < 8) throw malformed("truncated fixed64"); p += 8; break;
      case 2: bytes(); break;
      case 5: if (end - p < 4) throw malformed("truncated fixed32"); p += 4; break;
      default: throw malformed("unknown wire type " + std::to_string(wire));
    }
  }
};

// Repeated int64 (packed or not) into out.
void read_int64s(Reader& r, uint32_t wire, std::vector<int64_t>& out) {
  if (wire == 2) {
    Reader packed = r.bytes();
    while (!packed.done()) out.push_back(static_cast<int64_t>(packed.varint()));
  } else {
    out.push_back(static_cast<int64_t>(r.varint()));
  }
}

OnnxTensor read_tensor(Reader r, std::string& name) {
  OnnxTensor t;
  const uint8_t* raw = nullptr;
  size_t raw_size = 0;
  bool external = false;
  while (!r.done()) {
    const uint64_t key = r.varint();
    const uint32_t field = static_cast<uint32_t>(key >> 3), wire = static_cast<uint32_t>(key & 7);
    if (field == 1 && (wire == 0 || wire == 2)) read_int64s(r, wire, t.dims);
    else if (field == 2 && wire == 0) t.data_type = static_cast<int32_t>(r.varint());
    else if (field == 4 && wire == 2) {
      Reader packed = r.bytes();
      while (!packed.done()) t.floats.push_back(packed.fixed32_float());
    } else if (field == 4 && wire == 5) t.floats.push_back(r.fixed32_float());
    else if (field == 8 && wire == 2) name = r.string();
    else if (field == 9 && wire == 2) { Reader b = r.bytes(); raw = b.p; raw_size = static_cast<size_t>(b.end - b.p); }
    else if (field == 14 && wire == 0) external = r.varint() == 1;
    else r.skip(wire);
  }
  if (external) throw malformed("initializer " + name + " keeps its data in an external file (not supported)");
  if (t.data_type == 1 && raw) {
    if (raw_size % 4) throw malformed("initializer " + name + " has raw_data of " + std::to_string(raw_size) + " bytes");
    t.floats.resize(raw_size / 4);
    std::memcpy(t.floats.data(), raw, raw_size);  // little-endian on every target the core builds for
  }
  if (t.data_type != 1) t.floats.clear();
  if (t.data_type == 1) {
    size_t n = 1;
    for (int64_t d : t.dims) {
      if (d < 0) throw malformed("initializer " + name + " has a negative dimension");
      n *= static_cast<size_t>(d);
    }
    if (n != t.floats.size()) {
      throw malformed("initializer " + name + " holds " + std::to_string(t.floats.size()) + " values for " +
                      std::to_string(n) + " elements");
    }
  }
  return t;
}

void read_attribute(Reader r, OnnxNode& node) {
  std::string name;
  std::vector<int64_t> ints;
  bool has_i = false, has_f = false;
  float f = 0;
  while (!r.done()) {
    const uint64_t key = r.varint();
    const uint32_t field = static_cast<uint32_t>(key >> 3), wire = static_cast<uint32_t>(key & 7);
    if (field == 1 && wire == 2) name = r.string();
    else if (field == 2 && wire == 5) { f = r.fixed32_float(); has_f = true; }
    else if (field == 3 && wire == 0) { ints.push_back(static_cast<int64_t>(r.varint())); has_i = true; }
    else if (field == 8 && (wire == 0 || wire == 2)) { read_int64s(r, wire, ints); has_i = true; }
    else r.skip(wire);
  }
  if (has_i) node.ints[name] = ints;
  if (has_f) node.floats[name] = f;
}

OnnxNode read_node(Reader r) {
  OnnxNode n;
  while (!r.done()) {
    const uint64_t key = r.varint();
    const uint32_t field = static_cast<uint32_t>(key >> 3), wire = static_cast<uint32_t>(key & 7);
    if (field == 1 && wire == 2) n.inputs.push_back(r.string());
    else if (field == 2 && wire == 2) n.outputs.push_back(r.string());
    else if (field == 4 && wire == 2) n.op_type = r.string();
    else if (field == 5 && wire == 2) read_attribute(r.bytes(), n);
    else r.skip(wire);
  }
  return n;
}

}  // namespace

OnnxGraph read_onnx(const uint8_t* bytes, size_t size) {
  if (!bytes || size == 0) throw malformed("no bytes");
  OnnxGraph g;
  bool has_graph = false;
  Reader model{bytes, bytes + size};
  while (!model.done()) {
    const uint64_t key = model.varint();
    const uint32_t field = static_cast<uint32_t>(key >> 3), wire = static_cast<uint32_t>(key & 7);
    if (field != 7 || wire != 2) { model.skip(wire); continue; }
    has_graph = true;
    Reader graph = model.bytes();
    while (!graph.done()) {
      const uint64_t k = graph.varint();
      const uint32_t f = static_cast<uint32_t>(k >> 3), w = static_cast<uint32_t>(k & 7);
      if (f == 1 && w == 2) {
        g.nodes.push_back(read_node(graph.bytes()));
      } else if (f == 5 && w == 2) {
        std::string name;
        OnnxTensor t = read_tensor(graph.bytes(), name);
        g.initializers[name] = std::move(t);
      } else {
        graph.skip(w);
      }
    }
  }
  if (!has_graph) throw malformed("no graph");
  return g;
}

const OnnxTensor& OnnxGraph::float_tensor(const std::string& name, size_t rank) const {
  auto it = initializers.find(name);
  if (it == initializers.end()) throw Error(ErrorCode::kInvalidArgument, "the model has no weight " + name);
  if (it->second.data_type != 1) {
    throw Error(ErrorCode::kInvalidArgument, "weight " + name + " is of ONNX type " +
                std::to_string(it->second.data_type) + ", the core runs float (type 1) weights only");
  }
  if (it->second.dims.size() != rank) {
    throw Error(ErrorCode::kInvalidArgument, "weight " + name + " has " + std::to_string(it->second.dims.size()) +
                " dimensions, expected " + std::to_string(rank));
  }
  return it->second;
}

const OnnxNode* OnnxGraph::consumer(const std::string& name, size_t index) const {
  for (const OnnxNode& n : nodes) {
    if (n.inputs.size() > index && n.inputs[index] == name) return &n;
  }
  return nullptr;
}

}  // namespace sid

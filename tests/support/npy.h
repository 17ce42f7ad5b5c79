// Minimal NumPy .npy (v1/v2, little-endian, C order) reader/writer for golden comparisons in tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sid::test {

struct NpyArray {
  std::string dtype;              // numpy descr, e.g. "<f4", "|u1", "<i4"
  std::vector<size_t> shape;
  std::vector<uint8_t> bytes;     // raw little-endian data
  size_t size() const;            // number of elements
  std::vector<float> as_float() const;   // converts f4/f8/u1/i4 to float
  std::vector<int32_t> as_int() const;   // converts u1/i4/i8 to int32
};

// Throws std::runtime_error with the path and the reason on failure.
NpyArray load_npy(const std::string& path);

}  // namespace sid::test

#include "npy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sid::test {

size_t NpyArray::size() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

template <typename T>
static T read_at(const std::vector<uint8_t>& b, size_t i) {
  T v;
  std::memcpy(&v, b.data() + i * sizeof(T), sizeof(T));
  return v;
}

std::vector<float> NpyArray::as_float() const {
  std::vector<float> out(size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (dtype == "<f4") out[i] = read_at<float>(bytes, i);
    else if (dtype == "<f8") out[i] = static_cast<float>(read_at<double>(bytes, i));
    else if (dtype == "|u1") out[i] = bytes[i];
    else if (dtype == "<i4") out[i] = static_cast<float>(read_at<int32_t>(bytes, i));
    else throw std::runtime_error("npy: cannot convert dtype " + dtype + " to float");
  }
  return out;
}

std::vector<int32_t> NpyArray::as_int() const {
  std::vector<int32_t> out(size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (dtype == "|u1" || dtype == "|b1") out[i] = bytes[i];
    else if (dtype == "<i4") out[i] = read_at<int32_t>(bytes, i);
    else if (dtype == "<i8") out[i] = static_cast<int32_t>(read_at<int64_t>(bytes, i));
    else throw std::runtime_error("npy: cannot convert dtype " + dtype + " to int");
  }
  return out;
}

static std::string dict_value(const std::string& header, const std::string& key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw std::runtime_error("npy: header lacks " + key);
  size_t colon = header.find(':', k);
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (header[start] == '\'') return header.substr(start + 1, header.find('\'', start + 1) - start - 1);
  if (header[start] == '(') return header.substr(start + 1, header.find(')', start) - start - 1);
  return header.substr(start, header.find_first_of(",}", start) - start);
}

NpyArray load_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("npy: cannot open " + path);
  std::vector<uint8_t> all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (all.size() < 10 || std::memcmp(all.data(), "\x93NUMPY", 6) != 0)
    throw std::runtime_error("npy: not a .npy file: " + path);
  const int major = all[6];
  size_t hlen, hstart;
  if (major == 1) { hlen = all[8] | (all[9] << 8); hstart = 10; }
  else { hlen = all[8] | (all[9] << 8) | (all[10] << 16) | (size_t(all[11]) << 24); hstart = 12; }
  std::string header(all.begin() + hstart, all.begin() + hstart + hlen);
  NpyArray a;
  a.dtype = dict_value(header, "descr");
  if (dict_value(header, "fortran_order").rfind("False", 0) != 0)
    throw std::runtime_error("npy: fortran order unsupported: " + path);
  std::string shape = dict_value(header, "shape");
  size_t pos = 0;
  while (pos < shape.size()) {
    size_t next = shape.find(',', pos);
    std::string tok = shape.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (tok.find_first_of("0123456789") != std::string::npos) a.shape.push_back(std::stoull(tok));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  a.bytes.assign(all.begin() + hstart + hlen, all.end());
  return a;
}

}  // namespace sid::test

// CRC-32 (IEEE 802.3 / zlib / PNG: reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF).
#pragma once
#include <cstddef>
#include <cstdint>

namespace sid {

// CRC-32 of `size` bytes. To checksum data in pieces, pass the previous result as `crc`
// (crc32(b, nb, crc32(a, na)) == crc32 of a followed by b). crc32("123456789") == 0xCBF43926.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace sid

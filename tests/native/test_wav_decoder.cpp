// WAV decoder: every format / bit depth / channel count (built in memory), EXTENSIBLE, odd and unknown chunks,
// truncated data, a table of malformed inputs, truncation at every offset and seeded header corruption, real files.
#include <catch.hpp>

#include "error.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "audio/downmix.h"
#include "audio/wav_decoder.h"
#include "golden.h"

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
void put_id(Bytes& b, const char* id) { b.insert(b.end(), id, id + 4); }

struct Chunk {
  std::string id;
  Bytes body;
  int64_t declared = -1;  // size written in the header; -1 = body size
  bool pad = true;        // add the RIFF pad byte after an odd body
};

Bytes riff(const std::vector<Chunk>& chunks, const char* form = "WAVE", const char* magic = "RIFF") {
  Bytes b;
  put_id(b, magic);
  put32(b, 0);  // patched below
  put_id(b, form);
  for (const auto& c : chunks) {
    put_id(b, c.id.c_str());
    put32(b, c.declared >= 0 ? static_cast<uint32_t>(c.declared) : static_cast<uint32_t>(c.body.size()));
    b.insert(b.end(), c.body.begin(), c.body.end());
    if (c.pad && (c.body.size() & 1)) b.push_back(0);
  }
  const uint32_t riff_size = static_cast<uint32_t>(b.size() - 8);
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(riff_size >> (8 * i));
  return b;
}

Bytes fmt_body(uint16_t tag, uint16_t channels, uint32_t rate, uint16_t bits, int block_align = -1) {
  Bytes b;
  const uint16_t align = block_align >= 0 ? static_cast<uint16_t>(block_align) : static_cast<uint16_t>(channels * bits / 8);
  put16(b, tag);
  put16(b, channels);
  put32(b, rate);
  put32(b, rate * align);
  put16(b, align);
  put16(b, bits);
  return b;
}

Bytes fmt_ext_body(uint16_t sub, uint16_t channels, uint32_t rate, uint16_t bits, uint16_t valid,
                   uint32_t mask = 0, bool good_guid = true) {
  Bytes b = fmt_body(0xFFFE, channels, rate, bits);
  put16(b, 22);
  put16(b, valid);
  put32(b, mask);
  put16(b, sub);
  const uint8_t tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
  b.insert(b.end(), tail, tail + 14);
  if (!good_guid) b[b.size() - 1] ^= 0xFF;
  return b;
}

// Deterministic test values per format, encoded and with the expected float.
struct Encoded {
  Bytes data;
  std::vector<float> expect;
};

Encoded make_pcm(int bits, size_t count, bool is_float, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  Encoded e;
  for (size_t i = 0; i < count; ++i) {
    if (is_float && bits == 32) {
      float v = std::uniform_real_distribution<float>(-1.5f, 1.5f)(rng);
      if (i == 0) v = 0.0f;
      if (i == 1) v = -1.0f;
      uint32_t u;
      std::memcpy(&u, &v, 4);
      put32(e.data, u);
      e.expect.push_back(v);
    } else if (is_float && bits == 64) {
      double v = std::uniform_real_distribution<double>(-1.5, 1.5)(rng);
      if (i == 0) v = 1.0;
      uint64_t u;
      std::memcpy(&u, &v, 8);
      put32(e.data, static_cast<uint32_t>(u));
      put32(e.data, static_cast<uint32_t>(u >> 32));
      e.expect.push_back(static_cast<float>(v));
    } else {
      const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
      int64_t v = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      if (i == 0) v = lo;  // full-scale negative -> exactly -1
      if (i == 1) v = hi;
      if (i == 2) v = 0;
      const double expect = static_cast<double>(v) / std::ldexp(1.0, bits - 1);
      e.expect.push_back(static_cast<float>(expect));
      if (bits == 8) {
        e.data.push_back(static_cast<uint8_t>(v + 128));  // unsigned, offset binary
      } else {
        const uint64_t u = static_cast<uint64_t>(v);
        for (int byte = 0; byte < bits / 8; ++byte) e.data.push_back(static_cast<uint8_t>(u >> (8 * byte)));
      }
    }
  }
  return e;
}

// decode_wav throws (error.h); tests look at the outcome as ok / reason / audio.
struct Decoded {
  bool ok = false;
  std::string error;
  sid::DecodedAudio audio;
};
Decoded decode(const uint8_t* data, size_t size) {
  Decoded r;
  try {
    r.audio = sid::decode_wav(data, size);
    r.ok = true;
  } catch (const sid::Error& e) {
    CHECK(e.code() == sid::ErrorCode::kInvalidAudio);
    r.error = e.what();
  }
  return r;
}
Decoded decode(const Bytes& b) { return decode(b.data(), b.size()); }

}  // namespace

TEST_CASE("wav: every PCM / float bit depth and 1-8 channels decode exactly", "[wav]") {
  struct Fmt { uint16_t tag; int bits; bool is_float; };
  for (const Fmt f : {Fmt{1, 8, false}, Fmt{1, 16, false}, Fmt{1, 24, false}, Fmt{1, 32, false}, Fmt{3, 32, true},
                      Fmt{3, 64, true}}) {
    for (int ch = 1; ch <= 8; ++ch) {
      const size_t frames = 37;
      const Encoded enc = make_pcm(f.bits, frames * ch, f.is_float, static_cast<uint32_t>(f.bits * 10 + ch));
      const Bytes wav = riff({{"fmt ", fmt_body(f.tag, static_cast<uint16_t>(ch), 22050, static_cast<uint16_t>(f.bits))},
                              {"data", enc.data}});
      const auto r = decode(wav);
      INFO("tag " << f.tag << " bits " << f.bits << " channels " << ch << ": " << r.error);
      REQUIRE(r.ok);
      CHECK(r.error.empty());
      CHECK(r.audio.sample_rate == 22050);
      CHECK(r.audio.channels == ch);
      CHECK(r.audio.bits_per_sample == f.bits);
      CHECK(r.audio.is_float == f.is_float);
      CHECK(r.audio.frames() == frames);
      REQUIRE(r.audio.samples.size() == enc.expect.size());
      CHECK(r.audio.samples == enc.expect);  // bit-exact
    }
  }
}

TEST_CASE("wav: integer scaling follows soundfile (x / 2^(bits-1); 8-bit (x-128)/128)", "[wav]") {
  Bytes d16;
  for (int v : {-32768, -1, 0, 1, 16384, 32767}) put16(d16, static_cast<uint16_t>(v));
  auto r = decode(riff({{"fmt ", fmt_body(1, 1, 16000, 16)}, {"data", d16}}));
  REQUIRE(r.ok);
  CHECK(r.audio.samples == std::vector<float>{-1.0f, -1.0f / 32768, 0.0f, 1.0f / 32768, 0.5f, 32767.0f / 32768});
  Bytes d8 = {0, 64, 128, 192, 255};
  r = decode(riff({{"fmt ", fmt_body(1, 1, 8000, 8)}, {"data", d8, -1, true}}));
  REQUIRE(r.ok);
  CHECK(r.audio.samples == std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f, 127.0f / 128});
  Bytes d24 = {0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF};
  r = decode(riff({{"fmt ", fmt_body(1, 2, 48000, 24)}, {"data", d24}}));
  REQUIRE(r.ok);
  CHECK(r.audio.samples == std::vector<float>{-1.0f, 8388607.0f / 8388608, 0.5f, -1.0f / 8388608});
}

TEST_CASE("wav: WAVE_FORMAT_EXTENSIBLE PCM and float sub-formats", "[wav]") {
  for (int bits : {16, 24, 32}) {
    const Encoded enc = make_pcm(bits, 6 * 20, false, 5);
    const auto r = decode(riff({{"fmt ", fmt_ext_body(1, 6, 48000, static_cast<uint16_t>(bits),
                                                      static_cast<uint16_t>(bits), 0x3F)},
                                {"fact", {4, 0, 0, 0}},
                                {"data", enc.data}}));
    INFO(bits << ": " << r.error);
    REQUIRE(r.ok);
    CHECK(r.audio.channels == 6);
    CHECK(r.audio.samples == enc.expect);
  }
  for (int bits : {32, 64}) {
    const Encoded enc = make_pcm(bits, 40, true, 6);
    const auto r = decode(riff({{"fmt ", fmt_ext_body(3, 2, 96000, static_cast<uint16_t>(bits), 0, 3)}, {"data", enc.data}}));
    REQUIRE(r.ok);
    CHECK(r.audio.is_float);
    CHECK(r.audio.bits_per_sample == bits);
    CHECK(r.audio.samples == enc.expect);
  }
  // 20 valid bits in a 24-bit container: left-justified, read and scaled by the container.
  Bytes d;
  for (int32_t v20 : {-(1 << 19), (1 << 19) - 1, 1 << 18, -1}) {
    const uint32_t u = static_cast<uint32_t>(v20) << 4;
    d.push_back(static_cast<uint8_t>(u));
    d.push_back(static_cast<uint8_t>(u >> 8));
    d.push_back(static_cast<uint8_t>(u >> 16));
  }
  auto r = decode(riff({{"fmt ", fmt_ext_body(1, 1, 44100, 24, 20, 4)}, {"data", d}}));
  REQUIRE(r.ok);
  CHECK(r.audio.bits_per_sample == 20);
  CHECK(r.audio.samples == std::vector<float>{-1.0f, static_cast<float>(((1 << 19) - 1) / 524288.0), 0.5f,
                                              -1.0f / 524288});
  // A longer fmt chunk (cbSize 22 + trailing bytes) is fine.
  Bytes fmt_long = fmt_ext_body(1, 1, 16000, 16, 16, 4);
  fmt_long.insert(fmt_long.end(), {1, 2, 3, 4});
  r = decode(riff({{"fmt ", fmt_long}, {"data", {0x00, 0x40}}}));
  REQUIRE(r.ok);
  CHECK(r.audio.samples == std::vector<float>{0.5f});
}

TEST_CASE("wav: unknown, odd-sized and trailing chunks; fmt extensions", "[wav]") {
  Bytes d16;
  for (int v : {100, -200, 300, -400}) put16(d16, static_cast<uint16_t>(v));
  const std::vector<float> expect = {100 / 32768.0f, -200 / 32768.0f, 300 / 32768.0f, -400 / 32768.0f};
  // Odd-sized chunks (padded), an empty chunk, LIST/JUNK/bext-like chunks before data, id3 after data.
  const auto r = decode(riff({{"JUNK", Bytes(27, 0xAA)},
                              {"fmt ", fmt_body(1, 2, 16000, 16)},
                              {"LIST", Bytes(13, 'x')},
                              {"bext", Bytes{}},
                              {"zzzz", Bytes(1, 0)},
                              {"data", d16},
                              {"id3 ", Bytes(9, 1)}}));
  REQUIRE(r.ok);
  CHECK(r.audio.channels == 2);
  CHECK(r.audio.frames() == 2);
  CHECK(r.audio.samples == expect);
  // WAVEFORMATEX (18-byte fmt with cbSize 0) and an odd-sized data chunk (8-bit, 3 samples) followed by its pad byte.
  Bytes fmt18 = fmt_body(1, 1, 16000, 16);
  put16(fmt18, 0);
  auto r2 = decode(riff({{"fmt ", fmt18}, {"data", d16}}));
  REQUIRE(r2.ok);
  CHECK(r2.audio.samples == expect);
  r2 = decode(riff({{"fmt ", fmt_body(1, 1, 8000, 8)}, {"data", {0, 128, 255}}, {"LIST", Bytes(4, 0)}}));
  REQUIRE(r2.ok);
  CHECK(r2.audio.frames() == 3);
  // The RIFF size field is not trusted (streamed writers leave 0 or 0xFFFFFFFF there).
  Bytes w = riff({{"fmt ", fmt_body(1, 2, 16000, 16)}, {"data", d16}});
  for (uint32_t bogus : {0u, 4u, 0xFFFFFFFFu}) {
    for (int i = 0; i < 4; ++i) w[4 + i] = static_cast<uint8_t>(bogus >> (8 * i));
    const auto r3 = decode(w);
    REQUIRE(r3.ok);
    CHECK(r3.audio.samples == expect);
  }
}

TEST_CASE("wav: probe_wav finds the samples from the file's first bytes, as decode_wav counts them", "[wav]") {
  Bytes d16;
  for (int v : {100, -200, 300, -400, 500, -600}) put16(d16, static_cast<uint16_t>(v));
  const Bytes w = riff({{"JUNK", Bytes(27, 0xAA)}, {"fmt ", fmt_body(1, 2, 16000, 16)}, {"LIST", Bytes(13, 'x')},
                        {"data", d16}, {"id3 ", Bytes(9, 1)}});
  const auto full = decode(w);
  REQUIRE(full.ok);
  const size_t header = w.size() - d16.size() - 8 - 1 - 9;  // up to the first sample (the id3 chunk is 8 + 9 + pad)
  for (size_t prefix : {header, header + 1, w.size()}) {
    const sid::WavLayout l = sid::probe_wav(w.data(), prefix, w.size());
    CHECK(l.sample_rate == 16000);
    CHECK(l.channels == 2);
    CHECK(l.container_bits == 16);
    CHECK_FALSE(l.is_float);
    CHECK(l.block_align == 4);
    CHECK(l.frames == full.audio.frames());
    // The window of frames [1, 3) read at data_offset decodes to the same samples as the whole file.
    const Bytes window = riff({{"fmt ", fmt_body(1, 2, 16000, 16)},
                               {"data", Bytes(w.begin() + static_cast<long>(l.data_offset + l.block_align),
                                              w.begin() + static_cast<long>(l.data_offset + 3 * l.block_align))}});
    const auto part = decode(window);
    REQUIRE(part.ok);
    CHECK(part.audio.samples == std::vector<float>(full.audio.samples.begin() + 2, full.audio.samples.begin() + 6));
  }
  // A file cut short: frames are those present in the whole file, not what the data chunk declares.
  const sid::WavLayout cut = sid::probe_wav(w.data(), header, header + 5);
  CHECK(cut.frames == 1);
  // Too few bytes to reach the samples, and broken headers: the decoder's errors.
  auto error_of = [](const Bytes& b, size_t prefix, size_t total) -> std::string {
    try {
      sid::probe_wav(b.data(), prefix, total);
    } catch (const sid::Error& e) {
      CHECK(e.code() == sid::ErrorCode::kInvalidAudio);
      return e.what();
    }
    return "";
  };
  CHECK_THAT(error_of(w, header - 10, w.size()), Catch::Matchers::Contains("span more than the"));
  CHECK_THAT(error_of(w, 60, w.size()), Catch::Matchers::Contains("fmt chunk ends after"));
  Bytes bad = w;
  bad[0] = 'X';
  CHECK_THAT(error_of(bad, bad.size(), bad.size()), Catch::Matchers::Contains("no RIFF signature"));
  CHECK_THROWS_AS(sid::probe_wav(w.data(), w.size(), w.size() - 1), sid::Error);  // a prefix longer than the file
}

TEST_CASE("wav: data size larger than the file is clamped to whole frames", "[wav]") {
  Bytes d16;
  for (int v = 0; v < 10; ++v) put16(d16, static_cast<uint16_t>(v * 1000));
  // Declared 1000 bytes, 20 present, stereo 16-bit (4-byte frames): 5 frames.
  auto r = decode(riff({{"fmt ", fmt_body(1, 2, 16000, 16)}, {"data", d16, 1000}}));
  REQUIRE(r.ok);
  CHECK(r.audio.frames() == 5);
  // Streamed 0xFFFFFFFF data size.
  r = decode(riff({{"fmt ", fmt_body(1, 2, 16000, 16)}, {"data", d16, 0xFFFFFFFF}}));
  REQUIRE(r.ok);
  CHECK(r.audio.frames() == 5);
  // A partial trailing frame is dropped: 22 bytes -> 5 frames.
  Bytes d22 = d16;
  d22.push_back(1);
  d22.push_back(2);
  r = decode(riff({{"fmt ", fmt_body(1, 2, 16000, 16)}, {"data", d22, 4000}}));
  REQUIRE(r.ok);
  CHECK(r.audio.frames() == 5);
  // Also when the declared size is honest but not a multiple of the frame (soundfile drops the tail too).
  r = decode(riff({{"fmt ", fmt_body(1, 2, 16000, 16)}, {"data", d22}}));
  REQUIRE(r.ok);
  CHECK(r.audio.frames() == 5);
  // A declared-empty data chunk decodes to zero frames.
  r = decode(riff({{"fmt ", fmt_body(1, 1, 16000, 16)}, {"data", {}}}));
  REQUIRE(r.ok);
  CHECK(r.audio.frames() == 0);
  // Truncated data with no complete frame is an error.
  r = decode(riff({{"fmt ", fmt_body(1, 2, 16000, 24)}, {"data", {1, 2, 3, 4, 5}, 600, false}}));
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("no complete frame") != std::string::npos);
}

TEST_CASE("wav: malformed inputs are rejected with a reason", "[wav]") {
  Bytes d16(8, 0);
  const Bytes good_fmt = fmt_body(1, 1, 16000, 16);
  Bytes short_fmt(good_fmt.begin(), good_fmt.begin() + 14);
  Bytes ext_short = fmt_ext_body(1, 1, 16000, 16, 16);
  ext_short.resize(30);
  Bytes ext_cb = fmt_ext_body(1, 1, 16000, 16, 16);
  ext_cb[16] = 10;
  struct Case {
    const char* what;
    Bytes bytes;
    const char* reason;
  };
  const Bytes empty;
  std::vector<Case> cases = {
      {"empty", empty, "too short"},
      {"11 bytes", Bytes{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V'}, "too short"},
      {"not RIFF", riff({{"fmt ", good_fmt}, {"data", d16}}, "WAVE", "JUNK"), "no RIFF signature"},
      {"RIFX", riff({{"fmt ", good_fmt}, {"data", d16}}, "WAVE", "RIFX"), "RIFX"},
      {"RF64", riff({{"fmt ", good_fmt}, {"data", d16}}, "WAVE", "RF64"), "RF64"},
      {"AVI form", riff({{"fmt ", good_fmt}, {"data", d16}}, "AVI "), "not 'WAVE'"},
      {"header only", riff({}), "no fmt chunk"},
      {"no fmt", riff({{"LIST", Bytes(4, 0)}}), "no fmt chunk"},
      {"no data", riff({{"fmt ", good_fmt}, {"LIST", Bytes(4, 0)}}), "no data chunk"},
      {"data before fmt", riff({{"data", d16}, {"fmt ", good_fmt}}), "before any fmt"},
      {"two fmt", riff({{"fmt ", good_fmt}, {"fmt ", good_fmt}, {"data", d16}}), "more than one fmt"},
      {"fmt too short", riff({{"fmt ", short_fmt}, {"data", d16}}), "at least 16 bytes"},
      {"fmt truncated", riff({{"fmt ", good_fmt, 4000}}), "fmt chunk declares"},
      {"chunk past end", riff({{"fmt ", good_fmt}, {"LIST", Bytes(4, 0), 0x7FFFFFF0}}), "declares"},
      {"zero channels", riff({{"fmt ", fmt_body(1, 0, 16000, 16, 2)}, {"data", d16}}), "channel count 0"},
      {"nine channels", riff({{"fmt ", fmt_body(1, 9, 16000, 16)}, {"data", d16}}), "channel count 9"},
      {"zero rate", riff({{"fmt ", fmt_body(1, 1, 0, 16)}, {"data", d16}}), "sample rate 0"},
      {"rate 999", riff({{"fmt ", fmt_body(1, 1, 999, 16)}, {"data", d16}}), "out of range"},
      {"absurd rate", riff({{"fmt ", fmt_body(1, 1, 0xFFFFFFFF, 16)}, {"data", d16}}), "out of range"},
      {"rate 384001", riff({{"fmt ", fmt_body(1, 1, 384001, 16)}, {"data", d16}}), "out of range"},
      // The decoder takes exactly the rates the resampler takes (8-192 kHz), and says so.
      {"rate 7999", riff({{"fmt ", fmt_body(1, 1, 7999, 16)}, {"data", d16}}), "accepted: 8000..192000 Hz"},
      {"rate 192001", riff({{"fmt ", fmt_body(1, 1, 192001, 16)}, {"data", d16}}), "accepted: 8000..192000 Hz"},
      {"12-bit PCM", riff({{"fmt ", fmt_body(1, 1, 16000, 12, 2)}, {"data", d16}}), "12 bits"},
      {"0-bit PCM", riff({{"fmt ", fmt_body(1, 1, 16000, 0, 2)}, {"data", d16}}), "0 bits"},
      {"16-bit float", riff({{"fmt ", fmt_body(3, 1, 16000, 16)}, {"data", d16}}), "IEEE float with 16 bits"},
      {"block align", riff({{"fmt ", fmt_body(1, 2, 16000, 16, 2)}, {"data", d16}}), "block align 2"},
      {"block align 0", riff({{"fmt ", fmt_body(1, 1, 16000, 16, 0)}, {"data", d16}}), "block align 0"},
      {"mu-law", riff({{"fmt ", fmt_body(7, 1, 8000, 8)}, {"data", d16}}), "mu-law"},
      {"ADPCM", riff({{"fmt ", fmt_body(2, 1, 8000, 4, 256)}, {"data", d16}}), "format tag 0x0002"},
      {"ext too short", riff({{"fmt ", ext_short}, {"data", d16}}), "at least 40 bytes"},
      {"ext cbSize", riff({{"fmt ", ext_cb}, {"data", d16}}), "extension size"},
      {"ext bad guid", riff({{"fmt ", fmt_ext_body(1, 1, 16000, 16, 16, 0, false)}, {"data", d16}}), "GUID"},
      {"ext alaw", riff({{"fmt ", fmt_ext_body(6, 1, 16000, 16, 16)}, {"data", d16}}), "sub-format 0x0006"},
      {"ext valid > container", riff({{"fmt ", fmt_ext_body(1, 1, 16000, 16, 20)}, {"data", d16}}), "exceed"},
      {"ext float valid bits", riff({{"fmt ", fmt_ext_body(3, 1, 16000, 32, 24)}, {"data", d16}}), "valid bits"},
      {"truncated data", riff({{"fmt ", fmt_body(1, 4, 16000, 32)}, {"data", Bytes(15, 0), 64, false}}), "no complete frame"},
  };
  for (const auto& c : cases) {
    const auto r = decode(c.bytes.data(), c.bytes.size());
    INFO(c.what << ": \"" << r.error << "\"");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find(c.reason) != std::string::npos);
    CHECK(r.error.find("accepted") != std::string::npos);  // "what is wrong; what is accepted"
    CHECK(r.error.find('\n') == std::string::npos);
    CHECK(r.audio.samples.empty());
  }
  const auto r = decode(nullptr, 0);
  CHECK_FALSE(r.ok);
}

TEST_CASE("wav: truncation at every byte offset and seeded header corruption never crash", "[wav]") {
  const Encoded enc = make_pcm(24, 3 * 11, false, 9);
  const Bytes full = riff({{"JUNK", Bytes(5, 0)},
                           {"fmt ", fmt_ext_body(1, 3, 44100, 24, 24, 7)},
                           {"data", enc.data},
                           {"LIST", Bytes(6, 'a')}});
  size_t oks = 0;
  for (size_t len = 0; len <= full.size(); ++len) {
    // Copy into an exact-size heap buffer so that sanitizers catch any over-read.
    std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
    const auto r = decode(cut.empty() ? nullptr : cut.data(), cut.size());
    if (r.ok) {
      ++oks;
      CHECK(r.audio.samples.size() % 3 == 0);
      CHECK(r.audio.frames() <= 11);
      // Whatever was decoded is a prefix of the full decode.
      for (size_t i = 0; i < r.audio.samples.size(); ++i) REQUIRE(r.audio.samples[i] == enc.expect[i]);
    } else {
      CHECK_FALSE(r.error.empty());
    }
  }
  CHECK(oks > 0);
  const auto whole = decode(full);
  REQUIRE(whole.ok);
  CHECK(whole.audio.samples == enc.expect);

  // Flip random bytes in the first 100 bytes (headers), 1-4 at a time, 20000 trials, seeded.
  std::mt19937 rng(20240607);
  size_t ok_count = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    Bytes b = full;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t pos = rng() % std::min<size_t>(100, b.size());
      b[pos] = static_cast<uint8_t>(rng());
    }
    if (rng() % 3 == 0) b.resize(rng() % (b.size() + 1));
    const auto r = decode(b);
    if (r.ok) {
      ++ok_count;
      CHECK(r.audio.channels >= 1);
      CHECK(r.audio.channels <= sid::kWavMaxChannels);
      CHECK(r.audio.sample_rate >= sid::kWavMinRate);
      CHECK(r.audio.sample_rate <= sid::kWavMaxRate);
      CHECK(r.audio.samples.size() * 2 <= b.size());  // never more samples than the bytes can hold
    } else {
      CHECK_FALSE(r.error.empty());
    }
  }
  WARN("header corruption: " << ok_count << " of 20000 still decoded");
}

TEST_CASE("wav: real files decode to the known shapes", "[wav][golden]") {
  struct Known { std::string path; int rate, channels; size_t frames; };
  const std::string in = sid::test::golden_dir() + "/inputs/";
  const std::vector<Known> known = {
      {in + "synth_stereo_44k1.wav", 44100, 2, 126567},
  };
  for (const auto& k : known) {
    const auto bytes = sid::test::read_file(k.path);
    const auto r = decode(bytes);
    INFO(k.path << ": " << r.error);
    REQUIRE(r.ok);
    CHECK(r.audio.sample_rate == k.rate);
    CHECK(r.audio.channels == k.channels);
    CHECK(r.audio.frames() == k.frames);
    CHECK(r.audio.bits_per_sample == 16);
    CHECK_FALSE(r.audio.is_float);
  }
  // The 16 kHz mono WAV inputs decode bit-exactly to librosa.load's raw.npy.
  for (const char* id : {"dev07_sb-ASR_spk1_snt1", "dev08_sb-ASR_spk2_snt1", "dev09_synth_short_0p6s",
                         "dev10_synth_silence_gap", "dev11_synth_quiet_-45dBFS"}) {
    const auto bytes = sid::test::read_file(sid::test::golden_wav_input(id));
    const auto r = decode(bytes);
    INFO(id << ": " << r.error);
    REQUIRE(r.ok);
    CHECK(r.audio.sample_rate == 16000);
    REQUIRE(r.audio.channels == 1);
    const auto raw = sid::test::golden_array(id, "resemblyzer", "raw").as_float();
    const auto mono = sid::downmix_to_mono(r.audio.samples.data(), r.audio.frames(), r.audio.channels);
    REQUIRE(mono.size() == raw.size());
    CHECK(mono == raw);
  }
}

TEST_CASE("downmix: float32 mean of the channels", "[wav]") {
  const float st[] = {0.25f, 0.5f, -1.0f, 1.0f, 0.1f, 0.2f};
  const auto m = sid::downmix_to_mono(st, 3, 2);
  REQUIRE(m.size() == 3);
  CHECK(m[0] == (0.25f + 0.5f) / 2);
  CHECK(m[1] == 0.0f);
  CHECK(m[2] == (0.1f + 0.2f) / 2.0f);
  const float three[] = {0.1f, 0.2f, 0.7f};
  const auto m3 = sid::downmix_to_mono(three, 1, 3);
  CHECK(m3[0] == ((0.1f + 0.2f) + 0.7f) / 3.0f);  // numpy: sequential float32 sum, then / count
  const float mono[] = {0.3f, -0.4f};
  CHECK(sid::downmix_to_mono(mono, 2, 1) == std::vector<float>{0.3f, -0.4f});
  CHECK(sid::downmix_to_mono(mono, 0, 2).empty());
  CHECK(sid::downmix_to_mono(mono, 2, 0).empty());
}

// WAV decoder: little-endian RIFF/WAVE, PCM 8/16/24/32, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE.
//
// Behaviour on edge cases (all errors are one line: "what is wrong; what is accepted"):
// - The RIFF size field is not trusted (streamed files often carry 0 or 0xFFFFFFFF): chunks are walked up to the
//   real end of the buffer. Parsing stops at the first data chunk; chunks after it (LIST, id3, ...) are ignored.
// - Unknown chunks (LIST, fact, JUNK, bext, cue, ...) before data are skipped; odd-sized chunks are followed by one pad
//   byte (RIFF rule). A chunk other than data whose size runs past the end of the buffer is an error.
// - fmt must come before data and appear once; a data chunk seen before fmt is an error.
// - data size larger than the bytes left (truncated file, or streamed 0xFFFFFFFF): clamped to the whole frames that
//   are present; if not even one whole frame is present it is an error. A trailing partial frame is dropped. A data
//   chunk that declares 0 bytes decodes to ok with zero frames.
// - EXTENSIBLE: the container size (wBitsPerSample) decides how samples are read and scaled (x / 2^(container-1)),
//   so left-justified samples with fewer valid bits (e.g. 20 valid bits in a 24-bit container) decode to their
//   true amplitude; valid bits must be in 1..container (0 is read as "= container"); bits_per_sample reports the
//   valid bits. For float, valid bits must equal the container.
// - Float samples are passed through as stored (NaN/Inf included), float64 rounded to float32.
// Memory: the only allocation is the output, sized from the bytes actually present (never from a header field).
#include "audio/wav_decoder.h"

#include "error.h"

#include <cstring>
#include <string>

namespace sid {
namespace {

constexpr uint16_t kFormatPcm = 0x0001;
constexpr uint16_t kFormatFloat = 0x0003;
constexpr uint16_t kFormatExtensible = 0xFFFE;

// KSDATAFORMAT_SUBTYPE_* GUID tail shared by PCM and IEEE float (bytes 2..15 as stored in the file).
constexpr uint8_t kGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                   0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

constexpr const char* kAcceptedFormats =
    "accepted: PCM (tag 1) 8/16/24/32-bit, IEEE float (tag 3) 32/64-bit, or EXTENSIBLE (tag 0xFFFE) with a PCM or "
    "float sub-format";

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t rd32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

// Printable rendering of a 4-byte chunk id (non-printable bytes as '?').
std::string fourcc(const uint8_t* p) {
  std::string s(4, '?');
  for (int i = 0; i < 4; ++i)
    if (p[i] >= 0x20 && p[i] < 0x7F) s[i] = static_cast<char>(p[i]);
  return "'" + s + "'";
}

std::string hex16(unsigned v) {
  static const char* d = "0123456789ABCDEF";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += d[(v >> shift) & 0xF];
  return s;
}

// The decoder's internal outcome; decode_wav turns a failure into the one error model (error.h).
struct WavDecodeResult {
  bool ok = false;
  std::string error;  // empty when ok
  DecodedAudio audio;
};

WavDecodeResult fail(std::string reason) {
  WavDecodeResult r;
  r.ok = false;
  r.error = std::move(reason);
  return r;
}

struct Format {
  bool is_float = false;
  int channels = 0;
  int rate = 0;
  int container_bits = 0;
  int valid_bits = 0;
  size_t block_align = 0;
};

// Parses a fmt chunk body of `size` bytes (all present). Returns an empty string on success, else the reason.
std::string parse_fmt(const uint8_t* p, size_t size, Format& f) {
  if (size < 16)
    return "fmt chunk is " + std::to_string(size) + " bytes; accepted: at least 16 bytes (WAVEFORMAT)";
  const uint16_t tag = rd16(p);
  const uint16_t channels = rd16(p + 2);
  const uint32_t rate = rd32(p + 4);
  const uint16_t block_align = rd16(p + 12);
  const uint16_t bits = rd16(p + 14);

  uint16_t effective_tag = tag;
  int valid_bits = bits;
  if (tag == kFormatExtensible) {
    if (size < 40)
      return "EXTENSIBLE fmt chunk is " + std::to_string(size) +
             " bytes; accepted: at least 40 bytes (WAVEFORMATEXTENSIBLE)";
    const uint16_t cb_size = rd16(p + 16);
    if (cb_size < 22)
      return "EXTENSIBLE fmt extension size is " + std::to_string(cb_size) + "; accepted: at least 22";
    valid_bits = rd16(p + 18);
    const uint8_t* guid = p + 24;
    if (std::memcmp(guid + 2, kGuidTail, sizeof kGuidTail) != 0 || guid[1] != 0)
      return "EXTENSIBLE sub-format GUID is not a KSDATAFORMAT_SUBTYPE; accepted: the PCM or IEEE float sub-format";
    effective_tag = guid[0];
    if (effective_tag != kFormatPcm && effective_tag != kFormatFloat)
      return "EXTENSIBLE sub-format " + hex16(effective_tag) + " is not supported; accepted: PCM (1) or IEEE float (3)";
    if (valid_bits == 0) valid_bits = bits;
    if (valid_bits > bits)
      return "EXTENSIBLE valid bits " + std::to_string(valid_bits) + " exceed the container's " + std::to_string(bits) +
             "; accepted: valid bits <= container bits";
  } else if (tag != kFormatPcm && tag != kFormatFloat) {
    std::string name;
    switch (tag) {
      case 0x0002: name = " (MS ADPCM)"; break;
      case 0x0006: name = " (A-law)"; break;
      case 0x0007: name = " (mu-law)"; break;
      case 0x0011: name = " (IMA ADPCM)"; break;
      case 0x0055: name = " (MP3)"; break;
      default: break;
    }
    return "format tag " + hex16(tag) + name + " is not supported; " + kAcceptedFormats;
  }

  if (channels == 0 || channels > kWavMaxChannels)
    return "channel count " + std::to_string(channels) + " is not supported; accepted: 1.." +
           std::to_string(kWavMaxChannels) + " channels";
  if (rate < static_cast<uint32_t>(kWavMinRate) || rate > static_cast<uint32_t>(kWavMaxRate))
    return "sample rate " + std::to_string(rate) + " Hz is out of range; accepted: " + std::to_string(kWavMinRate) +
           ".." + std::to_string(kWavMaxRate) + " Hz";

  const bool is_float = effective_tag == kFormatFloat;
  if (is_float) {
    if (bits != 32 && bits != 64)
      return "IEEE float with " + std::to_string(bits) + " bits per sample is not supported; accepted: 32 or 64";
    if (valid_bits != bits)
      return "IEEE float with " + std::to_string(valid_bits) + " valid bits in a " + std::to_string(bits) +
             "-bit container is not supported; accepted: valid bits equal to the container (32 or 64)";
  } else {
    if (bits != 8 && bits != 16 && bits != 24 && bits != 32)
      return "PCM with " + std::to_string(bits) +
             " bits per sample is not supported; accepted: 8, 16, 24 or 32 (EXTENSIBLE may declare fewer valid bits)";
    if (valid_bits < 1)
      return "PCM with 0 valid bits; accepted: 1..container bits";
  }

  const size_t expected_align = static_cast<size_t>(channels) * (bits / 8);
  if (block_align != expected_align)
    return "block align " + std::to_string(block_align) + " is inconsistent with " + std::to_string(channels) +
           " channel(s) of " + std::to_string(bits) + " bits; accepted: block align = channels * bits / 8 = " +
           std::to_string(expected_align);

  f.is_float = is_float;
  f.channels = channels;
  f.rate = static_cast<int>(rate);
  f.container_bits = bits;
  f.valid_bits = valid_bits;
  f.block_align = expected_align;
  return {};
}

void convert(const uint8_t* p, size_t count, const Format& f, float* out) {
  switch (f.container_bits) {
    case 8:
      if (!f.is_float)
        for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(static_cast<int>(p[i]) - 128) / 128.0f;
      break;
    case 16:
      for (size_t i = 0; i < count; ++i, p += 2)
        out[i] = static_cast<float>(static_cast<int16_t>(rd16(p))) / 32768.0f;
      break;
    case 24:
      for (size_t i = 0; i < count; ++i, p += 3) {
        // Sign-extend by placing the 3 bytes in the top of an int32, then scale by 2^-31 (exact).
        const uint32_t u = (static_cast<uint32_t>(p[0]) << 8) | (static_cast<uint32_t>(p[1]) << 16) |
                           (static_cast<uint32_t>(p[2]) << 24);
        int32_t v;
        std::memcpy(&v, &u, 4);
        out[i] = static_cast<float>(static_cast<double>(v) / 2147483648.0);
      }
      break;
    case 32:
      if (f.is_float) {
        for (size_t i = 0; i < count; ++i, p += 4) {
          const uint32_t u = rd32(p);
          float v;
          std::memcpy(&v, &u, 4);
          out[i] = v;
        }
      } else {
        for (size_t i = 0; i < count; ++i, p += 4) {
          const uint32_t u = rd32(p);
          int32_t v;
          std::memcpy(&v, &u, 4);
          out[i] = static_cast<float>(static_cast<double>(v) / 2147483648.0);
        }
      }
      break;
    case 64:
      for (size_t i = 0; i < count; ++i, p += 8) {
        const uint64_t u = static_cast<uint64_t>(rd32(p)) | (static_cast<uint64_t>(rd32(p + 4)) << 32);
        double v;
        std::memcpy(&v, &u, 8);
        out[i] = static_cast<float>(v);
      }
      break;
    default:
      break;
  }
}

// Where the samples are: the fmt and the data chunk found by walking the chunks of `data` (the first `size` bytes
// of a file of `total` bytes; all of it when decoding). Chunk sizes are checked against the whole file.
struct Located {
  std::string error;  // empty when found
  Format fmt;
  size_t data_offset = 0;
  size_t frames = 0;
};

Located locate(const uint8_t* data, size_t size, size_t total) {
  Located r;
  auto failed = [&](std::string reason) {
    r.error = std::move(reason);
    return r;
  };
  if (data == nullptr && size != 0) return failed("null buffer with non-zero size; accepted: a RIFF/WAVE byte buffer");
  if (total < 12 || size < 12)
    return failed("file is " + std::to_string(total) + " bytes, too short for a RIFF header; accepted: a RIFF/WAVE " +
                  "file (at least 12-byte header, fmt and data chunks)");
  if (std::memcmp(data, "RIFX", 4) == 0) return failed("big-endian RIFX file; accepted: little-endian RIFF/WAVE");
  if (std::memcmp(data, "RF64", 4) == 0 || std::memcmp(data, "BW64", 4) == 0)
    return failed("RF64/BW64 (64-bit WAV) is not supported; accepted: RIFF/WAVE");
  if (std::memcmp(data, "RIFF", 4) != 0)
    return failed("no RIFF signature (starts with " + fourcc(data) + "); accepted: a RIFF/WAVE file");
  if (std::memcmp(data + 8, "WAVE", 4) != 0)
    return failed("RIFF form type is " + fourcc(data + 8) + ", not 'WAVE'; accepted: RIFF/WAVE");

  bool have_fmt = false;
  size_t pos = 12;
  while (true) {
    if (total - pos < 8) {  // pos <= total is an invariant
      if (!have_fmt) return failed("no fmt chunk found; accepted: a WAV with a fmt chunk followed by a data chunk");
      return failed("no data chunk found; accepted: a WAV with a fmt chunk followed by a data chunk");
    }
    if (size < pos + 8)
      return failed("the chunks before the data chunk span more than the " + std::to_string(size) +
                    " bytes read; accepted: a WAV header within them");
    const uint8_t* hdr = data + pos;
    const uint32_t chunk_size = rd32(hdr + 4);
    const size_t body = pos + 8;
    const size_t body_left = total - body;

    if (std::memcmp(hdr, "data", 4) == 0) {
      if (!have_fmt)
        return failed("data chunk comes before any fmt chunk; accepted: a fmt chunk followed by a data chunk");
      const size_t declared = chunk_size;
      const size_t available = declared < body_left ? declared : body_left;
      r.frames = available / r.fmt.block_align;
      if (r.frames == 0 && declared > 0)
        return failed("data chunk declares " + std::to_string(declared) + " bytes but holds no complete frame (" +
                      std::to_string(body_left) + " bytes present, frame is " + std::to_string(r.fmt.block_align) +
                      " bytes); accepted: a data chunk with at least one whole frame");
      r.data_offset = body;
      return r;
    }

    if (chunk_size > body_left) {
      if (std::memcmp(hdr, "fmt ", 4) == 0)
        return failed("fmt chunk declares " + std::to_string(chunk_size) + " bytes but only " +
                      std::to_string(body_left) + " are present; accepted: a complete fmt chunk");
      return failed("chunk " + fourcc(hdr) + " declares " + std::to_string(chunk_size) + " bytes but only " +
                    std::to_string(body_left) + " are left before any data chunk; accepted: chunks that fit in the file");
    }

    if (std::memcmp(hdr, "fmt ", 4) == 0) {
      if (have_fmt) return failed("more than one fmt chunk; accepted: exactly one fmt chunk before the data chunk");
      if (size < body + chunk_size)
        return failed("the fmt chunk ends after the " + std::to_string(size) + " bytes read; accepted: a WAV header within them");
      const std::string err = parse_fmt(data + body, chunk_size, r.fmt);
      if (!err.empty()) return failed(err);
      have_fmt = true;
    }
    // Unknown chunks are skipped. Advance past the body and the pad byte of an odd-sized chunk (which may be
    // missing at the very end of the file).
    size_t next = body + chunk_size;
    if ((chunk_size & 1u) && next < total) ++next;
    pos = next;
  }
}

WavDecodeResult decode(const uint8_t* data, size_t size) {
  Located at = locate(data, size, size);
  if (!at.error.empty()) return fail(std::move(at.error));
  WavDecodeResult r;
  r.ok = true;
  r.audio.sample_rate = at.fmt.rate;
  r.audio.channels = at.fmt.channels;
  r.audio.bits_per_sample = at.fmt.valid_bits;
  r.audio.is_float = at.fmt.is_float;
  const size_t count = at.frames * static_cast<size_t>(at.fmt.channels);
  r.audio.samples.resize(count);
  convert(data + at.data_offset, count, at.fmt, r.audio.samples.data());
  return r;
}

}  // namespace

DecodedAudio decode_wav(const uint8_t* data, size_t size) {
  WavDecodeResult r = decode(data, size);
  if (!r.ok) throw Error(ErrorCode::kInvalidAudio, "invalid WAV: " + r.error);
  return std::move(r.audio);
}

WavLayout probe_wav(const uint8_t* prefix, size_t prefix_size, size_t total_size) {
  if (prefix_size > total_size) throw Error(ErrorCode::kInvalidArgument, "probe_wav: the prefix is longer than the file");
  const Located at = locate(prefix, prefix_size, total_size);
  if (!at.error.empty()) throw Error(ErrorCode::kInvalidAudio, "invalid WAV: " + at.error);
  WavLayout l;
  l.sample_rate = at.fmt.rate;
  l.channels = at.fmt.channels;
  l.container_bits = at.fmt.container_bits;
  l.valid_bits = at.fmt.valid_bits;
  l.is_float = at.fmt.is_float;
  l.block_align = at.fmt.block_align;
  l.data_offset = at.data_offset;
  l.frames = at.frames;
  return l;
}

}  // namespace sid

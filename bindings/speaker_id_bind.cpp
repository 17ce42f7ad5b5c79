// Thin Embind glue over the C++ core. The only file that includes <emscripten/bind.h>.
//
// Memory model (zero copy): results live in C++ objects owned by JS (call .delete() when done, the JS wrappers in
// web/src do). Array accessors return typed-array *views* into wasm memory; a view stays valid until the owning
// object runs again or is deleted, or until wasm memory grows (any later call may grow it) — copy (`.slice()`)
// what must outlive that. Inputs are written into a FloatBuffer view, so audio is copied once, into wasm memory.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

#include "audio/downmix.h"
#include "audio/resampler.h"
#include "audio/wav_decoder.h"
#include "pipeline/compat_preprocess.h"
#include "pipeline/ecapa_frontend.h"
#include "pipeline/pooling.h"
#include "pipeline/resemblyzer_frontend.h"

using emscripten::typed_memory_view;
using emscripten::val;

namespace {

template <typename T>
val view(const std::vector<T>& v) {
  return val(typed_memory_view(v.size(), v.data()));
}

// A float buffer in wasm memory that JS fills through view() (input side of every call).
class FloatBuffer {
 public:
  void resize(size_t n) { data_.assign(n, 0.0f); }
  size_t size() const { return data_.size(); }
  val view() const { return ::view(data_); }
  const std::vector<float>& data() const { return data_; }
  std::vector<float>& data() { return data_; }

 private:
  std::vector<float> data_;
};

class ByteBuffer {
 public:
  void resize(size_t n) { data_.assign(n, 0); }
  val view() const { return ::view(data_); }
  const std::vector<uint8_t>& data() const { return data_; }

 private:
  std::vector<uint8_t> data_;
};

// Decoded WAV: ok/error, format, interleaved samples.
class WavFile {
 public:
  bool decode(const ByteBuffer& bytes) {
    result_ = sid::decode_wav(bytes.data().data(), bytes.data().size());
    return result_.ok;
  }
  bool ok() const { return result_.ok; }
  std::string error() const { return result_.error; }
  int sampleRate() const { return result_.audio.sample_rate; }
  int channels() const { return result_.audio.channels; }
  int bitsPerSample() const { return result_.audio.bits_per_sample; }
  bool isFloat() const { return result_.audio.is_float; }
  double frames() const { return static_cast<double>(result_.audio.frames()); }
  val samples() const { return view(result_.audio.samples); }

 private:
  sid::WavDecodeResult result_;
};

// Interleaved multi-channel audio at any supported rate -> 16 kHz mono (downmix first, then resample).
class AudioPrep {
 public:
  // Returns "" on success, else the reason.
  std::string run(const FloatBuffer& interleaved, int channels, int sample_rate, int target_rate) {
    try {
      if (channels < 1 || channels > sid::kWavMaxChannels)
        return "channels must be 1.." + std::to_string(sid::kWavMaxChannels) + ", got " + std::to_string(channels);
      const auto& x = interleaved.data();
      if (x.size() % static_cast<size_t>(channels) != 0)
        return "interleaved sample count is not a multiple of the channel count";
      mono_ = sid::downmix_to_mono(x.data(), x.size() / channels, channels);
      out_ = sid::resample(mono_.data(), mono_.size(), sample_rate, target_rate);
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  val mono() const { return view(mono_); }
  val output() const { return view(out_); }

 private:
  std::vector<float> mono_, out_;
};

class ResemblyzerFrontend {
 public:
  void run(const FloatBuffer& wav16k) { f_ = sid::resemblyzer_frontend(wav16k.data()); }
  double rmsDbfs() const { return f_.volume.rms_dbfs; }
  double gainDb() const { return f_.volume.gain_db; }
  val vadFlags() const { return view(f_.vad.flags); }
  val vadSmoothed() const { return view(f_.vad.smoothed); }
  val vadKeep() const { return view(f_.vad.keep); }
  val preprocessed() const { return view(f_.vad.trimmed); }
  val mel() const { return view(f_.mel); }
  double melFrames() const { return static_cast<double>(f_.mel_frames); }
  int numPartials() const { return static_cast<int>(f_.slices.size()); }
  // [P][4] int32 rows: mel_start, mel_stop, wav_start, wav_stop
  val slices() {
    slice_table_.clear();
    for (const auto& s : f_.slices) slice_table_.insert(slice_table_.end(), {s.mel_start, s.mel_stop, s.wav_start, s.wav_stop});
    return view(slice_table_);
  }
  val partials() const { return view(f_.partials); }

 private:
  sid::ResemblyzerFeatures f_;
  std::vector<int32_t> slice_table_;
};

class EcapaFrontend {
 public:
  void run(const FloatBuffer& wav16k) { f_ = sid::ecapa_frontend(wav16k.data()); }
  val fbank() const { return view(f_.fbank); }
  val fbankNorm() const { return view(f_.fbank_norm); }
  double frames() const { return static_cast<double>(f_.frames); }

 private:
  sid::EcapaFeatures f_;
};

class CompatPreprocess {
 public:
  void run(const FloatBuffer& wav16k) { out_ = sid::compat_preprocess(wav16k.data()); }
  val output() const { return view(out_); }

 private:
  std::vector<float> out_;
};

// Model outputs -> one embedding: L2(mean of rows) (Resemblyzer partials) or L2 of a single row.
class Pooling {
 public:
  std::string meanL2(const FloatBuffer& rows, int count, int dim) {
    if (count < 1 || dim < 1 || static_cast<size_t>(count) * dim != rows.size())
      return "pooling: expected " + std::to_string(count) + " x " + std::to_string(dim) + " values, got " +
             std::to_string(rows.size());
    out_ = sid::mean_l2(rows.data().data(), static_cast<size_t>(count), static_cast<size_t>(dim));
    return "";
  }
  val output() const { return view(out_); }

 private:
  std::vector<float> out_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(speaker_id_core) {
  using emscripten::class_;
  class_<FloatBuffer>("FloatBuffer").constructor<>()
      .function("resize", &FloatBuffer::resize).function("size", &FloatBuffer::size)
      .function("view", &FloatBuffer::view);
  class_<ByteBuffer>("ByteBuffer").constructor<>()
      .function("resize", &ByteBuffer::resize).function("view", &ByteBuffer::view);
  class_<WavFile>("WavFile").constructor<>()
      .function("decode", &WavFile::decode).function("ok", &WavFile::ok).function("error", &WavFile::error)
      .function("sampleRate", &WavFile::sampleRate).function("channels", &WavFile::channels)
      .function("bitsPerSample", &WavFile::bitsPerSample).function("isFloat", &WavFile::isFloat)
      .function("frames", &WavFile::frames).function("samples", &WavFile::samples);
  class_<AudioPrep>("AudioPrep").constructor<>()
      .function("run", &AudioPrep::run).function("mono", &AudioPrep::mono).function("output", &AudioPrep::output);
  class_<ResemblyzerFrontend>("ResemblyzerFrontend").constructor<>()
      .function("run", &ResemblyzerFrontend::run)
      .function("rmsDbfs", &ResemblyzerFrontend::rmsDbfs).function("gainDb", &ResemblyzerFrontend::gainDb)
      .function("vadFlags", &ResemblyzerFrontend::vadFlags).function("vadSmoothed", &ResemblyzerFrontend::vadSmoothed)
      .function("vadKeep", &ResemblyzerFrontend::vadKeep).function("preprocessed", &ResemblyzerFrontend::preprocessed)
      .function("mel", &ResemblyzerFrontend::mel).function("melFrames", &ResemblyzerFrontend::melFrames)
      .function("numPartials", &ResemblyzerFrontend::numPartials).function("slices", &ResemblyzerFrontend::slices)
      .function("partials", &ResemblyzerFrontend::partials);
  class_<EcapaFrontend>("EcapaFrontend").constructor<>()
      .function("run", &EcapaFrontend::run).function("fbank", &EcapaFrontend::fbank)
      .function("fbankNorm", &EcapaFrontend::fbankNorm).function("frames", &EcapaFrontend::frames);
  class_<Pooling>("Pooling").constructor<>()
      .function("meanL2", &Pooling::meanL2).function("output", &Pooling::output);
  class_<CompatPreprocess>("CompatPreprocess").constructor<>()
      .function("run", &CompatPreprocess::run).function("output", &CompatPreprocess::output);
}

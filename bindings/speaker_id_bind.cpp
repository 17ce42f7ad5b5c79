// Thin Embind glue over the C++ core. The only file that includes <emscripten/bind.h>.
//
// Memory model (zero copy): results live in C++ objects owned by JS (call .delete() when done, the JS wrappers in
// web/src do). Array accessors return typed-array *views* into wasm memory; a view stays valid until the owning
// object runs again or is deleted, or until wasm memory grows (any later call may grow it) — copy (`.slice()`)
// what must outlive that. Inputs are written into a FloatBuffer view, so audio is copied once, into wasm memory.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "audio/downmix.h"
#include "audio/resampler.h"
#include "audio/speech_quality.h"
#include "audio/wav_decoder.h"
#include "match/gallery.h"
#include "match/profile_format.h"
#include "match/speaker_name.h"
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

  // Speech / level / clipping measurements of the last run (see audio/speech_quality.h); {error} on bad options.
  val quality(int vad_mode, double min_window_dbfs, float clip_level) const {
    val r = val::object();
    try {
      sid::QualityOptions o;
      o.vad_mode = vad_mode;
      o.min_window_dbfs = min_window_dbfs;
      o.clip_level = clip_level;
      const auto q = sid::measure_speech_quality(mono_.data(), mono_.size(), out_, o);
      r.set("durationSec", q.duration_sec);
      r.set("speechSec", q.speech_sec);
      r.set("windows", static_cast<double>(q.windows));
      r.set("speechWindows", static_cast<double>(q.speech_windows));
      r.set("speechDbfs", q.speech_dbfs);
      r.set("overallDbfs", q.overall_dbfs);
      r.set("peakDbfs", q.peak_dbfs);
      r.set("clippedSamples", static_cast<double>(q.clipped_samples));
      r.set("clippedFraction", q.clipped_fraction);
    } catch (const std::exception& e) {
      r.set("error", std::string(e.what()));
    }
    return r;
  }

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

// --- matching ------------------------------------------------------------------------------------------------
// Errors cross the boundary as strings ("" = success) or an {error} field, never as C++ exceptions, so JS can
// turn them into its typed errors.

val sample_to_js(const sid::Sample& s) {
  val o = val::object();
  o.set("embedding", val::global("Float32Array").new_(view(s.embedding)));  // a copy, owned by JS
  o.set("durationSec", s.duration_sec);
  o.set("speechSec", s.speech_sec);
  o.set("createdAt", static_cast<double>(s.created_at_ms));
  return o;
}

val info_to_js(const sid::SpeakerInfo& info) {
  val o = val::object();
  o.set("name", info.name);
  o.set("samples", static_cast<double>(info.sample_count));
  o.set("durationSec", info.total_duration_sec);
  o.set("speechSec", info.total_speech_sec);
  o.set("firstCreatedAt", static_cast<double>(info.first_created_at_ms));
  o.set("lastCreatedAt", static_cast<double>(info.last_created_at_ms));
  return o;
}

val speakers_to_js(const sid::Gallery& g, bool with_samples) {
  val list = val::array();
  for (const auto& info : g.speakers()) {
    if (!with_samples) {
      list.call<void>("push", info_to_js(info));
      continue;
    }
    val o = val::object();
    o.set("name", info.name);
    val samples = val::array();
    for (const auto& s : g.samples(info.name)) samples.call<void>("push", sample_to_js(s));
    o.set("samples", samples);
    list.call<void>("push", o);
  }
  return list;
}

// A sid::Gallery that starts empty: init() sets the model (constructors cannot report errors as strings).
class GalleryHandle {
 public:
  std::string init(const std::string& model_id, const std::string& model_sha256, int dim) {
    try {
      if (dim < 1) return "dim must be >= 1";
      g_.emplace(model_id, model_sha256, static_cast<size_t>(dim));
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  int size() const { return g_ ? static_cast<int>(g_->size()) : 0; }
  bool contains(const std::string& name) const { return g_ && g_->contains(name); }
  std::string modelMismatch(const std::string& id, const std::string& sha) const { return g().model_mismatch(id, sha); }

  std::string addSample(const std::string& name, const FloatBuffer& embedding, double duration_sec, double speech_sec,
                        double created_at_ms) {
    return guard([&] {
      if (!std::isfinite(created_at_ms)) throw std::invalid_argument("createdAt must be a finite number (ms)");
      sid::Sample s;
      s.embedding = embedding.data();
      s.duration_sec = static_cast<float>(duration_sec);
      s.speech_sec = static_cast<float>(speech_sec);
      s.created_at_ms = static_cast<int64_t>(created_at_ms);
      g().add_sample(name, s);
    });
  }
  // Replaces the content with `speakers` ([{ name, samples: [{ embedding: Float32Array, durationSec, speechSec,
  // createdAt }] }], a store's load()): one centroid per speaker and one bulk copy per embedding, instead of a
  // FloatBuffer round trip per sample. On error the gallery is left empty and the reason returned.
  std::string load(val speakers) {
    g().reset();
    return guard([&] {
      const auto n = speakers["length"].as<unsigned>();
      for (unsigned i = 0; i < n; ++i) {
        val sp = speakers[i];
        val list = sp["samples"];
        const auto m = list["length"].as<unsigned>();
        std::vector<sid::Sample> samples(m);
        for (unsigned j = 0; j < m; ++j) {
          val s = list[j];
          samples[j].embedding = emscripten::convertJSArrayToNumberVector<float>(s["embedding"]);
          samples[j].duration_sec = static_cast<float>(s["durationSec"].as<double>());
          samples[j].speech_sec = static_cast<float>(s["speechSec"].as<double>());
          const double created = s["createdAt"].as<double>();
          if (!std::isfinite(created)) throw std::invalid_argument("createdAt must be a finite number (ms)");
          samples[j].created_at_ms = static_cast<int64_t>(created);
        }
        try {
          g().add_speaker(sp["name"].as<std::string>(), std::move(samples));
        } catch (...) {
          g().reset();
          throw;
        }
      }
    });
  }
  bool remove(const std::string& name) { return g().remove(name); }
  std::string rename(const std::string& from, const std::string& to) { return guard([&] { g().rename(from, to); }); }
  void reset() { g().reset(); }
  val speakers() const { return speakers_to_js(g(), false); }
  val speaker(const std::string& name) const { return contains(name) ? info_to_js(g().speaker(name)) : val::null(); }
  val speakersWithSamples() const { return speakers_to_js(g(), true); }

  val identify(const FloatBuffer& query, int top_k, float threshold) const {
    val r = val::object();
    try {
      if (top_k < 0) throw std::invalid_argument("topK must be >= 0");
      const auto res = g().identify(query.data(), static_cast<size_t>(top_k), threshold);
      r.set("speaker", res.speaker.empty() ? val::null() : val(res.speaker));
      r.set("score", res.score);
      val c = val::array();
      for (const auto& cand : res.candidates) {
        val o = val::object();
        o.set("name", cand.name);
        o.set("score", cand.score);
        c.call<void>("push", o);
      }
      r.set("candidates", c);
    } catch (const std::exception& e) {
      r.set("error", std::string(e.what()));
    }
    return r;
  }
  val verify(const std::string& name, const FloatBuffer& query, float threshold) const {
    val r = val::object();
    try {
      const auto res = g().verify(name, query.data(), threshold);
      r.set("accepted", res.accepted);
      r.set("score", res.score);
    } catch (const std::exception& e) {
      r.set("error", std::string(e.what()));
    }
    return r;
  }

  // The profile blob of the whole gallery; a view valid until the next call (JS copies it).
  val exportProfiles() {
    blob_ = sid::export_profiles(g());
    return view(blob_);
  }
  std::string importProfiles(const ByteBuffer& bytes, bool merge) {
    return sid::import_profiles(g(), bytes.data().data(), bytes.data().size(),
                                merge ? sid::ImportMode::kMerge : sid::ImportMode::kReplace);
  }

 private:
  sid::Gallery& g() {
    if (!g_) throw std::logic_error("gallery used before init()");
    return *g_;
  }
  const sid::Gallery& g() const {
    if (!g_) throw std::logic_error("gallery used before init()");
    return *g_;
  }
  template <typename F>
  std::string guard(F&& f) {
    try {
      f();
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  std::optional<sid::Gallery> g_;
  std::vector<uint8_t> blob_;
};

// A decoded profile blob of any model: its model and its speakers with their samples.
class ProfileBlob {
 public:
  std::string decode(const ByteBuffer& bytes) {
    g_.reset();
    return sid::decode_profiles(bytes.data().data(), bytes.data().size(), g_);
  }
  std::string modelId() const { return g_ ? g_->model_id() : ""; }
  std::string modelSha256() const { return g_ ? g_->model_sha256() : ""; }
  int dim() const { return g_ ? static_cast<int>(g_->dim()) : 0; }
  val speakers() const { return g_ ? speakers_to_js(*g_, true) : val::array(); }

 private:
  std::optional<sid::Gallery> g_;
};

std::string speakerNameError(const std::string& name) { return sid::speaker_name_error(name); }

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
      .function("run", &AudioPrep::run).function("mono", &AudioPrep::mono).function("output", &AudioPrep::output)
      .function("quality", &AudioPrep::quality);
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
  class_<GalleryHandle>("Gallery").constructor<>()
      .function("init", &GalleryHandle::init).function("size", &GalleryHandle::size)
      .function("contains", &GalleryHandle::contains).function("modelMismatch", &GalleryHandle::modelMismatch)
      .function("addSample", &GalleryHandle::addSample).function("load", &GalleryHandle::load)
      .function("remove", &GalleryHandle::remove)
      .function("rename", &GalleryHandle::rename).function("reset", &GalleryHandle::reset)
      .function("speakers", &GalleryHandle::speakers).function("speakersWithSamples", &GalleryHandle::speakersWithSamples)
      .function("speaker", &GalleryHandle::speaker)
      .function("identify", &GalleryHandle::identify).function("verify", &GalleryHandle::verify)
      .function("exportProfiles", &GalleryHandle::exportProfiles).function("importProfiles", &GalleryHandle::importProfiles);
  class_<ProfileBlob>("ProfileBlob").constructor<>()
      .function("decode", &ProfileBlob::decode).function("modelId", &ProfileBlob::modelId)
      .function("modelSha256", &ProfileBlob::modelSha256).function("dim", &ProfileBlob::dim)
      .function("speakers", &ProfileBlob::speakers);
  emscripten::function("speakerNameError", &speakerNameError);
}

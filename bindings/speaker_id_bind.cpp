// Thin Embind glue over the C++ core. The only file that includes <emscripten/bind.h>.
//
// Coarse calls: one Frontend per model does audio -> model input in one call (and pools the model's outputs), one
// Gallery per SpeakerId holds the enrolled speakers. Inputs are written by JS into a buffer the object owns
// (`buffer(n)` returns a typed-array view of it), so audio crosses into wasm once; results are views too.
// A view stays valid until the object runs again or is deleted, or until wasm memory grows (any later call may
// grow it): copy (`.slice()`) what must outlive that.
//
// Errors: every bound function runs inside `guarded`, which turns the core's sid::Error (src/error.h) into the
// typed JS error of its code through the module's `sidError(code, message)` hook (web/src/core.mjs), and anything
// else (std::bad_alloc, ...) into code "internal". No C++ exception ever reaches JS as a bare number.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "audio/wav_decoder.h"
#include "error.h"
#include "match/gallery.h"
#include "match/profile_format.h"
#include "match/speaker_name.h"
#include "network/ecapa_tdnn.h"
#include "pipeline/model_frontend.h"

using emscripten::typed_memory_view;
using emscripten::val;

namespace {

template <typename T>
val view(const T* data, size_t n) {
  return val(typed_memory_view(n, data));
}
template <typename T>
val view(const std::vector<T>& v) {
  return view(v.data(), v.size());
}

[[noreturn]] void throw_js(const std::string& code, const std::string& message) {
  val::module_property("sidError")(code, message).throw_();
}

// Runs f(); a failure leaves the catch block before the JS error is thrown (no C++ exception stays in flight).
template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  std::string code, message;
  try {
    return f();
  } catch (const sid::Error& e) {
    code = sid::code_name(e.code());
    message = e.what();
  } catch (const std::bad_alloc&) {
    code = "internal";
    message = "out of memory in the speaker-id core: the input is too large for this device";
  } catch (const std::exception& e) {
    code = "internal";
    message = e.what();
  }
  throw_js(code, message);
}

sid::Error bad_argument(const std::string& why) { return sid::Error(sid::ErrorCode::kInvalidArgument, why); }

size_t count_arg(double n, const char* what) {
  if (!(n >= 0 && n <= 4294967295.0) || n != std::floor(n))
    throw bad_argument(std::string(what) + " must be an integer in 0..4294967295, got " + val(n).call<std::string>("toString"));
  return static_cast<size_t>(n);
}

val spec_to_js(const sid::FamilySpec& s) {
  val o = val::object();
  o.set("family", std::string(s.name));
  o.set("embeddingDim", static_cast<double>(s.embedding_dim));
  o.set("bands", static_cast<double>(s.bands));
  o.set("partialFrames", static_cast<double>(s.partial_frames));
  o.set("minFrames", static_cast<double>(s.min_frames));
  o.set("pooling", std::string(s.pooling == sid::Pooling::kMeanL2 ? "mean_l2" : "first_row"));
  val stages = val::array();
  for (const auto& name : s.stages) stages.call<void>("push", name);
  o.set("stages", stages);
  return o;
}

// { preprocess: 'upstream' | 'speaker-id', quality: { vadMode, minWindowDbfs, clipLevel } | undefined,
//   stages: boolean }
sid::FrontendOptions frontend_options(const val& o) {
  sid::FrontendOptions f;
  if (o.isUndefined() || o.isNull()) return f;
  const val pre = o["preprocess"];
  if (!pre.isUndefined()) {
    const std::string p = pre.isString() ? pre.as<std::string>() : "";
    if (p == "speaker-id") f.preprocess = sid::Preprocess::kSpeakerId;
    else if (p != "upstream") throw bad_argument("preprocess must be 'upstream' or 'speaker-id'");
  }
  const val q = o["quality"];
  if (!q.isUndefined() && !q.isNull()) {
    f.measure_quality = true;
    f.quality.vad_mode = q["vadMode"].as<int>();
    f.quality.min_window_dbfs = q["minWindowDbfs"].as<double>();
    f.quality.clip_level = q["clipLevel"].as<float>();
  }
  f.keep_stages = o["stages"].as<bool>();
  return f;
}

val quality_to_js(const sid::SpeechQuality& q) {
  val r = val::object();
  r.set("durationSec", q.duration_sec);
  r.set("speechSec", q.speech_sec);
  r.set("windows", static_cast<double>(q.windows));
  r.set("speechWindows", static_cast<double>(q.speech_windows));
  r.set("speechDbfs", q.speech_dbfs);
  r.set("overallDbfs", q.overall_dbfs);
  r.set("peakDbfs", q.peak_dbfs);
  r.set("clippedSamples", static_cast<double>(q.clipped_samples));
  r.set("clippedFraction", q.clipped_fraction);
  return r;
}

// The core's own ECAPA-TDNN (src/network/ecapa_tdnn.h): the fp32 .onnx bytes go into byteBuffer(), load() builds
// the network (and frees them); then features [frames][bands] go into buffer() and embed() returns the embedding.
class Network {
 public:
  static Network* create() { return guarded([] { return new Network(); }); }
  val byteBuffer(double n) { return guarded([&] { bytes_.assign(count_arg(n, "buffer size"), 0); return view(bytes_); }); }
  val buffer(double n) { return guarded([&] { feats_.assign(count_arg(n, "buffer size"), 0.0f); return view(feats_); }); }
  // -> { bands, dim, minFrames }
  val load() {
    return guarded([&] {
      net_ = std::make_unique<sid::EcapaTdnn>(sid::EcapaTdnn::from_onnx(bytes_.data(), bytes_.size()));
      std::vector<uint8_t>().swap(bytes_);
      val o = val::object();
      o.set("bands", net_->input_bands());
      o.set("dim", net_->embedding_dim());
      o.set("minFrames", net_->min_frames());
      return o;
    });
  }
  // The features in buffer(frames * bands) -> the embedding (a view).
  val embed(double frames) {
    return guarded([&] {
      if (!net_) throw bad_argument("network: load() a model first");
      const size_t n = count_arg(frames, "frame count");
      if (n * net_->input_bands() != feats_.size())
        throw bad_argument("network: " + std::to_string(n) + " x " + std::to_string(net_->input_bands()) +
                           " features expected, the buffer holds " + std::to_string(feats_.size()));
      if (n > 1000000) throw bad_argument("network: at most 1000000 frames, got " + std::to_string(n));
      out_ = net_->embed(feats_.data(), static_cast<int>(n));
      return view(out_);
    });
  }

 private:
  std::vector<uint8_t> bytes_;
  std::vector<float> feats_, out_;
  std::unique_ptr<sid::EcapaTdnn> net_;
};

// Audio -> model input (and pooling) for one model family; see pipeline/model_frontend.h.
class Frontend {
 public:
  static Frontend* create(const std::string& family) {
    return guarded([&] { return new Frontend(sid::parse_family(family)); });
  }
  val spec() const { return guarded([&] { return spec_to_js(fe_.spec()); }); }
  val buffer(double n) { return guarded([&] { pcm_.assign(count_arg(n, "buffer size"), 0.0f); return view(pcm_); }); }
  val byteBuffer(double n) { return guarded([&] { bytes_.assign(count_arg(n, "buffer size"), 0); return view(bytes_); }); }

  // The PCM in buffer(), interleaved; -> { sampleRate, channels, durationSec, frames, shape, input, quality?, stages? }
  val runPcm(int channels, int sample_rate, val options) {
    return guarded([&] {
      fe_.run_pcm(pcm_.data(), pcm_.size(), channels, sample_rate, frontend_options(options));
      return result();
    });
  }
  // The WAV bytes in byteBuffer(); -> as runPcm.
  val runWav(val options) {
    return guarded([&] {
      fe_.run_wav(bytes_.data(), bytes_.size(), frontend_options(options));
      return result();
    });
  }
  // The model's output rows, written into buffer(count * dim) -> the utterance embedding (a view).
  val pool(double count, double dim) {
    return guarded([&] {
      const size_t c = count_arg(count, "row count"), d = count_arg(dim, "dim");
      if (c * d != pcm_.size())
        throw bad_argument("pooling: " + std::to_string(c) + " x " + std::to_string(d) + " values expected, the buffer holds " +
                           std::to_string(pcm_.size()));
      pooled_ = fe_.pool(pcm_.data(), c, d);
      return view(pooled_);
    });
  }

 private:
  explicit Frontend(sid::ModelFamily family) : fe_(family) {}

  val result() const {
    val r = val::object();
    r.set("sampleRate", fe_.sample_rate());
    r.set("channels", fe_.channels());
    r.set("durationSec", fe_.duration_sec());
    r.set("frames", static_cast<double>(fe_.frames()));
    const auto& s = fe_.input_shape();
    val shape = val::array();
    for (size_t d : s) shape.call<void>("push", static_cast<double>(d));
    r.set("shape", shape);
    r.set("input", view(fe_.input()));
    if (fe_.has_quality()) r.set("quality", quality_to_js(fe_.quality()));
    const auto stages = fe_.stages();
    if (!stages.empty()) {
      val out = val::object();
      for (const auto& st : stages) {
        val o = val::object();
        if (st.type == sid::StageType::kF32) o.set("data", view(static_cast<const float*>(st.data), st.count));
        else if (st.type == sid::StageType::kU8) o.set("data", view(static_cast<const uint8_t*>(st.data), st.count));
        else o.set("data", view(static_cast<const int32_t*>(st.data), st.count));
        val sh = val::array();
        for (size_t d : st.shape) sh.call<void>("push", static_cast<double>(d));
        o.set("shape", sh);
        out.set(st.name, o);
      }
      r.set("stages", out);
    }
    return r;
  }

  sid::ModelFrontend fe_;
  std::vector<float> pcm_;  // input PCM, or model output rows for pool()
  std::vector<uint8_t> bytes_;
  std::vector<float> pooled_;
};

// WAV bytes -> interleaved PCM, for callers that want the samples themselves (decodeAudio).
class WavDecoder {
 public:
  val buffer(double n) { return guarded([&] { bytes_.assign(count_arg(n, "buffer size"), 0); return view(bytes_); }); }
  // -> { sampleRate, channels, bitsPerSample, isFloat, interleaved (view) }
  val decode() {
    return guarded([&] {
      audio_ = sid::decode_wav(bytes_.data(), bytes_.size());
      val r = val::object();
      r.set("sampleRate", audio_.sample_rate);
      r.set("channels", audio_.channels);
      r.set("bitsPerSample", audio_.bits_per_sample);
      r.set("isFloat", audio_.is_float);
      r.set("interleaved", view(audio_.samples));
      return r;
    });
  }
  // The buffer holds the first bytes of a WAV file of `totalSize` bytes; -> where its samples are (wav_decoder.h).
  val probe(double totalSize) {
    return guarded([&] {
      const sid::WavLayout l = sid::probe_wav(bytes_.data(), bytes_.size(), count_arg(totalSize, "file size"));
      val r = val::object();
      r.set("sampleRate", l.sample_rate);
      r.set("channels", l.channels);
      r.set("containerBits", l.container_bits);
      r.set("validBits", l.valid_bits);
      r.set("isFloat", l.is_float);
      r.set("blockAlign", static_cast<double>(l.block_align));
      r.set("dataOffset", static_cast<double>(l.data_offset));
      r.set("frames", static_cast<double>(l.frames));
      return r;
    });
  }

 private:
  std::vector<uint8_t> bytes_;
  sid::DecodedAudio audio_;
};

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

sid::Sample sample_from(std::vector<float> embedding, double duration_sec, double speech_sec, double created_at_ms) {
  if (!std::isfinite(created_at_ms)) throw bad_argument("createdAt must be a finite number (ms)");
  sid::Sample s;
  s.embedding = std::move(embedding);
  s.duration_sec = static_cast<float>(duration_sec);
  s.speech_sec = static_cast<float>(speech_sec);
  s.created_at_ms = static_cast<int64_t>(created_at_ms);
  return s;
}

// The enrolled speakers of one model (match/gallery.h). Embeddings go in through buffer(dim).
class GalleryHandle {
 public:
  static GalleryHandle* create(const std::string& model_id, const std::string& model_sha256, double dim) {
    return guarded([&] { return new GalleryHandle(model_id, model_sha256, count_arg(dim, "dim")); });
  }
  val buffer(double n) { return guarded([&] { in_.assign(count_arg(n, "buffer size"), 0.0f); return view(in_); }); }
  int size() const { return static_cast<int>(g_.size()); }
  bool contains(const std::string& name) const { return guarded([&] { return g_.contains(name); }); }

  // The embedding in buffer(): would addSample accept it? (throws the reason; stores nothing)
  void checkSample(double duration_sec, double speech_sec, double created_at_ms) const {
    guarded([&] { g_.check_sample(sample_from(in_, duration_sec, speech_sec, created_at_ms)); });
  }
  void addSample(const std::string& name, double duration_sec, double speech_sec, double created_at_ms) {
    guarded([&] { g_.add_sample(name, sample_from(in_, duration_sec, speech_sec, created_at_ms)); });
  }
  // Replaces the content with `speakers` ([{ name, samples: [{ embedding: Float32Array, durationSec, speechSec,
  // createdAt }] }], a store's load()) in one call. Nothing changes on error.
  void load(val speakers) {
    guarded([&] {
      sid::Gallery next(g_.model_id(), g_.model_sha256(), g_.dim());
      const auto n = speakers["length"].as<unsigned>();
      for (unsigned i = 0; i < n; ++i) {
        val sp = speakers[i];
        val list = sp["samples"];
        const auto m = list["length"].as<unsigned>();
        std::vector<sid::Sample> samples;
        samples.reserve(m);
        for (unsigned j = 0; j < m; ++j) {
          val s = list[j];
          samples.push_back(sample_from(emscripten::convertJSArrayToNumberVector<float>(s["embedding"]),
                                        s["durationSec"].as<double>(), s["speechSec"].as<double>(),
                                        s["createdAt"].as<double>()));
        }
        next.add_speaker(sp["name"].as<std::string>(), std::move(samples));
      }
      g_ = std::move(next);
    });
  }
  // The position of a sample of `name` whose embedding equals the one in buffer() bit for bit, or -1.
  int sampleIndex(const std::string& name) const {
    return guarded([&] {
      if (!g_.contains(name)) return -1;
      const auto& samples = g_.samples(name);
      for (size_t i = 0; i < samples.size(); ++i)
        if (samples[i].embedding.size() == in_.size() &&
            std::memcmp(samples[i].embedding.data(), in_.data(), in_.size() * sizeof(float)) == 0)
          return static_cast<int>(i);
      return -1;
    });
  }
  bool remove(const std::string& name) { return guarded([&] { return g_.remove(name); }); }
  void rename(const std::string& from, const std::string& to) { guarded([&] { g_.rename(from, to); }); }
  void reset() { g_.reset(); }
  val speakers() const { return guarded([&] { return speakers_to_js(g_, false); }); }
  val speaker(const std::string& name) const {
    return guarded([&] { return g_.contains(name) ? info_to_js(g_.speaker(name)) : val::null(); });
  }
  val speakersWithSamples() const { return guarded([&] { return speakers_to_js(g_, true); }); }

  // The query in buffer(dim) -> { speaker | null, score, candidates: [{ name, score }] }
  val identify(double top_k, float threshold) const {
    return guarded([&] {
      const auto res = g_.identify(in_, count_arg(top_k, "topK"), threshold);
      val r = val::object();
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
      return r;
    });
  }
  // The query in buffer(dim) -> { accepted, score }
  val verify(const std::string& name, float threshold) const {
    return guarded([&] {
      const auto res = g_.verify(name, in_, threshold);
      val r = val::object();
      r.set("accepted", res.accepted);
      r.set("score", res.score);
      return r;
    });
  }
  // The profile blob of the whole gallery; a view valid until the next call (JS copies it).
  val exportProfiles() {
    return guarded([&] {
      blob_ = sid::export_profiles(g_);
      return view(blob_);
    });
  }

 private:
  GalleryHandle(const std::string& id, const std::string& sha, size_t dim) : g_(id, sha, dim) {}
  sid::Gallery g_;
  std::vector<float> in_;
  std::vector<uint8_t> blob_;
};

// A profile blob of any model -> { model: { id, sha256, dim }, speakers: [{ name, samples }] }.
class ProfileReader {
 public:
  val buffer(double n) { return guarded([&] { bytes_.assign(count_arg(n, "buffer size"), 0); return view(bytes_); }); }
  val decode() const {
    return guarded([&] {
      const sid::Gallery g = sid::decode_profiles(bytes_.data(), bytes_.size());
      val model = val::object();
      model.set("id", g.model_id());
      model.set("sha256", g.model_sha256());
      model.set("dim", static_cast<double>(g.dim()));
      val r = val::object();
      r.set("model", model);
      r.set("speakers", speakers_to_js(g, true));
      return r;
    });
  }

 private:
  std::vector<uint8_t> bytes_;
};

void checkSpeakerName(const std::string& name) { guarded([&] { sid::check_speaker_name(name); }); }

val families() {
  return guarded([] {
    val list = val::array();
    for (sid::ModelFamily f : sid::all_families()) list.call<void>("push", spec_to_js(sid::family_spec(f)));
    return list;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(speaker_id_core) {
  using emscripten::allow_raw_pointers;
  using emscripten::class_;
  class_<Frontend>("Frontend").constructor(&Frontend::create, allow_raw_pointers())
      .function("spec", &Frontend::spec).function("buffer", &Frontend::buffer)
      .function("byteBuffer", &Frontend::byteBuffer).function("runPcm", &Frontend::runPcm)
      .function("runWav", &Frontend::runWav).function("pool", &Frontend::pool);
  class_<Network>("Network").constructor(&Network::create, allow_raw_pointers())
      .function("byteBuffer", &Network::byteBuffer).function("buffer", &Network::buffer)
      .function("load", &Network::load).function("embed", &Network::embed);
  class_<WavDecoder>("WavDecoder").constructor<>()
      .function("buffer", &WavDecoder::buffer).function("decode", &WavDecoder::decode)
      .function("probe", &WavDecoder::probe);
  class_<GalleryHandle>("Gallery").constructor(&GalleryHandle::create, allow_raw_pointers())
      .function("buffer", &GalleryHandle::buffer).function("size", &GalleryHandle::size)
      .function("contains", &GalleryHandle::contains).function("checkSample", &GalleryHandle::checkSample)
      .function("addSample", &GalleryHandle::addSample).function("load", &GalleryHandle::load)
      .function("sampleIndex", &GalleryHandle::sampleIndex)
      .function("remove", &GalleryHandle::remove).function("rename", &GalleryHandle::rename)
      .function("reset", &GalleryHandle::reset).function("speakers", &GalleryHandle::speakers)
      .function("speaker", &GalleryHandle::speaker).function("speakersWithSamples", &GalleryHandle::speakersWithSamples)
      .function("identify", &GalleryHandle::identify).function("verify", &GalleryHandle::verify)
      .function("exportProfiles", &GalleryHandle::exportProfiles);
  class_<ProfileReader>("ProfileReader").constructor<>()
      .function("buffer", &ProfileReader::buffer).function("decode", &ProfileReader::decode);
  emscripten::function("checkSpeakerName", &checkSpeakerName);
  emscripten::function("families", &families);
}

#include "pipeline/model_frontend.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "audio/downmix.h"
#include "audio/resampler.h"
#include "audio/wav_decoder.h"
#include "error.h"
#include "pipeline/ecapa_frontend.h"
#include "pipeline/pooling.h"
#include "pipeline/resemblyzer_frontend.h"

namespace sid {

namespace {

constexpr int kModelRate = 16000;

void check_pcm(const float* x, size_t values, int channels, int sample_rate) {
  if (values == 0 || x == nullptr) throw Error(ErrorCode::kInvalidAudio, "no audio samples: the input is empty");
  if (channels < 1 || channels > kWavMaxChannels)
    throw Error(ErrorCode::kInvalidAudio, "channels must be 1.." + std::to_string(kWavMaxChannels) + ", got " +
                                              std::to_string(channels));
  if (values % static_cast<size_t>(channels) != 0)
    throw Error(ErrorCode::kInvalidAudio, "interleaved sample count " + std::to_string(values) +
                                              " is not a multiple of the channel count " + std::to_string(channels));
  if (sample_rate < kResampleMinRate || sample_rate > kResampleMaxRate)
    throw Error(ErrorCode::kInvalidAudio, "sample rate " + std::to_string(sample_rate) + " Hz is out of range; accepted: " +
                                              std::to_string(kResampleMinRate) + ".." +
                                              std::to_string(kResampleMaxRate) + " Hz");
  for (size_t i = 0; i < values; ++i) {
    if (!std::isfinite(x[i])) {
      const size_t frame = i / static_cast<size_t>(channels);
      char at[32];
      std::snprintf(at, sizeof at, "%.3f", static_cast<double>(frame) / sample_rate);
      throw Error(ErrorCode::kInvalidAudio,
                  std::string("audio sample ") + std::to_string(frame) + " (channel " +
                      std::to_string(i % static_cast<size_t>(channels)) + ", at " + at + " s) is " +
                      (std::isnan(x[i]) ? "NaN" : "infinite") + "; accepted: finite PCM values");
    }
  }
}

}  // namespace

ModelFrontend::ModelFrontend(ModelFamily family) : spec_(family_spec(family)) {}

const std::vector<float>& ModelFrontend::input() const { return r_.input; }

void ModelFrontend::run_wav(const uint8_t* bytes, size_t size, const FrontendOptions& options) {
  const DecodedAudio audio = decode_wav(bytes, size);
  run_pcm(audio.samples.data(), audio.samples.size(), audio.channels, audio.sample_rate, options);
}

void ModelFrontend::run_pcm(const float* interleaved, size_t values, int channels, int sample_rate,
                            const FrontendOptions& options) {
  check_pcm(interleaved, values, channels, sample_rate);
  Result r;  // built aside: a throwing run keeps the previous result
  r.sample_rate = sample_rate;
  r.channels = channels;
  const size_t frames = values / static_cast<size_t>(channels);
  r.duration_sec = static_cast<double>(frames) / sample_rate;
  std::vector<float> mono = downmix_to_mono(interleaved, frames, channels);
  std::vector<float> wav = resample(mono.data(), mono.size(), sample_rate, kModelRate);
  if (options.measure_quality) {
    r.quality = measure_speech_quality(mono.data(), mono.size(), wav, options.quality);
    r.has_quality = true;
  }
  if (options.keep_stages && spec_.family == ModelFamily::kResemblyzer) r.raw = std::move(mono);
  mono = {};
  if (options.preprocess == Preprocess::kSpeakerId) {
    wav = compat_preprocess(wav);
    if (options.keep_stages) r.speaker_id_preprocessed = wav;
  }

  if (spec_.family == ModelFamily::kResemblyzer) {
    ResemblyzerFeatures f = resemblyzer_frontend(wav);
    r.frames = f.mel_frames;
    r.shape = {f.slices.size(), kPartialFrames, kResemblyzerMels};
    r.input = std::move(f.partials);
    if (options.keep_stages) {
      r.vad_flags = std::move(f.vad.flags);
      r.vad_smoothed = std::move(f.vad.smoothed);
      r.vad_keep = std::move(f.vad.keep);
      r.preprocessed = std::move(f.vad.trimmed);
      r.mel = std::move(f.mel);
      for (const auto& s : f.slices) r.slices.insert(r.slices.end(), {s.mel_start, s.mel_stop, s.wav_start, s.wav_stop});
    }
  } else {
    EcapaFeatures f = ecapa_frontend(wav);
    r.frames = f.frames;
    r.shape = {1, f.frames, kEcapaMels};
    r.input = std::move(f.fbank_norm);
    if (options.keep_stages) r.fbank = std::move(f.fbank);
  }
  r.kept = options.keep_stages;
  r_ = std::move(r);
}

std::vector<StageView> ModelFrontend::stages() const {
  std::vector<StageView> out;
  if (!r_.kept) return out;
  auto f32 = [&](const char* name, const std::vector<float>& v, std::vector<size_t> shape) {
    out.push_back({name, std::move(shape), StageType::kF32, v.data(), v.size()});
  };
  auto u8 = [&](const char* name, const std::vector<uint8_t>& v) {
    out.push_back({name, {v.size()}, StageType::kU8, v.data(), v.size()});
  };
  if (spec_.family == ModelFamily::kResemblyzer) {
    f32("raw", r_.raw, {r_.raw.size()});
    u8("vad_flags", r_.vad_flags);
    u8("vad_smoothed", r_.vad_smoothed);
    u8("vad_keep", r_.vad_keep);
    f32("preprocessed", r_.preprocessed, {r_.preprocessed.size()});
    f32("mel", r_.mel, {r_.frames, kResemblyzerMels});
    out.push_back({"slices", {r_.slices.size() / 4, 4}, StageType::kI32, r_.slices.data(), r_.slices.size()});
  } else {
    f32("fbank", r_.fbank, {r_.frames, kEcapaMels});
    f32("fbank_norm", r_.input, {r_.frames, kEcapaMels});
  }
  if (!r_.speaker_id_preprocessed.empty())
    f32("speaker_id_preprocessed", r_.speaker_id_preprocessed, {r_.speaker_id_preprocessed.size()});
  return out;
}

std::vector<float> ModelFrontend::pool(const float* rows, size_t count, size_t dim) const {
  if (dim != spec_.embedding_dim)
    throw Error(ErrorCode::kInvalidArgument, std::string("pooling: a ") + spec_.name + " model outputs " +
                                                 std::to_string(spec_.embedding_dim) + "-dimensional rows, got " +
                                                 std::to_string(dim));
  if (rows == nullptr || count == 0) throw Error(ErrorCode::kInvalidArgument, "pooling: no model output rows");
  if (spec_.pooling == Pooling::kMeanL2) return mean_l2(rows, count, dim);
  if (count != 1)
    throw Error(ErrorCode::kInvalidArgument, std::string("pooling: a ") + spec_.name +
                                                 " model outputs one row per utterance, got " + std::to_string(count));
  return std::vector<float>(rows, rows + dim);
}

}  // namespace sid

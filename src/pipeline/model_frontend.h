// Audio -> model input for one model family, in one call: decode (WAV) -> downmix -> resample to 16 kHz ->
// optional Speaker-ID preprocessing -> quality measurement (optional) -> the family's upstream front-end.
// The object is made once per model and reused; the bindings expose it as one coarse call (audio in once, the
// model input out as one view), and pooling of the model's outputs is a method of the same object.
//
// Intermediate stages are kept only when asked (`keep_stages`: the CLI's `features` / `--stages`): otherwise
// only the model input (and the measurements) survive the call.
//
// Errors (error.h): kInvalidAudio for audio that cannot be used (malformed WAV, no samples, a bad channel count
// or rate, NaN / infinite samples), kInvalidArgument for bad options. A throwing run keeps the previous result.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "audio/speech_quality.h"
#include "pipeline/compat_preprocess.h"
#include "pipeline/model_family.h"

namespace sid {

enum class Preprocess {
  kUpstream,   // the family's own upstream pipeline, unchanged (golden parity)
  kSpeakerId,  // the Python Speaker-ID service's enhancement (compat_preprocess.h) first, on the 16 kHz signal
};

struct FrontendOptions {
  Preprocess preprocess = Preprocess::kUpstream;
  bool measure_quality = false;  // speech seconds, levels, clipping (speech_quality.h), measured before preprocessing
  QualityOptions quality;
  bool keep_stages = false;
};

enum class StageType { kF32, kU8, kI32 };

// A kept stage of the last run; `data` points into the frontend and is valid until its next run.
struct StageView {
  std::string name;
  std::vector<size_t> shape;
  StageType type = StageType::kF32;
  const void* data = nullptr;
  size_t count = 0;  // elements
};

class ModelFrontend {
 public:
  explicit ModelFrontend(ModelFamily family);
  const FamilySpec& spec() const { return spec_; }

  // `interleaved`: `values` floats of `channels` (1..kWavMaxChannels) interleaved channels at `sample_rate`.
  void run_pcm(const float* interleaved, size_t values, int channels, int sample_rate, const FrontendOptions& options);
  // Encoded WAV bytes (audio/wav_decoder.h), then as run_pcm.
  void run_wav(const uint8_t* bytes, size_t size, const FrontendOptions& options);

  // The last successful run's results.
  const std::vector<float>& input() const;                  // the model input, row-major
  const std::array<size_t, 3>& input_shape() const { return r_.shape; }  // [P][160][40] | [1][T][80]
  size_t frames() const { return r_.frames; }               // feature frames (mel frames | fbank frames)
  double duration_sec() const { return r_.duration_sec; }   // of the decoded audio at its own rate
  int sample_rate() const { return r_.sample_rate; }
  int channels() const { return r_.channels; }
  bool has_quality() const { return r_.has_quality; }
  const SpeechQuality& quality() const { return r_.quality; }
  std::vector<StageView> stages() const;                     // empty unless keep_stages

  // The model's outputs, `count` rows of `dim` floats, pooled into the utterance embedding (spec().pooling).
  // Throws kInvalidArgument when dim is not the family's or count does not fit the pooling.
  std::vector<float> pool(const float* rows, size_t count, size_t dim) const;

 private:
  struct Result {
    std::array<size_t, 3> shape{0, 0, 0};
    size_t frames = 0;
    double duration_sec = 0;
    int sample_rate = 0;
    int channels = 0;
    bool has_quality = false;
    SpeechQuality quality;
    std::vector<float> input;
    // Kept stages (keep_stages only).
    std::vector<float> raw, speaker_id_preprocessed, preprocessed, mel, fbank;
    std::vector<uint8_t> vad_flags, vad_smoothed, vad_keep;
    std::vector<int32_t> slices;
    bool kept = false;
  };

  const FamilySpec& spec_;
  Result r_;
};

}  // namespace sid

// The enrolled-speaker gallery of one embedding model: speakers by name, their samples, their centroids,
// and identification / verification by cosine against the centroids.
//
// Semantics (DESIGN.md, "Matching and enrollment semantics"):
// - A speaker holds one or more samples; its centroid is L2(mean(L2(sample embedding))). The centroid is
//   recomputed (mean in double, then rounded to float and L2-normalised) whenever the speaker's samples change.
//   Should the normalised samples cancel out exactly, the centroid is the zero vector and scores 0 against
//   everything.
// - Scores are the raw cosine between the L2-normalised query and the centroids (sid::dot over contiguous rows,
//   SIMD under wasm). The decision rule is always `score >= threshold`: with one enrolled speaker there is NO
//   free match (the Python service's single-candidate fallback is deliberately not copied).
// - Every gallery belongs to one model (id + manifest sha256) and one embedding dimension; profiles from another
//   model are refused (see profile_format.h).
//
// Errors (error.h): kUnknownSpeaker for an unknown name, kSpeakerExists for an existing rename target or enrolled
// name, kInvalidArgument for other bad input (bad name, wrong dimension, NaN/inf/zero embedding, NaN threshold).
// A throwing call leaves the gallery unchanged.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace sid {

// Largest embedding dimension a gallery accepts.
constexpr size_t kMaxEmbeddingDim = 8192;
// Longest accepted model id, in bytes.
constexpr size_t kMaxModelIdBytes = 256;

// One enrollment sample: the raw (not necessarily normalised) embedding as produced by the model, plus
// bookkeeping. The raw embedding is kept so that exports reproduce exactly what was enrolled.
struct Sample {
  std::vector<float> embedding;  // dim floats, finite, not all zero
  float duration_sec = 0.0f;     // length of the audio, seconds (finite, >= 0)
  float speech_sec = 0.0f;       // speech found in it, seconds (finite, >= 0)
  int64_t created_at_ms = 0;     // creation time, milliseconds since the Unix epoch (any value)
};

// A speaker as listed by Gallery::speakers().
struct SpeakerInfo {
  std::string name;
  size_t sample_count = 0;
  double total_duration_sec = 0.0;  // sum over the samples
  double total_speech_sec = 0.0;    // sum over the samples
  int64_t first_created_at_ms = 0;  // smallest created_at_ms of the samples
  int64_t last_created_at_ms = 0;   // largest created_at_ms of the samples
};

// One scored speaker.
struct Candidate {
  std::string name;
  float score = 0.0f;
};

struct IdentifyResult {
  std::string speaker;                 // best speaker when best score >= threshold, else empty ("unknown")
  float score = 0.0f;                  // best score over all speakers (0 when the gallery is empty)
  std::vector<Candidate> candidates;   // the top_k best, score descending, ties by name ascending (bytewise)
};

struct VerifyResult {
  bool accepted = false;  // score >= threshold
  float score = 0.0f;
};

class Gallery {
 public:
  // model_id: 1..kMaxModelIdBytes bytes, no control characters; model_sha256: the model manifest's sha256 as
  // 64 hex digits (either case; stored lowercase); dim: 1..kMaxEmbeddingDim. Throws std::invalid_argument.
  Gallery(std::string model_id, std::string model_sha256, size_t dim);

  const std::string& model_id() const { return model_id_; }
  const std::string& model_sha256() const { return model_sha256_; }  // 64 lowercase hex digits
  size_t dim() const { return dim_; }
  size_t size() const { return names_.size(); }  // number of speakers
  bool empty() const { return names_.empty(); }
  bool contains(const std::string& name) const { return index_.count(name) != 0; }

  // Returns when (model_sha256, dim) is this gallery's model (sha compared case-insensitively): a model is its
  // content, so the same file under another id (a label) is the same model. Otherwise throws kModelMismatch with a
  // one-line reason naming both models.
  void check_model(const std::string& model_id, const std::string& model_sha256, size_t dim) const;

  // Adds a sample to `name`, enrolling the speaker if new. Returns the speaker's sample count afterwards.
  // Rejects (std::invalid_argument, with the reason) a bad name, an embedding of the wrong dimension, with a
  // NaN or infinite value or all zeros, and negative / non-finite durations.
  size_t add_sample(const std::string& name, const Sample& sample);

  // Enrolls a new speaker with all its samples at once (one centroid computation). Rejects an existing name
  // and an empty sample list, plus everything add_sample rejects; nothing is added on error.
  void add_speaker(const std::string& name, std::vector<Sample> samples);

  // Throws (kInvalidArgument, with the reason) when add_sample would refuse `sample` for its embedding or durations.
  void check_sample(const Sample& sample) const;
  // Removes a speaker; false when there was none of that name.
  bool remove(const std::string& name);

  // Renames `from` to `to`, keeping its samples and its place in the listing. Throws when `from` is unknown,
  // when `to` is not a valid name, or when `to` already exists (renaming a speaker to its own name is a no-op).
  void rename(const std::string& from, const std::string& to);

  // Removes every speaker (the model and dimension stay).
  void reset();

  // Speakers in enrollment order (a rename keeps the position; a removal closes the gap).
  std::vector<SpeakerInfo> speakers() const;
  // One speaker's entry of speakers(), without listing the others; throws when unknown.
  SpeakerInfo speaker(const std::string& name) const;

  // The samples / the centroid (dim floats) of a speaker; throws when unknown.
  const std::vector<Sample>& samples(const std::string& name) const;
  std::vector<float> centroid(const std::string& name) const;

  // The centroids, row i belonging to speakers()[i]: size() * dim() contiguous floats.
  const std::vector<float>& centroids() const { return centroids_; }

  // 1:N. `query` is dim floats (raw embedding; it is L2-normalised here) and must be finite and non-zero.
  // top_k bounds the candidate list (clamped to size(); 0 gives an empty list, the best is still reported).
  // threshold must not be NaN. Throws std::invalid_argument on bad input.
  IdentifyResult identify(const float* query, size_t query_dim, size_t top_k, float threshold) const;
  IdentifyResult identify(const std::vector<float>& query, size_t top_k, float threshold) const {
    return identify(query.data(), query.size(), top_k, threshold);
  }

  // 1:1 against one speaker's centroid; throws when `name` is unknown or the query is bad.
  VerifyResult verify(const std::string& name, const float* query, size_t query_dim, float threshold) const;
  VerifyResult verify(const std::string& name, const std::vector<float>& query, float threshold) const {
    return verify(name, query.data(), query.size(), threshold);
  }

 private:
  size_t index_of(const std::string& name) const;  // throws when unknown
  SpeakerInfo info_at(size_t i) const;
  std::vector<float> normalized_query(const float* query, size_t query_dim) const;
  void compute_centroid(size_t i);

  std::string model_id_;
  std::string model_sha256_;
  size_t dim_ = 0;
  std::vector<std::string> names_;                 // enrollment order
  std::vector<std::vector<Sample>> samples_;       // parallel to names_
  std::vector<float> centroids_;                   // names_.size() * dim_, row i for names_[i]
  std::unordered_map<std::string, size_t> index_;  // name -> position
};

}  // namespace sid

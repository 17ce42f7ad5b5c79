#include "match/gallery.h"

#include "error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "match/cosine.h"
#include "match/speaker_name.h"

namespace sid {

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Why `v` (n floats) cannot be used as an embedding, or empty.
std::string embedding_problem(const float* v, size_t n) {
  bool nonzero = false;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(v[i])) return "embedding contains NaN at index " + std::to_string(i);
    if (std::isinf(v[i])) return "embedding contains an infinite value at index " + std::to_string(i);
    if (v[i] != 0.0f) nonzero = true;
  }
  if (!nonzero) return "embedding is all zeros (no direction to compare)";
  return {};
}

}  // namespace

Gallery::Gallery(std::string model_id, std::string model_sha256, size_t dim)
    : model_id_(std::move(model_id)), model_sha256_(lower(std::move(model_sha256))), dim_(dim) {
  if (model_id_.empty() || model_id_.size() > kMaxModelIdBytes)
    throw Error(ErrorCode::kInvalidArgument, "model id must be 1.." + std::to_string(kMaxModelIdBytes) + " bytes, got " +
                                std::to_string(model_id_.size()));
  for (char c : model_id_) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) throw Error(ErrorCode::kInvalidArgument, "model id contains a control character");
  }
  if (model_sha256_.size() != 64 || !std::all_of(model_sha256_.begin(), model_sha256_.end(), is_hex))
    throw Error(ErrorCode::kInvalidArgument, "model sha256 must be 64 hex digits, got " + quoted(model_sha256_));
  if (dim_ == 0 || dim_ > kMaxEmbeddingDim)
    throw Error(ErrorCode::kInvalidArgument, "embedding dimension must be 1.." + std::to_string(kMaxEmbeddingDim) + ", got " +
                                std::to_string(dim_));
}

void Gallery::check_model(const std::string& model_id, const std::string& model_sha256, size_t dim) const {
  if (lower(model_sha256) == model_sha256_ && dim == dim_) return;  // a model is its content; the id is a label
  throw Error(ErrorCode::kModelMismatch,
              "the profiles are of model " + quoted(model_id) + " (sha256 " + lower(model_sha256).substr(0, 12) +
                  "…, dim " + std::to_string(dim) + "), this gallery uses " + quoted(model_id_) + " (sha256 " +
                  model_sha256_.substr(0, 12) + "…, dim " + std::to_string(dim_) +
                  "): re-enroll from audio with this model");
}

size_t Gallery::index_of(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) throw Error(ErrorCode::kUnknownSpeaker, "unknown speaker " + quoted(name));
  return it->second;
}

void Gallery::check_sample(const Sample& s) const {
  if (s.embedding.size() != dim_)
    throw Error(ErrorCode::kInvalidArgument, "embedding has " + std::to_string(s.embedding.size()) +
                                " values but this gallery's model (" + model_id_ + ") produces " +
                                std::to_string(dim_));
  const std::string err = embedding_problem(s.embedding.data(), dim_);
  if (!err.empty()) throw Error(ErrorCode::kInvalidArgument, err);
  if (!std::isfinite(s.duration_sec) || s.duration_sec < 0.0f)
    throw Error(ErrorCode::kInvalidArgument, "sample duration must be a finite number >= 0 seconds");
  if (!std::isfinite(s.speech_sec) || s.speech_sec < 0.0f)
    throw Error(ErrorCode::kInvalidArgument, "sample speech duration must be a finite number >= 0 seconds");
}

void Gallery::compute_centroid(size_t i) {
  std::vector<double> mean(dim_, 0.0);
  for (const Sample& s : samples_[i]) {
    double ss = 0.0;
    for (size_t d = 0; d < dim_; ++d) ss += static_cast<double>(s.embedding[d]) * s.embedding[d];
    const double inv = 1.0 / std::sqrt(ss);  // ss > 0: zero embeddings are rejected
    for (size_t d = 0; d < dim_; ++d) mean[d] += s.embedding[d] * inv;
  }
  double ss = 0.0;
  for (size_t d = 0; d < dim_; ++d) ss += mean[d] * mean[d];
  // The count divides out of L2(mean); skipping it changes nothing but rounding.
  const double inv = ss > 0.0 ? 1.0 / std::sqrt(ss) : 0.0;
  float* row = centroids_.data() + i * dim_;
  for (size_t d = 0; d < dim_; ++d) row[d] = static_cast<float>(mean[d] * inv);
}

size_t Gallery::add_sample(const std::string& name, const Sample& sample) {
  check_sample(sample);
  const auto it = index_.find(name);
  if (it != index_.end()) {
    auto& list = samples_[it->second];
    list.push_back(sample);
    compute_centroid(it->second);
    return list.size();
  }
  add_speaker(name, std::vector<Sample>{sample});
  return 1;
}

void Gallery::add_speaker(const std::string& name, std::vector<Sample> samples) {
  check_speaker_name(name);
  if (contains(name)) throw Error(ErrorCode::kSpeakerExists, "speaker " + quoted(name) + " already exists");
  if (samples.empty()) throw Error(ErrorCode::kInvalidArgument, "speaker " + quoted(name) + " has no samples");
  for (const Sample& s : samples) check_sample(s);
  // Everything is validated above; what follows can only fail on allocation.
  // Grow geometrically: an exact reserve(size + 1) per speaker would copy everything on every enrollment.
  auto grow = [](auto& v, size_t need) { if (v.capacity() < need) v.reserve(std::max(need, 2 * v.capacity())); };
  grow(names_, names_.size() + 1);
  grow(samples_, samples_.size() + 1);
  grow(centroids_, centroids_.size() + dim_);
  const size_t i = names_.size();
  index_.emplace(name, i);
  names_.push_back(name);
  samples_.push_back(std::move(samples));
  centroids_.resize(centroids_.size() + dim_);
  compute_centroid(i);
}

bool Gallery::remove(const std::string& name) {
  const auto it = index_.find(name);
  if (it == index_.end()) return false;
  const size_t i = it->second;
  index_.erase(it);
  names_.erase(names_.begin() + static_cast<std::ptrdiff_t>(i));
  samples_.erase(samples_.begin() + static_cast<std::ptrdiff_t>(i));
  centroids_.erase(centroids_.begin() + static_cast<std::ptrdiff_t>(i * dim_),
                   centroids_.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim_));
  for (size_t j = i; j < names_.size(); ++j) index_[names_[j]] = j;
  return true;
}

void Gallery::rename(const std::string& from, const std::string& to) {
  const size_t i = index_of(from);
  check_speaker_name(to);
  if (from == to) return;
  if (contains(to)) throw Error(ErrorCode::kSpeakerExists, "cannot rename " + quoted(from) + " to " + quoted(to) +
                                                ": a speaker of that name already exists");
  index_.emplace(to, i);
  index_.erase(from);
  names_[i] = to;
}

void Gallery::reset() {
  names_.clear();
  samples_.clear();
  centroids_.clear();
  index_.clear();
}

SpeakerInfo Gallery::info_at(size_t i) const {
  SpeakerInfo info;
  info.name = names_[i];
  info.sample_count = samples_[i].size();
  info.first_created_at_ms = samples_[i].front().created_at_ms;
  info.last_created_at_ms = samples_[i].front().created_at_ms;
  for (const Sample& s : samples_[i]) {
    info.total_duration_sec += s.duration_sec;
    info.total_speech_sec += s.speech_sec;
    info.first_created_at_ms = std::min(info.first_created_at_ms, s.created_at_ms);
    info.last_created_at_ms = std::max(info.last_created_at_ms, s.created_at_ms);
  }
  return info;
}

std::vector<SpeakerInfo> Gallery::speakers() const {
  std::vector<SpeakerInfo> out;
  out.reserve(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) out.push_back(info_at(i));
  return out;
}

SpeakerInfo Gallery::speaker(const std::string& name) const { return info_at(index_of(name)); }

const std::vector<Sample>& Gallery::samples(const std::string& name) const { return samples_[index_of(name)]; }

std::vector<float> Gallery::centroid(const std::string& name) const {
  const size_t i = index_of(name);
  return std::vector<float>(centroids_.begin() + static_cast<std::ptrdiff_t>(i * dim_),
                            centroids_.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim_));
}

std::vector<float> Gallery::normalized_query(const float* query, size_t query_dim) const {
  if (query_dim != dim_)
    throw Error(ErrorCode::kInvalidArgument, "query embedding has " + std::to_string(query_dim) +
                                " values but this gallery's model (" + model_id_ + ") produces " +
                                std::to_string(dim_));
  if (query == nullptr) throw Error(ErrorCode::kInvalidArgument, "query embedding is null");
  const std::string err = embedding_problem(query, dim_);
  if (!err.empty()) throw Error(ErrorCode::kInvalidArgument, "query " + err);
  double ss = 0.0;
  for (size_t d = 0; d < dim_; ++d) ss += static_cast<double>(query[d]) * query[d];
  const double inv = 1.0 / std::sqrt(ss);
  std::vector<float> q(dim_);
  for (size_t d = 0; d < dim_; ++d) q[d] = static_cast<float>(query[d] * inv);
  return q;
}

IdentifyResult Gallery::identify(const float* query, size_t query_dim, size_t top_k, float threshold) const {
  if (std::isnan(threshold)) throw Error(ErrorCode::kInvalidArgument, "threshold is NaN");
  const std::vector<float> q = normalized_query(query, query_dim);
  IdentifyResult result;
  const size_t n = names_.size();
  if (n == 0) return result;
  std::vector<float> scores(n);
  score_rows(q.data(), centroids_.data(), n, dim_, scores.data());

  // Higher score first; equal scores by name so the order never depends on enrollment order.
  const auto better = [&](size_t a, size_t b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return names_[a] < names_[b];
  };
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (better(i, best)) best = i;
  result.score = scores[best];
  if (scores[best] >= threshold) result.speaker = names_[best];

  const size_t k = std::min(top_k, n);
  if (k > 0) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), better);
    result.candidates.reserve(k);
    for (size_t j = 0; j < k; ++j) result.candidates.push_back({names_[order[j]], scores[order[j]]});
  }
  return result;
}

VerifyResult Gallery::verify(const std::string& name, const float* query, size_t query_dim, float threshold) const {
  if (std::isnan(threshold)) throw Error(ErrorCode::kInvalidArgument, "threshold is NaN");
  const size_t i = index_of(name);
  const std::vector<float> q = normalized_query(query, query_dim);
  VerifyResult r;
  r.score = dot(q.data(), centroids_.data() + i * dim_, dim_);
  r.accepted = r.score >= threshold;
  return r;
}

}  // namespace sid

// JS face of the C++ gallery (match/gallery.h through bindings/): speakers, samples, centroids, identify, verify,
// and the profile blob (match/profile_format.h). The core throws typed errors itself (core.mjs), so this is only
// argument plumbing: embeddings go in through the handle's buffer.
import { InvalidArgumentError } from './errors.mjs';

export class Gallery {
  /** model: { id, sha256, dim }. */
  constructor(core, model) {
    this.handle = new core.Gallery(model.id, model.sha256, model.dim);
  }

  get size() { return this.handle.size(); }
  has(name) { return this.handle.contains(name); }

  #put(embedding) {
    this.handle.buffer(embedding.length).set(embedding);
  }

  /** Throws the reason why addSamples would refuse one of `samples`; stores nothing. */
  checkSamples(samples) {
    for (const s of samples) {
      this.#put(s.embedding);
      this.handle.checkSample(s.durationSec, s.speechSec, s.createdAt);
    }
  }

  /** Adds samples ({ embedding, durationSec, speechSec, createdAt }) to `name` (enrolled if new). */
  addSamples(name, samples) {
    for (const s of samples) {
      this.#put(s.embedding);
      this.handle.addSample(name, s.durationSec, s.speechSec, s.createdAt);
    }
  }

  /** Replaces the whole content with `speakers` ([{ name, samples }]); nothing changes on error. */
  load(speakers) { this.handle.load(speakers); }
  remove(name) { return this.handle.remove(name); }
  rename(from, to) { this.handle.rename(from, to); }
  reset() { this.handle.reset(); }

  /** [{ name, samples (count), durationSec, speechSec, firstCreatedAt, lastCreatedAt }] in enrollment order. */
  speakers() { return this.handle.speakers(); }
  /** One speakers() entry, or null. */
  speaker(name) { return this.handle.speaker(name); }
  /** [{ name, samples: [{ embedding, durationSec, speechSec, createdAt }] }] (copies). */
  records() { return this.handle.speakersWithSamples(); }

  identify(embedding, topK, threshold) {
    this.#put(embedding);
    return this.handle.identify(topK, threshold);
  }

  verify(name, embedding, threshold) {
    this.#put(embedding);
    return this.handle.verify(name, threshold);
  }

  /** The profile blob (Uint8Array, owned). */
  exportProfiles() { return this.handle.exportProfiles().slice(); }

  dispose() {
    this.handle?.delete();
    this.handle = null;
  }
}

/** Checks a speaker name with the core's rules; throws InvalidArgumentError with the reason. */
export function checkSpeakerName(core, name) {
  if (typeof name !== 'string') throw new InvalidArgumentError(`speaker name must be a string, got ${typeof name}`);
  core.checkSpeakerName(name);
}

/** A profile blob (Uint8Array) -> { model: { id, sha256, dim }, speakers } (InvalidProfileError when unusable). */
export function decodeProfiles(core, bytes) {
  const reader = new core.ProfileReader();
  try {
    reader.buffer(bytes.length).set(bytes);
    return reader.decode();
  } finally {
    reader.delete();
  }
}

// JS face of the C++ gallery (match/gallery.h through bindings/): speakers, samples, centroids, identify, verify,
// and the profile blob (match/profile_format.h). The core throws typed errors itself (core.mjs), so this is only
// argument plumbing: embeddings go in through the handle's buffer.
import { InvalidArgumentError, InvalidProfileError } from './errors.mjs';

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

  /** The position of a sample of `name` with exactly this embedding (the same recording enrolled again), or -1. */
  sampleIndex(name, embedding) {
    this.#put(embedding);
    return this.handle.sampleIndex(name);
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

/**
 * The speaker name as stored: NFC-normalised, checked by the core's rule (src/match/speaker_name.h); throws
 * InvalidArgumentError with the reason. Lone surrogates are refused here: the conversion to UTF-8 would replace them.
 */
export function speakerName(core, name) {
  if (typeof name !== 'string') throw new InvalidArgumentError(`speaker name must be a string, got ${typeof name}`);
  if (!name.isWellFormed()) {
    const at = [...name].findIndex((c) => !c.isWellFormed());
    throw new InvalidArgumentError(`speaker name is not valid Unicode (a lone surrogate at character ${at})`);
  }
  const nfc = name.normalize('NFC');
  core.checkSpeakerName(nfc);
  return nfc;
}

/** A profile blob (Uint8Array) -> { model: { id, sha256, dim }, speakers } (InvalidProfileError when unusable). */
export function decodeProfiles(core, bytes) {
  const reader = new core.ProfileReader();
  let blob;
  try {
    reader.buffer(bytes.length).set(bytes);
    blob = reader.decode();
  } finally {
    reader.delete();
  }
  // The one part of the name rule the core cannot check (no Unicode tables there).
  const odd = blob.speakers.find((sp) => sp.name !== sp.name.normalize('NFC'));
  if (odd) throw new InvalidProfileError(`profile blob: speaker name '${odd.name}' is not in Unicode NFC`);
  return blob;
}

// JS face of the C++ gallery (match/gallery.h through bindings/): speakers, samples, centroids, identify, verify,
// and the profile blob (match/profile_format.h). Turns the core's error strings into typed errors.
import { InvalidArgumentError, InvalidProfileError, SpeakerExistsError, UnknownSpeakerError } from './errors.mjs';
import { withBytes, withFloats } from './wasm-buffers.mjs';

// The core words its reasons; the class is picked from them (the wording is fixed in gallery.cpp).
function galleryError(reason) {
  if (/^unknown speaker /.test(reason)) return new UnknownSpeakerError(reason);
  if (/already exists$/.test(reason)) return new SpeakerExistsError(reason);
  return new InvalidArgumentError(reason);
}

export class Gallery {
  /** model: { id, sha256, dim }. */
  constructor(core, model) {
    this.core = core;
    this.model = model;
    this.handle = new core.Gallery();
    const err = this.handle.init(model.id, model.sha256, model.dim);
    if (err) {
      this.handle.delete();
      throw new InvalidArgumentError(`model ${model.id}: ${err}`);
    }
  }

  get size() { return this.handle.size(); }
  has(name) { return this.handle.contains(name); }

  /** Adds samples ({ embedding, durationSec, speechSec, createdAt }) to `name` (enrolled if new). */
  addSamples(name, samples) {
    for (const s of samples) {
      const err = withFloats(this.core, s.embedding, (buf) =>
        this.handle.addSample(name, buf, s.durationSec, s.speechSec, s.createdAt));
      if (err) throw galleryError(err);
    }
  }

  /** Replaces the whole content with `speakers` ([{ name, samples }]). */
  load(speakers) {
    const err = this.handle.load(speakers);
    if (err) throw galleryError(err);
  }

  remove(name) { return this.handle.remove(name); }

  rename(from, to) {
    const err = this.handle.rename(from, to);
    if (err) throw galleryError(err);
  }

  reset() { this.handle.reset(); }

  /** [{ name, samples (count), durationSec, speechSec, firstCreatedAt, lastCreatedAt }] in enrollment order. */
  speakers() { return this.handle.speakers(); }

  /** One speakers() entry, or null. */
  speaker(name) { return this.handle.speaker(name); }

  /** [{ name, samples: [{ embedding, durationSec, speechSec, createdAt }] }] (copies). */
  records() { return this.handle.speakersWithSamples(); }

  identify(embedding, topK, threshold) {
    const r = withFloats(this.core, embedding, (buf) => this.handle.identify(buf, topK, threshold));
    if (r.error) throw galleryError(r.error);
    return r;
  }

  verify(name, embedding, threshold) {
    const r = withFloats(this.core, embedding, (buf) => this.handle.verify(name, buf, threshold));
    if (r.error) throw galleryError(r.error);
    return r;
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
  const err = core.speakerNameError(name);
  if (err) throw new InvalidArgumentError(err);
}

/** The profile blob codec ({ encode(model, speakers), decode(bytes) }) that blob-persisting stores use. */
export function profileCodec(core) {
  return {
    encode(model, speakers) {
      const g = new Gallery(core, model);
      try {
        g.load(speakers);
        return g.exportProfiles();
      } finally {
        g.dispose();
      }
    },
    decode(bytes) {
      const blob = new core.ProfileBlob();
      try {
        const err = withBytes(core, bytes, (buf) => blob.decode(buf));
        if (err) throw new InvalidProfileError(`not a usable profile export: ${err}`);
        return { model: { id: blob.modelId(), sha256: blob.modelSha256(), dim: blob.dim() }, speakers: blob.speakers() };
      } finally {
        blob.delete();
      }
    },
  };
}

// The storage adapter interface (DESIGN.md, "Storage adapters"): one async interface for every backend
// (memory, file, IndexedDB, and the edge stores). A SpeakerId keeps its gallery in wasm memory and uses the
// adapter as the durable source of truth.
//
// Rules every adapter follows:
//  - It stores the speakers of ONE embedding model. open() binds it: a store already holding another model's
//    profiles (id or sha256 differ) rejects with ModelMismatchError naming both; an empty store records the model.
//  - Every mutation is atomic (all or nothing) and durable (committed) before its promise resolves.
//  - Several writers (two browser tabs, two processes) may share one store: mutations are serialised by the backend
//    (an IndexedDB transaction, a lock file) and nothing one writer commits is lost by another's.
//  - Speakers are listed in enrollment order; a rename keeps the position; samples keep their order.
//  - The version token changes on every committed mutation by anyone. Every mutation resolves to
//    { before, after }: the token just before and just after it, read inside the same transaction. A SpeakerId
//    whose cached token equals `before` applies the change to its gallery; otherwise it reloads.
//
// Records (plain data, structured-cloneable):
//   Sample  = { embedding: Float32Array (dim values), durationSec: number, speechSec: number, createdAt: number (ms) }
//   Speaker = { name: string, samples: Sample[] }   // samples.length >= 1
//   Model   = { id: string, sha256: string (64 lowercase hex), dim: number }
//
// Methods:
//   open(model, codec)           -> void     binds / checks the model. `codec` ({ encode(model, speakers) -> Uint8Array,
//                                            decode(bytes) -> { model, speakers } }, both throwing InvalidProfileError)
//                                            is the profile blob format, for adapters that persist blobs.
//   load()                       -> { version, speakers }   one consistent snapshot
//   version()                    -> token (string | number), cheap
//   addSamples(name, samples)    -> { before, after }   appends; a new name is enrolled at the end
//   remove(name)                 -> { before, after, removed: boolean }
//   rename(from, to)             -> { before, after }   UnknownSpeakerError / SpeakerExistsError; from === to is a no-op
//   reset()                      -> { before, after }   removes every speaker, keeps the model binding
//   replaceAll(speakers)         -> { before, after }   the whole content (import with mode 'replace')
//   addSpeakers(speakers)        -> { before, after }   new speakers only (import with mode 'merge'); any existing
//                                                        name -> SpeakerExistsError and nothing is written
//   close()                      -> void
// Names arrive validated (speaker_name rules, checked in C++); adapters only compare them exactly.
import { InvalidArgumentError } from '../errors.mjs';

export const ADAPTER_METHODS = Object.freeze(['open', 'load', 'version', 'addSamples', 'remove', 'rename', 'reset',
  'replaceAll', 'addSpeakers', 'close']);

/** Throws InvalidArgumentError naming the missing methods when `adapter` does not implement the interface. */
export function checkAdapter(adapter) {
  const missing = ADAPTER_METHODS.filter((m) => typeof adapter?.[m] !== 'function');
  if (missing.length) {
    throw new InvalidArgumentError(`store adapter is missing method(s) ${missing.join(', ')}; ` +
      `accepted stores: 'memory', 'indexeddb', { file: DIR }, or an object implementing ${ADAPTER_METHODS.join(', ')}`);
  }
  return adapter;
}

/** The one-line reason for a model mismatch, or '' when `stored` and `wanted` are the same model. */
export function modelMismatchReason(stored, wanted) {
  if (stored.id === wanted.id && stored.sha256.toLowerCase() === wanted.sha256.toLowerCase() && stored.dim === wanted.dim) return '';
  return `the store holds profiles of model '${stored.id}' (sha256 ${stored.sha256.slice(0, 12)}…, dim ${stored.dim}), ` +
    `not of '${wanted.id}' (sha256 ${wanted.sha256.slice(0, 12)}…, dim ${wanted.dim}); use another store or the same model`;
}

// The storage adapter interface (DESIGN.md, "Storage adapters"): one async interface for every backend
// (memory, file, IndexedDB, and the edge stores). A SpeakerId keeps its gallery in wasm memory and uses the
// adapter as the durable source of truth. tests/js/store-contract.mjs is the behavioural contract every adapter passes.
//
// Rules every adapter follows:
//  - It stores the speakers of ONE embedding model. open(model) binds it: a store already holding another model's
//    profiles (sha256 or dim differ: a model is its content, its id only a label) rejects with ModelMismatchError
//    (checkModelBinding); an empty store takes the model.
//  - Input arrives validated: SpeakerId checks names and samples once, by the C++ rules, before calling the adapter.
//    Adapters only compare names exactly and store what they are given; they validate nothing themselves.
//  - Every mutation is atomic (all or nothing) and durable (committed) before its promise resolves.
//  - Several writers (two browser tabs, two processes) may share one store: mutations are serialised by the backend
//    (an IndexedDB transaction, a lock file) and nothing one writer commits is lost by another's.
//  - Speakers are listed in enrollment order; a rename keeps the position; samples keep their order.
//  - Every mutation resolves to { before, after }: the version token just before and just after it, read inside
//    the same transaction. A committed mutation changes the token (after !== before, and no earlier token comes
//    back). A no-op (remove of an unknown name, rename to the same name) and a refused mutation (an error) write
//    nothing and leave the token as it is: { before, after: before }; reset, replaceAll and addSpeakers always
//    commit, even on an empty store or with an empty list. A SpeakerId whose cached token equals
//    `before` applies the change to its gallery; otherwise it reloads.
//
// Records (plain data, structured-cloneable):
//   Sample  = { embedding: Float32Array (dim values), durationSec: number, speechSec: number, createdAt: number (ms) }
//   Speaker = { name: string, samples: Sample[] }   // samples.length >= 1
//   Model   = { id: string, sha256: string (64 hex digits), dim: number }
// Every field comes back exactly as given (the embedding's float32 bits, the numbers as JS numbers).
//
// Methods:
//   open(model)                  -> void     binds / checks the model (ModelMismatchError)
//   load()                       -> { version, speakers }   one consistent snapshot
//   version()                    -> token (string | number), cheap; equals load().version when nothing changed
//   addSamples(name, samples)    -> { before, after }   appends; a new name is enrolled at the end
//   remove(name)                 -> { before, after, removed: boolean }   unknown name: removed false, a no-op
//   rename(from, to)             -> { before, after }   unknown `from` -> UnknownSpeakerError; existing `to` ->
//                                                        SpeakerExistsError; from === to is a no-op
//   reset()                      -> { before, after }   removes every speaker, keeps the model binding
//   replaceAll(speakers)         -> { before, after }   the whole content (import with mode 'replace')
//   addSpeakers(speakers)        -> { before, after }   new speakers only (import with mode 'merge'); any existing
//                                                        name -> SpeakerExistsError and nothing is written
//   close()                      -> void
import { InvalidArgumentError, ModelMismatchError, SpeakerExistsError, UnknownSpeakerError } from '../errors.mjs';

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

// The messages every adapter uses, so that a refusal reads the same whatever the backend.

/** The model record an adapter keeps: the descriptor's fields only, sha256 in lowercase (it compares so). */
export const modelRecord = (m) => ({ id: m.id, sha256: m.sha256.toLowerCase(), dim: m.dim });

/**
 * Throws ModelMismatchError when `where` (e.g. "the file store /x") holds `stored`'s profiles, not `wanted`'s: another
 * sha256 or dim. The same file under another id (a path's label, later registered in the manifest) is the same model.
 */
export function checkModelBinding(where, stored, wanted) {
  const s = modelRecord(stored);
  const w = modelRecord(wanted);
  if (s.sha256 === w.sha256 && s.dim === w.dim) return;  // a model is its content; the id is its label
  throw new ModelMismatchError(`${where} holds profiles of model '${s.id}' (sha256 ${s.sha256.slice(0, 12)}…, ` +
    `dim ${s.dim}), not of '${w.id}' (sha256 ${w.sha256.slice(0, 12)}…, dim ${w.dim}); use another store or the same model`,
  { stored: s, wanted: w });
}

/** No enrolled speaker is called `name` (the C++ gallery's wording). */
export const unknownSpeaker = (name) => new UnknownSpeakerError(`unknown speaker '${name}'`);

/** A speaker called `name` is already enrolled (rename target, merge import; the C++ gallery's wording). */
export const speakerExists = (name) => new SpeakerExistsError(`speaker '${name}' already exists`);

// Typed errors: one class per code, so callers can `instanceof` or switch on `err.code`. Messages are one line
// and say what was wrong and what is accepted.
export class SpeakerIdError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** The audio could not be decoded or is unusable (malformed file, unsupported format, empty, bad rate). */
export class InvalidAudioError extends SpeakerIdError {
  constructor(message) { super('invalid_audio', message); }
}

/** A caller-supplied argument is out of range or of the wrong type. */
export class InvalidArgumentError extends SpeakerIdError {
  constructor(message) { super('invalid_argument', message); }
}

// Quality refusals carry the full quality report as `details` (see quality.mjs).
/** Less speech than the configured minimum. */
export class AudioTooShortError extends SpeakerIdError {
  constructor(message, quality) { super('too_short', message, quality); }
}
/** No speech was found at all. */
export class NoVoiceError extends SpeakerIdError {
  constructor(message, quality) { super('no_voice', message, quality); }
}
/** Too many clipped samples (refused only with `strictQuality`). */
export class ClippingError extends SpeakerIdError {
  constructor(message, quality) { super('clipping', message, quality); }
}
/** Speech level too low (refused only with `strictQuality`). */
export class TooQuietError extends SpeakerIdError {
  constructor(message, quality) { super('too_quiet', message, quality); }
}

/** No enrolled speaker has that name. */
export class UnknownSpeakerError extends SpeakerIdError {
  constructor(message) { super('unknown_speaker', message); }
}
/** A speaker of that name already exists (rename target, merge import). */
export class SpeakerExistsError extends SpeakerIdError {
  constructor(message) { super('speaker_exists', message); }
}
/** Profiles or a store belong to another embedding model (id or manifest sha256 differ). */
export class ModelMismatchError extends SpeakerIdError {
  constructor(message, details) { super('model_mismatch', message, details); }
}
/** An encrypted store that this key cannot open (SpeakerId.create({ encryption })): another key, or altered. */
export class WrongKeyError extends SpeakerIdError {
  constructor(message) { super('wrong_key', message); }
}
/** A profile blob is corrupted, tampered with, truncated or not a profile export. */
export class InvalidProfileError extends SpeakerIdError {
  constructor(message) { super('invalid_profile', message); }
}
/** The store cannot be read or written (I/O, a corrupt store file, a lock held too long, quota). */
export class StoreError extends SpeakerIdError {
  constructor(message) { super('store_error', message); }
}
/** A failure inside the library that is not the caller's input (out of memory, a bug): report it. */
export class InternalError extends SpeakerIdError {
  constructor(message) { super('internal', message); }
}
/** The SpeakerId was disposed. */
export class DisposedError extends SpeakerIdError {
  constructor(message = 'this SpeakerId was disposed') { super('disposed', message); }
}

/** Every error class by code. */
export const ERROR_CLASSES = Object.freeze({
  invalid_audio: InvalidAudioError,
  invalid_argument: InvalidArgumentError,
  too_short: AudioTooShortError,
  no_voice: NoVoiceError,
  clipping: ClippingError,
  too_quiet: TooQuietError,
  unknown_speaker: UnknownSpeakerError,
  speaker_exists: SpeakerExistsError,
  model_mismatch: ModelMismatchError,
  wrong_key: WrongKeyError,
  invalid_profile: InvalidProfileError,
  store_error: StoreError,
  internal: InternalError,
  disposed: DisposedError,
});

/** The typed error of `code` (the core's codes, src/error.h, are a subset); unknown codes are InternalError. */
export function errorFromCode(code, message) {
  const Cls = ERROR_CLASSES[code] ?? InternalError;
  return new Cls(message);
}

// Typed errors: one class per code, so callers can `instanceof` or switch on `err.code`.
export class SpeakerIdError extends Error {
  constructor(code, message) {
    super(message);
    this.name = new.target.name;
    this.code = code;
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

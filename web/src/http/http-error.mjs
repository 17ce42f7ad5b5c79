// One error model from the core to HTTP: a SpeakerIdError's `code` decides the status, its one-line message is the
// body's `detail` (the field Speaker-ID's clients read) and `error` carries the code. Nothing else leaves: no stack,
// no internal message of an unexpected exception (that one is logged, and the client gets a generic 500).
import { SpeakerIdError } from '../errors.mjs';

/** An error of the HTTP layer itself (route, method, auth, body). */
export class HttpError extends Error {
  constructor(status, code, message, headers) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const STATUS = {
  invalid_argument: 400, invalid_audio: 400, too_short: 400, no_voice: 400, clipping: 400, too_quiet: 400,
  invalid_profile: 400, unknown_speaker: 404, speaker_exists: 409, model_mismatch: 409, wrong_key: 409,
  store_error: 503, disposed: 503, internal: 500,
};

export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** Any thrown value -> a JSON Response. `log` gets the unexpected ones. */
export function errorResponse(err, log = console.error) {
  if (err instanceof HttpError) return json(err.status, { detail: err.message, error: err.code }, err.headers);
  if (err instanceof SpeakerIdError) {
    const body = { detail: err.message, error: err.code };
    if (Array.isArray(err.details?.issues)) body.quality = err.details;  // a quality refusal says what was measured
    if (err.index !== undefined) body.file_index = err.index;
    return json(STATUS[err.code] ?? 500, body);
  }
  log(err);
  return json(500, { detail: 'internal error (logged by the server)', error: 'internal' });
}

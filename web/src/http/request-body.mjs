// Request bodies: read with a size limit (413 before the whole body is buffered), then the upload's fields.
// Accepted shapes (the file is the audio, in any format the library decodes):
//  - multipart/form-data with a `file` part (Speaker-ID's web UI, curl -F); several `file` parts enroll several
//    recordings at once; other parts are fields (name, threshold, topk);
//  - a raw body of audio (Content-Type audio/* or application/octet-stream; curl --data-binary);
//  - `k=v&k=v` text (application/x-www-form-urlencoded, text/plain, or multipart/form-data WITHOUT a boundary, as
//    Home Assistant's rest_command sends its `payload`): fields only; `file` is then a path, which only a server
//    configured with an audio directory reads (readAudioPath).
import { HttpError } from './http-error.mjs';

const MIB = 2 ** 20;
export const DEFAULT_MAX_BODY_BYTES = 25 * MIB;

const tooLarge = (max) => new HttpError(413, 'body_too_large',
  `request body larger than ${max} bytes (${(max / MIB).toFixed(1)} MiB), the limit of this server`);

/** The body's bytes, refusing more than `max` (by Content-Length first, then while reading). */
export async function readBody(request, max) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (!request.body) return new Uint8Array(0);
  const chunks = [];
  let n = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function textFields(bytes) {
  const fields = new Map();
  // Values trimmed: hand-written templates (`threshold= 0.82&file= /path`) carry spaces.
  for (const [k, v] of new URLSearchParams(new TextDecoder().decode(bytes).trim())) fields.set(k.trim(), v.trim());
  return fields;
}

/**
 * bytes + Content-Type -> { fields: Map<string, string>, files: Uint8Array[], paths: string[] }. `paths`: `file`
 * fields given as text (a path on the client's side). Throws HttpError 400/415 saying what is accepted.
 */
export async function parseUpload(bytes, contentType) {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (type === 'multipart/form-data' && boundary) {
    const malformed = (why) => new HttpError(400, 'malformed_multipart', `malformed multipart/form-data body (${why}); ` +
      "send the audio as a 'file' part (curl -F file=@voice.wav)");
    // Deno's formData() takes a body cut before its closing boundary as an empty form; Node and workerd refuse it.
    // Checked here, so that every runtime says the same.
    const closing = `--${boundary[1] ?? boundary[2]}--`;
    const tail = String.fromCharCode(...bytes.subarray(Math.max(0, bytes.length - closing.length - 64)));
    if (!tail.includes(closing)) throw malformed('no closing boundary: cut off?');
    let form;
    try {
      form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    } catch (err) {
      throw malformed(String(err?.message ?? err).split('\n')[0]);
    }
    const fields = new Map();
    const files = [];
    const paths = [];
    for (const [k, v] of form) {
      if (typeof v !== 'string') {
        if (k === 'file') files.push(new Uint8Array(await v.arrayBuffer()));
      } else if (k === 'file') {
        paths.push(v);
      } else {
        fields.set(k, v);
      }
    }
    return { fields, files, paths };
  }
  if (type.startsWith('audio/') || type === 'application/octet-stream') {
    return { fields: new Map(), files: bytes.length ? [bytes] : [], paths: [] };
  }
  if (type === 'multipart/form-data' || type === 'application/x-www-form-urlencoded' || type === 'text/plain' || type === '') {
    if (type === '' && bytes.length === 0) return { fields: new Map(), files: [], paths: [] };
    const fields = textFields(bytes);
    const paths = fields.has('file') ? [fields.get('file')] : [];
    fields.delete('file');
    return { fields, files: [], paths };
  }
  throw new HttpError(415, 'unsupported_media_type', `Content-Type '${type}' is not accepted; send multipart/form-data ` +
    "with a 'file' part, or the audio itself as audio/* or application/octet-stream");
}

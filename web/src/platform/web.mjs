// `#platform` in browsers and everything else that is not Node or Deno (package.json "imports", conditions
// "browser" / "default"): only web APIs, so a bundler building for the browser sees no node:* import and no audio
// decoder that does not bundle. Files are fetched; models given by path are relative to the page; the manifest is
// part of the code; encoded audio other than WAV (which the C++ core decodes everywhere) is decoded by WebAudio.
// Node and Deno get ./node.mjs.
import { InvalidArgumentError, InvalidAudioError } from '../errors.mjs';
// A JSON module, not a fetched file: bundlers inline it (Parcel turns a .json referenced by new URL() into JS).
import manifest from '../../../models/manifest.json' with { type: 'json' };

export const platform = 'web';

/** The bytes at `url`, fetched. Throws with the reason. */
export async function readBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The response for the .wasm at `url` (throws with the reason when it fails) -> { response, streaming }: streaming
 * when it can be compiled as it arrives (WebAssembly.compileStreaming needs Content-Type application/wasm).
 */
export async function fetchWasm(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  return { response, streaming: typeof WebAssembly.compileStreaming === 'function' && type === 'application/wasm' };
}

/** The package's model manifest (models/manifest.json), a copy. */
export async function baseManifest() {
  return structuredClone(manifest);
}

/** Every manifest model with a `path` here is one the package ships (there is no user cache). */
export function entryUrl(path) {
  throw new InvalidArgumentError(`the manifest path '${path}' is not a file this package ships`);
}

/** A model given as a URL string, absolute or relative to the page. */
export function modelUrl(model) {
  const page = globalThis.document?.baseURI ?? globalThis.location?.href;
  try {
    return new URL(model, page);
  } catch {
    throw new InvalidArgumentError(`model '${model}': give the .onnx as an absolute URL (there is no page here to ` +
      'resolve a relative one against, and no file system)');
  }
}

/** No user model cache here (models/fetch.mjs runs in Node). */
export async function userManifest() {
  return { models: [] };
}

export async function notFetched(model, fetch) {
  const [script, ...args] = String(fetch ?? '').split(' ');
  return `model '${model}' is not downloaded yet and this runtime has no model cache: fetch it in Node ` +
    `(node node_modules/speaker-id/${script} ${args.join(' ')}), then pass the exported .onnx by URL`;
}

export async function openFileStore() {
  throw new InvalidArgumentError("store { file: DIR } needs Node or Deno (the file store); in a browser use " +
    "'indexeddb' or 'memory', or pass a store adapter");
}

/**
 * Encoded bytes other than WAV -> { sampleRate, channels, interleaved }, by WebAudio's decodeAudioData (FLAC, Ogg
 * Vorbis/Opus, MP3 as the browser supports them). `sampleRate`: the rate the container declares, when known
 * (FLAC STREAMINFO), so the browser does not resample before the core does.
 */
export async function decodeEncoded(u8, kind, { sampleRate } = {}) {
  if (typeof globalThis.OfflineAudioContext !== 'function') {
    throw new InvalidAudioError(`decoding ${kind === 'other' ? 'this audio' : kind.toUpperCase()} here needs ` +
      'WebAudio (OfflineAudioContext), which this context lacks (a worker?): pass WAV bytes, an AudioBuffer or ' +
      '{ samples, sampleRate }');
  }
  const rate = Number.isInteger(sampleRate) && sampleRate >= 8000 && sampleRate <= 192000 ? sampleRate : 48000;
  const ctx = new OfflineAudioContext(1, 1, rate);
  const buf = await ctx.decodeAudioData(u8.slice().buffer);
  const channels = buf.numberOfChannels;
  const frames = buf.length;
  if (channels === 1) return { sampleRate: buf.sampleRate, channels, interleaved: buf.getChannelData(0) };
  const interleaved = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++) {
    const ch = buf.getChannelData(c);
    for (let i = 0; i < frames; i++) interleaved[i * channels + c] = ch[i];
  }
  return { sampleRate: buf.sampleRate, channels, interleaved };
}

/** The hex SHA-256 of `bytes` (models are told apart by it), by WebCrypto. */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

// `#platform` in Node and Deno (package.json "imports", condition "node"): what the package does there with Node's
// APIs: files by path, the user's model cache, the file store, the wasm audio decoders. Browser builds get
// ./web.mjs instead, so nothing a bundler sees for them imports node:* or a decoder that does not bundle.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidAudioError } from '../errors.mjs';

export const platform = 'node';

/** The bytes at `url` (file: read from disk, anything else fetched). Throws with the reason. */
export async function readBytes(url) {
  if (url.protocol === 'file:') {
    const buf = await readFile(url);  // viewed, not copied (a 5 MB copy costs more than the read at cold start)
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const MANIFEST_URL = new URL('../../../models/manifest.json', import.meta.url);

/**
 * The hex SHA-256 of `bytes` (models are told apart by it). node:crypto: in one step on this thread, several times
 * faster at cold start than WebCrypto, which copies the bytes to its thread pool first.
 */
export async function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The package's model manifest (models/manifest.json). */
export async function baseManifest() {
  return JSON.parse(new TextDecoder().decode(await readBytes(MANIFEST_URL)));
}

/** The URL of a manifest entry's `path` that is not a file the package ships (the user's fetched models). */
export function entryUrl(path) {
  return new URL(path, MANIFEST_URL);
}

/** A model given as a path or URL string -> its URL (a path is relative to the working directory). */
export function modelUrl(model) {
  return /^[a-z]+:\/\//i.test(model) ? new URL(model) : new URL(`file://${resolve(model)}`);
}

// Models fetched with models/fetch.mjs (`npm run models:fetch` in a checkout) are registered in the user's cache,
// see models/fetch.mjs.
export async function userManifest() {
  const dir = process.env.SPEAKER_ID_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'speaker-id');
  try {
    return JSON.parse(new TextDecoder().decode(await readBytes(new URL(`file://${join(dir, 'manifest.json')}`))));
  } catch {
    return { models: [] };
  }
}

const PACKAGE_URL = new URL('../../../', import.meta.url);
const shellWord = (w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);

// Why a manifest model without a file cannot be used, with the command that fetches it. The manifest's `fetch` is
// the script (relative to the package root) and its arguments; the command names the script as this installation
// has it (`node models/fetch.mjs ...` in a checkout, `node node_modules/speaker-id/models/fetch.mjs ...` in a
// project that installed the package), since only a checkout has the `models:fetch` npm script.
export async function notFetched(model, fetch) {
  const [script, ...args] = String(fetch ?? '').split(' ');
  const url = new URL(script, PACKAGE_URL);
  if (url.protocol !== 'file:') {
    return `model '${model}' is not downloaded yet and this runtime has no model cache: fetch it in Node ` +
      `(node node_modules/speaker-id/${script} ${args.join(' ')}), then pass the exported .onnx by path or URL`;
  }
  let path = fileURLToPath(url);
  try {
    const rel = relative(process.cwd(), path);
    if (rel && !isAbsolute(rel) && rel.split(sep)[0] !== '..') path = rel;
  } catch { /* no access to the working directory (Deno without --allow-read): the absolute path */ }
  return `model '${model}' is not downloaded yet: run \`${['node', path, ...args].map(shellWord).join(' ')}\` ` +
    '(offline: it says what to download and how to pass the files)';
}

/** SpeakerId.create's `{ file: DIR }` store. */
export async function openFileStore(dir, options) {
  return (await import('../stores/file-store.mjs')).createFileStore(dir, options);
}

function interleave(channelData) {
  const channels = channelData.length;
  if (channels === 1) return channelData[0];
  const frames = channelData[0].length;
  const out = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++) {
    const ch = channelData[c];
    for (let i = 0; i < frames; i++) out[i * channels + c] = ch[i];
  }
  return out;
}

async function decodeFlac(u8) {
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    const r = await decoder.decodeFile(u8);
    if (r.errors?.length || !r.samplesDecoded) {
      throw new InvalidAudioError(`FLAC decoding failed: ${r.errors?.[0]?.message ?? 'no samples decoded'}`);
    }
    // The decoder scales by 1/(2^(bits-1) - 1); recover the integers and scale by 1/2^(bits-1) like libsndfile.
    const full = 2 ** (r.bitDepth - 1);
    for (const ch of r.channelData) {
      for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i] * (full - 1)) / full;
    }
    return { sampleRate: r.sampleRate, channels: r.channelData.length, interleaved: interleave(r.channelData) };
  } finally {
    decoder.free();
  }
}

async function decodePcm(u8) {
  if (typeof globalThis.OfflineAudioContext === 'function') {
    const ctx = new OfflineAudioContext(1, 1, 48000);
    const buf = await ctx.decodeAudioData(u8.slice().buffer);
    const data = Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c));
    return { sampleRate: buf.sampleRate, channels: data.length, interleaved: interleave(data) };
  }
  const { default: decode } = await import('audio-decode');
  const r = await decode(u8);
  return { sampleRate: r.sampleRate, channels: r.channelData.length, interleaved: interleave(r.channelData) };
}

/**
 * Encoded bytes other than WAV -> { sampleRate, channels, interleaved }. FLAC by @wasm-audio-decoders/flac
 * (re-quantised so samples equal int/2^(bits-1) exactly, as soundfile/librosa give); other containers (Ogg, MP3,
 * Opus, ...) by WebAudio where it exists, else the `audio-decode` package.
 */
export async function decodeEncoded(u8, kind) {
  return kind === 'flac' ? decodeFlac(u8) : decodePcm(u8);
}

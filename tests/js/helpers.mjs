// Shared helpers for the JS tests: paths, running the CLI, golden arrays.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../../web/src/npy.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED = process.env.SID_SHARED_DIR ?? `${ROOT}../shared`;
export const GOLDEN = `${SHARED}/golden`;
export const CLI = `${ROOT}web/cli/speaker-id.mjs`;

export function runCli(args, opts = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

export const goldenManifest = () => JSON.parse(readFileSync(`${GOLDEN}/manifest.json`, 'utf8'));

/** Absolute path of a manifest input (paths there are relative to the folder holding shared/). */
export const goldenInputPath = (entry) => `${SHARED}/../${entry.input}`;

export const readNpy = (path) => decodeNpy(readFileSync(path));

/** 16-bit mono WAV bytes (Uint8Array) of `samples` (Float32Array in [-1, 1]) at `rate` Hz. */
export function wavBytes(samples, rate = 16000) {
  const out = new Uint8Array(44 + 2 * samples.length);
  const dv = new DataView(out.buffer);
  const ascii = (at, s) => [...s].forEach((c, i) => { out[at + i] = c.charCodeAt(0); });
  ascii(0, 'RIFF'); dv.setUint32(4, 36 + 2 * samples.length, true); ascii(8, 'WAVE'); ascii(12, 'fmt ');
  dv.setUint32(16, 16, true); dv.setUint16(20, 1, true); dv.setUint16(22, 1, true); dv.setUint32(24, rate, true);
  dv.setUint32(28, 2 * rate, true); dv.setUint16(32, 2, true); dv.setUint16(34, 16, true); ascii(36, 'data');
  dv.setUint32(40, 2 * samples.length, true);
  for (let i = 0; i < samples.length; i++) dv.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), true);
  return out;
}

/** `clips` (Float32Arrays) one after another, looped, cut to exactly `samples` values. */
export function concatToLength(clips, samples) {
  const out = new Float32Array(samples);
  for (let at = 0, i = 0; at < out.length; i++) {
    const c = clips[i % clips.length].subarray(0, out.length - at);
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** 1 - cosine similarity of two equally long vectors. */
export function cosineDistance(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return 1 - ab / Math.sqrt(aa * bb);
}

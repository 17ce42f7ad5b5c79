// Benchmark input: real speech from ../shared/audio when present (concatenated LibriSpeech), else a synthetic
// voiced signal, as 16-bit mono WAV bytes of the requested length and rate.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../web/src/npy.mjs';

const GOLDEN_RAW = fileURLToPath(new URL(
  '../../shared/golden/files/dev03_test-other_3080-5032-0002/resemblyzer/raw.npy', import.meta.url));

function speech16k(n) {
  if (existsSync(GOLDEN_RAW)) {
    const raw = decodeNpy(readFileSync(GOLDEN_RAW)).data;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = raw[i % raw.length];
    return out;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    out[i] = 0.3 * Math.sin(2 * Math.PI * 140 * t) * Math.sin(2 * Math.PI * 2.5 * t) ** 2;
  }
  return out;
}

export function clipWav(seconds, rate) {
  const src = speech16k(Math.round(seconds * 16000));
  const n = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + 2 * n, 4); buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24); buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36); buf.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) {
    const v = src[Math.min(src.length - 1, Math.floor(i * 16000 / rate))];  // crude hold: input for timing only
    buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), 44 + 2 * i);
  }
  return buf;
}

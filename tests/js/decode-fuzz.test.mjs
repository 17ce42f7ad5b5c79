// The JS side of decoding (FLAC, Ogg Opus, MP3 through the package's decoders, WAV through the core) under random
// and mutated real files: every input gives a usable result or a typed InvalidAudioError, within a time limit,
// never a crash, a hang or another error. Seeded, so a failure reproduces; SID_FUZZ_CASES=N runs more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InvalidAudioError, decodeAudio, loadCore } from '../../web/src/index.mjs';
import { SHARED } from './helpers.mjs';

const core = await loadCore();
const CASES = Number(process.env.SID_FUZZ_CASES ?? 240);
const LIMIT_MS = 20000;

let seed = 0x5eed1234;
const rand = () => {  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const int = (n) => Math.floor(rand() * n);

const seeds = {
  flac: readFileSync(`${SHARED}/audio/librispeech_test-other/1688/1688-142285-0000.flac`),
  opus: readFileSync(`${SHARED}/audio/speechocean762/SPEAKER3007/030070108.opus`),
  wav: readFileSync(`${SHARED}/golden/inputs/synth_short_0p6s.wav`),
};
// An MP3 frame header (MPEG-1 layer III, 128 kb/s, 44.1 kHz) followed by noise: the MP3 path gets exercised too.
const mp3 = () => Uint8Array.from([0xff, 0xfb, 0x90, 0x64, ...Array.from({ length: 400 + int(3000) }, () => int(256))]);

function mutate(bytes) {
  const b = Uint8Array.from(bytes.subarray(0, Math.max(8, int(bytes.length + 1))));  // truncated somewhere
  const kind = int(4);
  const edits = 1 + int(kind === 0 ? 4 : 64);
  for (let i = 0; i < edits; i++) {
    const at = kind === 1 ? int(Math.min(b.length, 256)) : int(b.length);  // kind 1: the headers
    if (kind === 2) b[at] ^= 1 << int(8);
    else b[at] = int(256);
  }
  return b;
}

function withLimit(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${LIMIT_MS} ms (a hang)`)), LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

test(`${CASES} random and mutated inputs: a result or InvalidAudioError, never anything else`, { timeout: 30 * 60000 }, async () => {
  const counts = { decoded: 0, refused: 0 };
  const kinds = Object.keys(seeds);
  for (let i = 0; i < CASES; i++) {
    const kind = i % 5 === 4 ? 'mp3' : kinds[i % kinds.length];
    const input = kind === 'mp3' ? mp3() : mutate(seeds[kind]);
    const what = `case ${i} (${kind}, ${input.length} bytes, seed state ${seed})`;
    try {
      const r = await withLimit(decodeAudio(core, input), what);
      assert.ok(Number.isInteger(r.sampleRate) && r.sampleRate > 0, `${what}: sample rate ${r.sampleRate}`);
      assert.ok(Number.isInteger(r.channels) && r.channels >= 1, `${what}: channels ${r.channels}`);
      assert.ok(r.interleaved instanceof Float32Array && r.interleaved.length % r.channels === 0, `${what}: samples`);
      counts.decoded++;
    } catch (err) {
      assert.ok(err instanceof InvalidAudioError, `${what}: ${err?.constructor?.name}: ${err?.message ?? err}`);
      assert.ok(!err.message.includes('\n'), `${what}: one-line reason`);
      counts.refused++;
    }
  }
  console.log(`decode fuzz: ${JSON.stringify(counts)}`);
  assert.equal(counts.decoded + counts.refused, CASES);
});

// Issue 10 point 3: noise, hum, tones and music-like non-speech are "no voice" (refused for enroll and identify),
// while real speech, also quiet, still enrolls. Before the speech-likeness rule of audio/speech_quality.h,
// 10 s of uniform noise enrolled as "10.0 s of speech" and other noise then identified as that speaker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoVoiceError, SpeakerId, decodeAudio, loadCore } from '../../web/src/index.mjs';
import { GOLDEN, SHARED, runCli } from './helpers.mjs';

const SR = 16000;
const DATA = `${SHARED}/audio/librispeech_test-other`;
const speechFile = (speaker, i) => {
  const dir = `${DATA}/${speaker}`;
  return `${dir}/${readdirSync(dir).filter((f) => f.endsWith('.flac')).sort()[i]}`;
};

// Deterministic generator (mulberry32) so failures reproduce.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const signal = (sec, f) => ({ samples: Float32Array.from({ length: sec * SR }, (_, i) => f(i / SR)), sampleRate: SR });
const uniform = (sec, amp, seed) => { const r = rng(seed); return signal(sec, () => amp * (2 * r() - 1)); };
const gaussian = (sec, sd, seed) => {
  const r = rng(seed);
  return signal(sec, () => sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
};
const sine = (sec, hz, amp) => signal(sec, (t) => amp * Math.sin(2 * Math.PI * hz * t));
const hum = (sec, f0) => signal(sec, (t) => {
  let v = 0;
  for (let k = 1; k <= 10; k += 1) v += Math.sin(2 * Math.PI * f0 * k * t + k) / k;
  return 0.05 * v;
});
// A melody of enveloped harmonic notes (8 partials), a note every 250 ms.
const melody = (sec) => signal(sec, (t) => {
  const scale = [0, 2, 4, 5, 7, 9, 11, 12];
  const n = Math.floor(t / 0.25);
  const f0 = 220 * 2 ** (scale[(n * 5) % 8] / 12);
  const tt = t - n * 0.25;
  let v = 0;
  for (let k = 1; k <= 8; k += 1) v += 0.6 ** (k - 1) * Math.sin(2 * Math.PI * f0 * k * tt);
  return 0.1 * Math.min(1, tt / 0.01) * Math.exp(-tt / 0.15) * v;
});

const NON_SPEECH = {
  'uniform noise (full scale)': () => uniform(10, 1, 1),
  'uniform noise (0.1)': () => uniform(10, 0.1, 2),
  'gaussian noise (0.1)': () => gaussian(10, 0.1, 3),
  'sine 1 kHz': () => sine(10, 1000, 0.3),
  'sine 440 Hz': () => sine(10, 440, 0.3),
  '50 Hz hum with harmonics': () => hum(10, 50),
  '60 Hz hum with harmonics': () => hum(10, 60),
  'melody of harmonic notes': () => melody(10),
};

test('enroll refuses 10 s of noise, tones, hum and a melody as no_voice', async () => {
  const sid = await SpeakerId.create();
  try {
    for (const [what, make] of Object.entries(NON_SPEECH)) {
      await assert.rejects(sid.enroll('noisebot', make()), (e) => {
        assert.ok(e instanceof NoVoiceError, `${what}: ${e}`);
        assert.equal(e.details.issues[0].code, 'no_voice', what);
        assert.equal(e.details.speechSec, 0, what);
        return true;
      }, what);
    }
    assert.deepEqual(await sid.speakers(), []);
  } finally {
    await sid.dispose();
  }
});

test('identify refuses noise and tones as no_voice, also with speakers enrolled', async () => {
  const sid = await SpeakerId.create();
  try {
    await sid.enroll('1688', [readFileSync(speechFile('1688', 0)), readFileSync(speechFile('1688', 1))]);
    for (const [what, make] of Object.entries(NON_SPEECH)) {
      await assert.rejects(sid.identify(make()), NoVoiceError, what);
    }
    // Real speech still identifies.
    const r = await sid.identify(readFileSync(speechFile('1688', 2)));
    assert.equal(r.speaker, '1688');
  } finally {
    await sid.dispose();
  }
});

test('real speech still enrolls: read speech, the golden -45 dBFS file, and speech at 10 dB SNR in noise', async () => {
  const sid = await SpeakerId.create();
  try {
    const clean = await sid.enroll('2033', readFileSync(speechFile('2033', 0)));
    assert.ok(clean.quality.speechSec > 3, JSON.stringify(clean.quality));
    const quiet = await sid.enroll('quiet', readFileSync(`${GOLDEN}/inputs/synth_quiet_-45dBFS.wav`));
    assert.ok(quiet.quality.speechSec > 1, JSON.stringify(quiet.quality));
    // Speech plus white noise 10 dB below it.
    const core = await loadCore();
    const audio = await decodeAudio(core, readFileSync(speechFile('1998', 0)));
    const x = audio.interleaved;
    let p = 0;
    for (const v of x) p += v * v;
    const sd = Math.sqrt(p / x.length / 10);
    const noise = gaussian(Math.ceil(x.length / SR), sd, 7).samples;
    const noisy = Float32Array.from(x, (v, i) => Math.max(-1, Math.min(1, v + noise[i])));
    const r = await sid.enroll('1998', { samples: noisy, sampleRate: audio.sampleRate });
    assert.ok(r.quality.speechSec > 2, JSON.stringify(r.quality));
  } finally {
    await sid.dispose();
  }
});

test('CLI: enroll of a noise WAV is refused with "no voice found" (the reported command)', () => {
  const work = mkdtempSync(join(tmpdir(), 'sid-noise-'));
  try {
    const n = 10 * SR;
    const r = rng(11);
    const pcm = Buffer.alloc(2 * n);
    for (let i = 0; i < n; i += 1) pcm.writeInt16LE(Math.round(32767 * (2 * r() - 1)), 2 * i);
    const h = Buffer.alloc(44);
    h.write('RIFF', 0); h.writeUInt32LE(36 + pcm.length, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(SR, 24); h.writeUInt32LE(2 * SR, 28);
    h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(pcm.length, 40);
    const wav = join(work, 'noise.wav');
    writeFileSync(wav, Buffer.concat([h, pcm]));
    const res = runCli(['enroll', '--store', join(work, 'S'), 'noisebot', wav]);
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stderr, /noise\.wav: .*no voice found/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

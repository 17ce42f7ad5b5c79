// Streaming identification (issue 12.1): segments of who spoke as PCM chunks arrive, on conversations assembled
// from unseen LibriSpeech test-other speakers (bench/conversations.mjs), plus the stream's contract: chunk sizes do
// not matter, silence and noise give no identity, state stays bounded, bad input is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SpeakerId } from '../../web/src/index.mjs';
import { decodeAudio } from '../../web/src/audio-decode.mjs';
import { loadCore } from '../../web/src/core.mjs';
import { InvalidArgumentError } from '../../web/src/errors.mjs';
import { ENROLL_RECORDINGS, RATE, assemble, loadSpeakers, runConversation, score } from '../../bench/conversations.mjs';
import { SHARED, runCli, wavBytes } from './helpers.mjs';

let sid, speakers, conversations, dir;
const unenrolledPool = ['3331', '533'];

before(async () => {
  const core = await loadCore();
  speakers = await loadSpeakers(`${SHARED}/audio/librispeech_test-other`, (b) => decodeAudio(core, b));
  conversations = assemble(speakers, { count: 4, turns: 10, unenrolledPool, seed: 11 });
  sid = await SpeakerId.create();
  for (const [name, clips] of Object.entries(speakers)) {
    if (!unenrolledPool.includes(name)) {
      await sid.enroll(name, clips.slice(0, ENROLL_RECORDINGS).map((samples) => ({ samples, sampleRate: RATE })));
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'sid-stream-'));
});
after(async () => {
  await sid?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('conversations of unseen speakers: >= 85 % of speech time gets the right speaker (or unknown)', async (t) => {
  let correct = 0, speech = 0;
  const delays = [];
  for (const c of conversations) {
    const r = await runConversation(sid.stream({ sampleRate: RATE }), c);
    const s = score(r.segments, c.turns);
    correct += s.correctSec;
    speech += s.speechSec;
    delays.push(...r.delays);
    // Segments are in order and never overlap.
    for (let i = 1; i < r.segments.length; i++) assert.ok(r.segments[i].start >= r.segments[i - 1].end - 1e-9);
  }
  delays.sort((a, b) => a - b);
  const accuracy = correct / speech;
  t.diagnostic(`${(100 * accuracy).toFixed(1)} % of ${speech.toFixed(0)} s; delay from a turn change to its label: ` +
    `median ${delays[delays.length >> 1].toFixed(2)} s, max ${delays.at(-1).toFixed(2)} s over ${delays.length} changes`);
  assert.ok(accuracy >= 0.85, `accuracy ${(100 * accuracy).toFixed(1)} %`);
});

test('chunk sizes do not change the result; a 48 kHz stereo stream is as right', async () => {
  const c = conversations[0];
  const run = async (chunk) => {
    const stream = sid.stream({ sampleRate: RATE });
    const out = [];
    for (let at = 0; at < c.audio.length; at += chunk) {
      for (const e of await stream.push(c.audio.subarray(at, at + chunk))) if (e.final) out.push(e);
    }
    for (const e of await stream.end()) if (e.final) out.push(e);
    return out;
  };
  const small = await run(128);   // an AudioWorklet's render quantum
  const large = await run(RATE * 7 + 13);
  assert.deepEqual(small, large);
  // 48 kHz stereo (each channel the 16 kHz signal, upsampled by repetition): the same speakers in the same order.
  const stereo = new Float32Array(c.audio.length * 3 * 2);
  for (let i = 0; i < c.audio.length; i++) for (let k = 0; k < 6; k++) stereo[6 * i + k] = c.audio[i];
  const s48 = sid.stream({ sampleRate: 48000, channels: 2 });
  const seg48 = [];
  for (let at = 0; at < stereo.length; at += 9600) for (const e of await s48.push(stereo.subarray(at, at + 9600))) if (e.final) seg48.push(e);
  for (const e of await s48.end()) if (e.final) seg48.push(e);
  // Not bit-equal (the 48 kHz signal is resampled per window), but as right.
  const a16 = score(small, c.turns).accuracy;
  const a48 = score(seg48, c.turns).accuracy;
  assert.ok(Math.abs(a48 - a16) < 0.05 && a48 > 0.8, `48 kHz stereo ${a48}, 16 kHz ${a16}`);
});

test('silence and noise give no identity; events carry start, end, speaker, score and candidates', async () => {
  const stream = sid.stream({ sampleRate: RATE });
  const silence = new Float32Array(5 * RATE);
  const noise = Float32Array.from({ length: 5 * RATE }, () => 0.1 * (Math.random() - 0.5));
  assert.deepEqual(await stream.push(silence), []);
  assert.deepEqual(await stream.push(noise), []);
  const speech = speakers['1688'][5];
  const events = [...await stream.push(speech), ...await stream.push(silence), ...await stream.end()];
  const finals = events.filter((e) => e.final);
  assert.equal(finals.length, 1, JSON.stringify(finals));
  const [seg] = finals;
  assert.equal(seg.speaker, '1688');
  assert.ok(seg.start >= 9 && seg.start <= 10.5 && seg.end <= 10 + speech.length / RATE + 1.5, `${seg.start}-${seg.end}`);
  assert.ok(seg.score > 0.4 && seg.candidates[0].name === '1688');
  assert.ok(events.some((e) => !e.final && e.speaker === '1688'), 'the live segment is reported while it grows');
});

test('bad input and options are refused, typed', async () => {
  assert.throws(() => sid.stream({}), InvalidArgumentError);
  assert.throws(() => sid.stream({ sampleRate: 16000, hopSec: 5 }), /hopSec/);
  assert.throws(() => sid.stream({ sampleRate: 16000, speed: 2 }), /unknown stream option/);
  assert.throws(() => sid.stream({ sampleRate: 16000, threshold: { confidence: 2 } }), /threshold must be/);
  const s = sid.stream({ sampleRate: 16000, channels: 2 });
  assert.throws(() => s.push([0, 0]), InvalidArgumentError);
  assert.throws(() => s.push(new Float32Array(3)), /multiple of 2 channels/);
  await s.end();
  assert.throws(() => s.push(new Float32Array(2)), /ended/);
});

test('timeline: the API and `speaker-id timeline --json` on a WAV of a conversation', async () => {
  const c = conversations[1];
  const wav = wavBytes(c.audio);
  const segments = await sid.timeline(wav);
  assert.ok(score(segments, c.turns).accuracy >= 0.8);
  const store = join(dir, 'store');
  const file = join(dir, 'conversation.wav');
  writeFileSync(file, wav);
  const enrolled = [...new Set(c.turns.filter((t) => t.enrolled).map((t) => t.speaker))];
  for (const name of enrolled) {
    const files = speakers[name].slice(0, ENROLL_RECORDINGS).map((x, i) => {
      const p = join(dir, `${name}-${i}.wav`);
      writeFileSync(p, wavBytes(x));
      return p;
    });
    const r = runCli(['enroll', '--store', store, name, ...files]);
    assert.equal(r.code, 0, r.stderr);
  }
  const r = runCli(['timeline', '--store', store, '--json', file]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  // "confidence" too: the default model is calibrated.
  for (const l of lines) assert.deepEqual(Object.keys(l), ['start', 'end', 'speaker', 'score', 'confidence']);
  assert.ok(score(lines, c.turns).accuracy >= 0.8, JSON.stringify(lines));
  const bad = runCli(['timeline', '--store', store, '--hop', '0', file]);
  assert.equal(bad.code, 2);
});

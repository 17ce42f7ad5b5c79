// SpeakerId.create() with no options runs the embedded default model (compact-ecapa-fp32, on the core's own network where ORT would be wasm) on every audio input kind,
// and its embeddings separate real speakers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SpeakerId, InvalidAudioError, NoVoiceError, decodeAudio, loadCore } from '../../web/src/index.mjs';
import { cosine } from '../../web/src/metrics.mjs';
import { SHARED } from './helpers.mjs';

const sid = await SpeakerId.create();
const flac = (spk, utt) => readFileSync(`${SHARED}/audio/librispeech_test-other/${spk}/${utt}.flac`);

test('the default model is the committed compact encoder with its calibrated threshold', () => {
  assert.equal(sid.model.id, 'compact-ecapa-fp32');
  assert.equal(sid.model.family, 'ecapa');
  assert.equal(sid.model.dim, 192);
  assert.equal(sid.model.threshold, 0.5475);
});

test('bytes, { samples, sampleRate } and an AudioBuffer-like object give the same embedding', async () => {
  const bytes = flac('1688', '1688-142285-0000');
  const fromBytes = await sid.embed(bytes);
  const pcm = await decodeAudio(await loadCore(), bytes);
  const fromPcm = await sid.embed({ samples: pcm.interleaved, sampleRate: pcm.sampleRate });
  const buffer = { numberOfChannels: 1, sampleRate: pcm.sampleRate, length: pcm.interleaved.length,
    getChannelData: () => pcm.interleaved };
  const fromBuffer = await sid.embed(buffer);
  assert.equal(fromBytes.length, 192);
  assert.deepEqual(fromPcm, fromBytes);
  assert.deepEqual(fromBuffer, fromBytes);
});

test('same-speaker pairs score above the default threshold, different-speaker pairs below it', async () => {
  const a = await sid.embed(flac('1688', '1688-142285-0001'));
  const b = await sid.embed(flac('1688', '1688-142285-0004'));
  const c = await sid.embed(flac('2414', '2414-128291-0001'));
  const d = await sid.embed(flac('3005', '3005-163389-0001'));
  assert.ok(cosine(a, b) > sid.model.threshold, `same speaker ${cosine(a, b)}`);
  for (const other of [c, d]) {
    assert.ok(cosine(a, other) < sid.model.threshold, `different speakers ${cosine(a, other)}`);
  }
});

test('bad audio is refused with a typed error naming what is accepted', async () => {
  await assert.rejects(sid.embed(new Float32Array(16000)), (e) => e instanceof InvalidAudioError && /sampleRate/.test(e.message));
  await assert.rejects(sid.embed('hello'), (e) => e instanceof InvalidAudioError && /AudioBuffer/.test(e.message));
  // 10 samples of silence: embed() refuses it as identify() does, before any inference.
  await assert.rejects(sid.embed({ samples: new Float32Array(10), sampleRate: 16000 }),
    (e) => e instanceof NoVoiceError && /no voice found in 0\.00 s/.test(e.message));
});

test('dispose releases the session; later calls fail clearly', async () => {
  const other = await SpeakerId.create();
  await other.dispose();
  await assert.rejects(other.embed(flac('1688', '1688-142285-0000')), /disposed/);
  await sid.dispose();
});

test('profiles(): the enrolled samples themselves, in enrollment order, as embed() computed them', async () => {
  const s = await SpeakerId.create();
  try {
    const a = flac('1688', '1688-142285-0001');
    const b = flac('2414', '2414-128291-0001');
    await s.enroll('ann', a);
    await s.enroll('bob', [b, flac('2414', '2414-128291-0002')]);
    const p = await s.profiles();
    assert.deepEqual(p.map((sp) => [sp.name, sp.samples.length]), [['ann', 1], ['bob', 2]]);
    assert.deepEqual(p[0].samples[0].embedding, await s.embed(a));
    assert.deepEqual(p[1].samples[0].embedding, await s.embed(b));
    assert.ok(p[0].samples[0].speechSec > 1 && p[0].samples[0].createdAt > 0);
    p[0].samples[0].embedding.fill(0);  // a copy: the gallery is untouched
    assert.deepEqual((await s.profiles())[0].samples[0].embedding, await s.embed(a));
  } finally {
    await s.dispose();
  }
});

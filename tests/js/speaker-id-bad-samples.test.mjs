// Unusable sample values and silence through the SpeakerId API: NaN / infinite samples are refused naming the
// first bad sample (before any inference), silence has no voice, for embed() as for enroll() and identify().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InvalidAudioError, NoVoiceError, SpeakerId } from '../../web/src/index.mjs';
import { SHARED } from './helpers.mjs';

const sid = await SpeakerId.create();
const pcm = (fill, n = 32000) => ({ samples: new Float32Array(n).fill(fill), sampleRate: 16000 });
const speech = readFileSync(`${SHARED}/audio/librispeech_test-other/1688/1688-142285-0000.flac`);

test('NaN and infinite samples are refused by embed, enroll and identify, naming the sample', async () => {
  const oneBad = pcm(0.1);
  oneBad.samples[20000] = Infinity;
  for (const [audio, what] of [[pcm(NaN), /sample 0 \(channel 0, at 0\.000 s\) is NaN/], [oneBad, /sample 20000 .* is infinite/]]) {
    for (const call of [() => sid.embed(audio), () => sid.enroll('ann', audio), () => sid.identify(audio)]) {
      await assert.rejects(call(), (e) => e instanceof InvalidAudioError && what.test(e.message) &&
        /accepted: finite PCM values/.test(e.message));
    }
  }
  assert.deepEqual(await sid.speakers(), []);
});

test('silence has no voice: embed refuses it like identify', async () => {
  await assert.rejects(sid.embed(pcm(0)), NoVoiceError);
  await assert.rejects(sid.identify(pcm(0)), NoVoiceError);
  const e = await sid.embed(speech);
  assert.equal(e.length, 192);
  assert.ok(e.every(Number.isFinite));
  await sid.dispose();
});

test('create() refuses unknown options and bad thread counts, naming what is accepted', async () => {
  const { InvalidArgumentError } = await import('../../web/src/index.mjs');
  await assert.rejects(SpeakerId.create({ thread: 2 }), (e) => e instanceof InvalidArgumentError &&
    /unknown SpeakerId.create option\(s\) thread; accepted: model, store/.test(e.message));
  for (const threads of [0, 1.5, '2', 65, NaN]) {
    await assert.rejects(SpeakerId.create({ threads }), (e) => e instanceof InvalidArgumentError && /threads must be an integer in 1\.\.64/.test(e.message));
  }
  await assert.rejects(SpeakerId.create(null), InvalidArgumentError);
});

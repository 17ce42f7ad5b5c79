// SpeakerIds of one model share one ONNX Runtime session (onnx-session.mjs openSharedSession): a server holds the
// model once, not once per tenant. Sharing must not show: concurrent calls on several SpeakerIds give the results
// each gives alone, and disposing one leaves the others working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { SpeakerId } from '../../web/src/index.mjs';
import { openSharedSession } from '../../web/src/onnx-session.mjs';
import { SHARED } from './helpers.mjs';

const dir = `${SHARED}/audio/librispeech_test-other/1688`;
const clips = readdirSync(dir).sort().slice(0, 4).map((f) => readFileSync(`${dir}/${f}`));

test('concurrent embeds on three SpeakerIds of one model equal each one alone; disposing one keeps the others', async () => {
  const alone = await SpeakerId.create();
  const expected = [];
  for (const c of clips) expected.push(await alone.embed(c));
  await alone.dispose();
  const sids = await Promise.all([0, 1, 2].map(() => SpeakerId.create()));
  const got = await Promise.all(sids.flatMap((sid) => clips.map((c) => sid.embed(c))));
  got.forEach((e, i) => assert.deepEqual(e, expected[i % clips.length], `embedding ${i}`));
  await sids[0].dispose();
  assert.deepEqual(await sids[1].embed(clips[0]), expected[0]);
  await sids[1].dispose();
  assert.deepEqual(await sids[2].embed(clips[1]), expected[1]);
  await sids[2].dispose();
  // Everything released: a new SpeakerId creates the session again and still works.
  const again = await SpeakerId.create();
  assert.deepEqual(await again.embed(clips[2]), expected[2]);
  await again.dispose();
});

test('holders of one shared session get the same session; it is released with the last holder', async () => {
  const bytes = readFileSync(new URL('../../models/compact/compact-ecapa.onnx', import.meta.url));
  const a = await openSharedSession('test-key', bytes);
  const b = await openSharedSession('test-key', bytes);
  const feeds = { feats: { data: new Float32Array(200 * 80).fill(0.1), shape: [1, 200, 80] } };
  const [ra, rb] = await Promise.all([a.run(feeds), b.run(feeds)]);
  assert.deepEqual(ra.embedding.data, rb.embedding.data);
  await a.dispose();
  await a.dispose();  // twice is once
  assert.ok((await b.run(feeds)).embedding.data.length === 192);
  await b.dispose();
  const c = await openSharedSession('test-key', bytes);  // a fresh one after the last release
  assert.ok((await c.run(feeds)).embedding.data.length === 192);
  await c.dispose();
});

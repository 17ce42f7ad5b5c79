// A model given as its .onnx bytes (what a Cloudflare Worker has: no file system, its modules cannot be fetched) is
// the same model as by id or path: the manifest knows it by sha256 (same id, threshold, calibration, embeddings);
// bytes the manifest does not know get the id their content gives, as a path to them does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SpeakerId } from '../../web/src/index.mjs';
import { resolveModel, sha256Hex } from '../../web/src/model-registry.mjs';
import { ROOT, SHARED } from './helpers.mjs';

const EMBEDDED = `${ROOT}models/compact/compact-ecapa.onnx`;
const GOLDEN = `${ROOT}build/models/ecapa-small-golden.onnx`;
const clip = readFileSync(`${SHARED}/audio/librispeech_test-other/1688/1688-142285-0000.flac`);
const bits = (f32) => Array.from(new Uint32Array(f32.buffer, f32.byteOffset, f32.length));

test('the embedded model as Uint8Array or ArrayBuffer: same id, sha256, threshold, calibration and embeddings', async () => {
  const byId = await SpeakerId.create({ model: 'compact-ecapa' });
  const file = readFileSync(EMBEDDED);
  const u8 = new Uint8Array(file.buffer.slice(file.byteOffset, file.byteOffset + file.length));
  try {
    const expected = bits(await byId.embed(clip));
    for (const [what, model] of [['Uint8Array', u8], ['ArrayBuffer', u8.buffer.slice(0)], ['Buffer', file]]) {
      const sid = await SpeakerId.create({ model });
      try {
        assert.deepEqual(sid.model, byId.model, what);
        assert.equal(sid.model.id, 'compact-ecapa');
        assert.equal(sid.model.sha256, await sha256Hex(file));
        assert.deepEqual(sid.threshold, byId.threshold);
        assert.ok(sid.model.calibration, 'the manifest calibration comes with it');
        assert.deepEqual(bits(await sid.embed(clip)), expected, `${what}: the embedding bits`);
      } finally {
        await sid.dispose();
      }
    }
  } finally {
    await byId.dispose();
  }
});

test('the bytes are copied: changing the caller\'s buffer after create() (lazy session) changes nothing', async () => {
  const u8 = new Uint8Array(readFileSync(EMBEDDED));
  const ref = await resolveModel('compact-ecapa');
  const sid = await SpeakerId.create({ model: u8, lazy: true });
  try {
    u8.fill(0);
    const sid2 = await SpeakerId.create({ model: ref.bytes });
    try {
      assert.deepEqual(bits(await sid.embed(clip)), bits(await sid2.embed(clip)));
    } finally {
      await sid2.dispose();
    }
  } finally {
    await sid.dispose();
  }
});

test('bytes the manifest does not know: the content id sha256-<16 hex>, the same as by path', async () => {
  const bytes = new Uint8Array(readFileSync(GOLDEN));
  const digest = await sha256Hex(bytes);
  const m = await resolveModel(bytes);
  assert.equal(m.id, `sha256-${digest.slice(0, 16)}`);
  assert.equal(m.sha256, digest);
  const byPath = await resolveModel(GOLDEN);
  for (const k of ['id', 'family', 'frontend', 'dim', 'inputName', 'outputName', 'threshold', 'calibration', 'sha256']) {
    assert.deepEqual(m[k], byPath[k], k);
  }
});

test('anything else is refused with InvalidArgumentError saying what is accepted', async () => {
  const accepted = /manifest id, a path or URL of an \.onnx file, or the \.onnx bytes \(Uint8Array or ArrayBuffer\)/;
  for (const [what, model, message] of [
    ['a number', 42, /got number/],
    ['an object', { bytes: 1 }, /got \[object Object\]/],
    ['a Float32Array', new Float32Array(4), /got \[object Float32Array\]/],
    ['an empty string', '', /got an empty string/],
  ]) {
    await assert.rejects(resolveModel(model), (err) => err.code === 'invalid_argument' && accepted.test(err.message) &&
      message.test(err.message), what);
  }
  await assert.rejects(resolveModel(new Uint8Array(0)), { code: 'invalid_argument', message: /model bytes are empty/ });
  await assert.rejects(SpeakerId.create({ model: new TextEncoder().encode('not a model at all') }),
    { code: 'invalid_argument', message: /the model bytes \(18 bytes, sha256 [0-9a-f]{12}…\) is not an ONNX model/ });
});

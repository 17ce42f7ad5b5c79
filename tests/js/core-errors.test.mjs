// The one error model at the JS/wasm boundary: every bound class and function of the core (bindings/), called with
// bad values or arguments of the wrong type, throws a typed SpeakerIdError with a code (never a bare number, never
// an untyped Embind error). A bound method without a case here fails the test, so new bindings get one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore } from '../../web/src/core.mjs';
import { ERROR_CLASSES, SpeakerIdError } from '../../web/src/errors.mjs';

const core = await loadCore();
const SHA = 'ab'.repeat(32);

function expectTyped(what, fn, code, { mayReturn = false } = {}) {
  let thrown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined && mayReturn) return undefined;
  assert.ok(thrown !== undefined, `${what}: did not throw`);
  assert.ok(thrown instanceof SpeakerIdError, `${what}: threw ${typeof thrown} ${thrown?.constructor?.name}: ${thrown?.message ?? thrown}`);
  assert.ok(thrown.code in ERROR_CLASSES, `${what}: unknown code ${thrown.code}`);
  assert.ok(thrown instanceof ERROR_CLASSES[thrown.code], `${what}: class does not match code ${thrown.code}`);
  assert.ok(!thrown.message.includes('\n'), `${what}: message has several lines`);
  if (code) assert.equal(thrown.code, code, `${what}: ${thrown.message}`);
  return thrown;
}

const fresh = {
  Frontend: () => new core.Frontend('ecapa'),
  WavDecoder: () => new core.WavDecoder(),
  Gallery: () => new core.Gallery('m', SHA, 4),
  ProfileReader: () => new core.ProfileReader(),
  Network: () => new core.Network(),
};

// [method, call(obj) with bad values, expected code, call(obj) with wrong JS types]
const CASES = {
  Frontend: [
    ['spec', null],
    ['buffer', (o) => o.buffer(-1), 'invalid_argument', (o) => o.buffer('x')],
    ['byteBuffer', (o) => o.byteBuffer(1.5), 'invalid_argument', (o) => o.byteBuffer({})],
    ['runPcm', (o) => { o.buffer(0); o.runPcm(1, 16000, {}); }, 'invalid_audio', (o) => o.runPcm('a', 'b', {})],
    ['runWav', (o) => { o.byteBuffer(3).set([1, 2, 3]); o.runWav({}); }, 'invalid_audio', (o) => o.runWav()],
    ['pool', (o) => { o.buffer(4); o.pool(1, 4); }, 'invalid_argument', (o) => o.pool('x', 'y')],
  ],
  WavDecoder: [
    ['buffer', (o) => o.buffer(-3), 'invalid_argument', (o) => o.buffer(null)],
    ['decode', (o) => { o.buffer(5).set([82, 73, 70, 70, 0]); o.decode(); }, 'invalid_audio', (o) => o.decode(1)],
    ['probe', (o) => { o.buffer(12).set([82, 73, 70, 70, 0, 0, 0, 0, 87, 65, 86, 69]); o.probe(1000); }, 'invalid_audio',
      (o) => o.probe('x')],
  ],
  Gallery: [
    ['buffer', (o) => o.buffer(NaN), 'invalid_argument', (o) => o.buffer([])],
    ['size', null, null, (o) => o.size(1)],
    ['contains', null, null, (o) => o.contains(5)],
    ['checkSample', (o) => { o.buffer(4); o.checkSample(1, 1, 0); }, 'invalid_argument', (o) => o.checkSample('x')],
    ['addSample', (o) => { o.buffer(3).set([1, 2, 3]); o.addSample('ann', 1, 1, 0); }, 'invalid_argument',
      (o) => o.addSample(1, 2, 3, 4)],
    ['load', (o) => o.load([{ name: '', samples: [] }]), 'invalid_argument', (o) => o.load(7)],
    ['sampleIndex', null, null, (o) => o.sampleIndex(3)],
    ['remove', null, null, (o) => o.remove(5)],
    ['rename', (o) => o.rename('nobody', 'x'), 'unknown_speaker', (o) => o.rename(1, 2)],
    ['reset', null, null, (o) => o.reset(1)],
    ['speakers', null, null, (o) => o.speakers(1)],
    ['speaker', null, null, (o) => o.speaker({})],
    ['speakersWithSamples', null, null, (o) => o.speakersWithSamples(2)],
    ['identify', (o) => { o.buffer(4); o.identify(1, 0.5); }, 'invalid_argument', (o) => o.identify('a', 'b')],
    ['verify', (o) => { o.buffer(4).set([1, 0, 0, 0]); o.verify('nobody', 0.5); }, 'unknown_speaker', (o) => o.verify(1, 2)],
    ['exportProfiles', null, null, (o) => o.exportProfiles(1)],
  ],
  Network: [
    ['byteBuffer', (o) => o.byteBuffer(1.5), 'invalid_argument', (o) => o.byteBuffer({})],
    ['load', (o) => { o.byteBuffer(4).set([8, 7, 58, 255]); o.load(); }, 'invalid_argument', (o) => o.load(1)],
    ['buffer', (o) => o.buffer(-1), 'invalid_argument', (o) => o.buffer('x')],
    ['embed', (o) => { o.buffer(80); o.embed(1); }, 'invalid_argument', (o) => o.embed('x')],  // no model loaded
  ],
  ProfileReader: [
    ['buffer', (o) => o.buffer(-1), 'invalid_argument', (o) => o.buffer('big')],
    ['decode', (o) => { o.buffer(8); o.decode(); }, 'invalid_profile', (o) => o.decode(1)],
  ],
};

test('every bound method has a case here', () => {
  for (const [name, cases] of Object.entries(CASES)) {
    const bound = Object.getOwnPropertyNames(core[name].prototype)
      .filter((k) => k !== 'constructor' && typeof core[name].prototype[k] === 'function' &&
        !['delete', 'clone', 'isDeleted', 'deleteLater', 'isAliasOf'].includes(k));
    assert.deepEqual(bound.sort(), cases.map((c) => c[0]).sort(), name);
  }
});

for (const [name, cases] of Object.entries(CASES)) {
  test(`${name}: bad values and wrong types give typed errors`, () => {
    for (const [method, bad, code, wrongTypes] of cases) {
      const o = fresh[name]();
      try {
        if (bad) expectTyped(`${name}.${method} (bad value)`, () => bad(o), code);
        // Embind coerces some wrong types (null -> 0 for a number) and refuses others (a number for a string, a
        // wrong arity): whatever it does, a refusal is typed.
        if (wrongTypes) expectTyped(`${name}.${method} (wrong types)`, () => wrongTypes(o), undefined, { mayReturn: true });
      } finally {
        o.delete();
      }
    }
  });
}

test('constructors and free functions refuse bad arguments, typed', () => {
  expectTyped('new Frontend(unknown family)', () => new core.Frontend('wav2vec'), 'invalid_argument');
  expectTyped('new Frontend(number)', () => new core.Frontend(3), 'invalid_argument');
  expectTyped('new Gallery(bad sha)', () => new core.Gallery('m', 'zz', 4), 'invalid_argument');
  expectTyped('new Gallery(dim 0)', () => new core.Gallery('m', SHA, 0), 'invalid_argument');
  expectTyped('new Gallery(no args)', () => new core.Gallery(), 'invalid_argument');
  expectTyped('checkSpeakerName(control char)', () => core.checkSpeakerName('a\u0001'), 'invalid_argument');
  expectTyped('checkSpeakerName(number)', () => core.checkSpeakerName(1), 'invalid_argument');
  expectTyped('families(extra)', () => core.families(1), 'invalid_argument');
  const g = new core.Gallery('m', SHA, 4);
  try {
    expectTyped('Gallery.remove(number)', () => g.remove(5), 'invalid_argument');
    expectTyped('Gallery.rename(numbers)', () => g.rename(1, 2), 'invalid_argument');
    expectTyped('Gallery.addSample(wrong arity)', () => g.addSample('a'), 'invalid_argument');
  } finally {
    g.delete();
  }
});

test('a refused call changes nothing: the gallery keeps its speakers', () => {
  const g = new core.Gallery('m', SHA, 4);
  try {
    g.buffer(4).set([1, 0, 0, 0]);
    g.addSample('ann', 1, 1, 0);
    expectTyped('load with a bad speaker', () => g.load([{ name: 'ok', samples: [{ embedding: new Float32Array(4).fill(1),
      durationSec: 1, speechSec: 1, createdAt: 0 }] }, { name: 'x\u0002', samples: [] }]), 'invalid_argument');
    assert.deepEqual(g.speakers().map((s) => s.name), ['ann']);
    expectTyped('rename onto itself missing', () => g.rename('zed', 'ann'), 'unknown_speaker');
    g.buffer(4).set([0, 1, 0, 0]);
    g.addSample('bob', 1, 1, 0);
    expectTyped('rename onto existing', () => g.rename('ann', 'bob'), 'speaker_exists');
    assert.deepEqual(g.speakers().map((s) => s.name), ['ann', 'bob']);
  } finally {
    g.delete();
  }
});

// Speaker-ID's score scale (web/src/http/score-scale.mjs): 0.82 is the model's calibrated decision, higher is
// stricter, and for models with a raw-cosine threshold of 0.82 (Resemblyzer, as in the Python service) it is the
// cosine itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { speakerIdScale } from '../../web/src/http/score-scale.mjs';
import { loadManifest } from '../../web/src/model-registry.mjs';

const models = (await loadManifest()).models;
const compact = models.find((m) => m.id === 'compact-ecapa');
const resemblyzer = models.find((m) => m.id === 'resemblyzer');

test('calibrated default model: 0.82 is its threshold, the map is monotone and invertible', () => {
  const s = speakerIdScale({ id: compact.id, threshold: compact.threshold, calibration: compact.calibration });
  assert.ok(Math.abs(s.toApi(compact.threshold) - 0.82) < 1e-12);
  assert.equal(s.toRaw(0.82), compact.threshold);
  let last = -Infinity;
  for (let c = -1; c <= 1; c += 0.01) {
    const v = s.toApi(c);
    assert.ok(v >= 0 && v <= 1 && v >= last);
    last = v;
    if (v > 1e-9 && v < 1 - 1e-9) assert.ok(Math.abs(s.toRaw(v) - c) < 1e-6, `round trip at ${c}`);
  }
  // The UI slider's ends map to sensible cosines on either side of the threshold.
  assert.ok(s.toRaw(0.5) < compact.threshold && s.toRaw(0.5) > 0.3);
  assert.ok(s.toRaw(0.99) > compact.threshold && s.toRaw(0.99) < 0.95);
  assert.equal(s.toRaw(0), -1);
  assert.equal(s.toRaw(1), 1);
  // Same slope as the model's calibration: the odds move by the same factor per unit of cosine.
  const logit = (p) => Math.log(p / (1 - p));
  assert.ok(Math.abs((logit(s.toApi(0.7)) - logit(s.toApi(0.5))) / 0.2 - compact.calibration.a) < 1e-9);
});

test('a model with a raw threshold of 0.82 and no calibration keeps Speaker-ID\'s semantics: the cosine itself', () => {
  assert.equal(resemblyzer.calibration, undefined);
  const s = speakerIdScale({ id: resemblyzer.id, threshold: resemblyzer.threshold });
  for (const c of [0.1, 0.5, 0.82, 0.9, 0.99]) {
    assert.ok(Math.abs(s.toApi(c) - c) < 1e-12);
    assert.ok(Math.abs(s.toRaw(c) - c) < 1e-12);
  }
  assert.equal(s.toApi(-0.3), 0);
});

test('a model without any threshold is refused with the reason', () => {
  assert.throws(() => speakerIdScale({ id: 'x' }), /no calibrated threshold/);
});

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

const logit = (p) => Math.log(p / (1 - p));

test('calibrated default model: 0.82 is its threshold, the map is monotone and invertible', () => {
  const cal = compact.calibration;
  const threshold = compact.threshold;
  assert.equal(cal.kind, 'logistic');
  const s = speakerIdScale({ id: compact.id, threshold, calibration: cal });
  assert.ok(Math.abs(s.toApi(threshold) - 0.82) < 1e-12);
  assert.equal(s.toRaw(0.82), threshold);
  assert.ok(Math.abs(s.toConfidence(0.82) - 1 / (1 + Math.exp(-(cal.a * threshold + cal.b)))) < 1e-12);
  let last = -Infinity;
  for (let c = -1; c <= 1; c += 0.01) {
    const v = s.toApi(c);
    assert.ok(v >= 0 && v <= 1 && v >= last);
    last = v;
    if (v > 1e-9 && v < 1 - 1e-9) assert.ok(Math.abs(s.toRaw(v) - c) < 1e-6, `round trip at ${c}`);
  }
  // The UI slider's ends map to sensible cosines on either side of the threshold.
  assert.ok(s.toRaw(0.5) < threshold && s.toRaw(0.5) > 0.3);
  assert.ok(s.toRaw(0.99) > threshold && s.toRaw(0.99) < 0.95);
  assert.equal(s.toRaw(0), -1);
  assert.equal(s.toRaw(1), 1);
  // Same slope as the model's calibration: the odds move by the same factor per unit of cosine.
  assert.ok(Math.abs((logit(s.toApi(0.7)) - logit(s.toApi(0.5))) / 0.2 - cal.a) < 1e-9);
});

test('a duration-aware calibration: 0.82 is the model\'s decision at every probe duration', () => {
  // compact-ecapa v4's measured (not kept) duration-aware map, models/compact/README.md
  const cal = { kind: 'logistic-duration', w: [19.5461, -2.1744, -0.7706, -8.5446], duration_range: [1, 6.73],
    confidence_at_threshold: 0.926 };
  const s = speakerIdScale({ id: 'm', threshold: 0.5475, calibration: cal });
  assert.equal(s.durationAware, true);
  assert.ok(Math.abs(s.toConfidence(0.82) - cal.confidence_at_threshold) < 1e-12, 'API 0.82 = the model\'s decision');
  const [w0, w1, w2, w3] = cal.w;
  const [lo, hi] = cal.duration_range;
  const lnd = (d) => Math.log(Math.min(hi, Math.max(lo, d)) / 3);
  for (const d of [0.5, 1, 2, 3, 5, 10, 60]) {
    const raw = s.toRaw(0.82, d);
    // The raw cosine of API 0.82 has the model's decision confidence under the manifest's formula.
    const z = w0 * raw + w1 * lnd(d) + w2 * raw * lnd(d) + w3;
    assert.ok(Math.abs(1 / (1 + Math.exp(-z)) - cal.confidence_at_threshold) < 1e-9, `${d} s`);
    assert.ok(Math.abs(s.toApi(raw, d) - 0.82) < 1e-9, `${d} s`);
    let last = -Infinity;
    for (let c = -1; c <= 1; c += 0.01) {
      const v = s.toApi(c, d);
      assert.ok(v >= 0 && v <= 1 && v >= last, `monotone at ${d} s`);
      last = v;
      if (v > 1e-9 && v < 1 - 1e-9) assert.ok(Math.abs(s.toRaw(v, d) - c) < 1e-6, `round trip at ${c}, ${d} s`);
    }
  }
  // Short probes score lower: the same API threshold is a lower raw cosine for them, clamped to the fitted range.
  assert.ok(s.toRaw(0.82, 1) < s.toRaw(0.82, 3) && s.toRaw(0.82, 3) < s.toRaw(0.82, 6));
  assert.equal(s.toRaw(0.82, 0.3), s.toRaw(0.82, lo));
  assert.equal(s.toRaw(0.82, 100), s.toRaw(0.82, hi));
  assert.equal(s.toRaw(0.82), s.toRaw(0.82, 3), 'no duration: a 3 s probe');
  assert.equal(s.toRaw(0, 2), -1);
  assert.equal(s.toRaw(1, 2), 1);
  assert.match(s.spec.formula, /L = ln\(clamp\(d/);
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

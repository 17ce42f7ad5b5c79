// Metrics on score sets whose EER / minDCF can be worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centroid, cosine, verificationMetrics } from '../../web/src/metrics.mjs';

test('perfectly separated scores: EER 0, minDCF 0', () => {
  const m = verificationMetrics([0.9, 0.8, 0.7], [0.1, 0.2, 0.3]);
  assert.equal(m.eer, 0);
  assert.equal(m.minDcf, 0);
  assert.ok(m.eerThreshold > 0.3 && m.eerThreshold < 0.7);
});

test('fully inverted scores: EER 1', () => {
  const m = verificationMetrics([0.1, 0.2], [0.8, 0.9]);
  assert.equal(m.eer, 1);
});

test('one target below one non-target out of four each: EER 0.25', () => {
  // targets 0.9 0.8 0.7 0.35; non-targets 0.1 0.2 0.3 0.4 -> at threshold 0.375: miss 1/4, fa 1/4
  const m = verificationMetrics([0.9, 0.8, 0.7, 0.35], [0.1, 0.2, 0.3, 0.4]);
  assert.ok(Math.abs(m.eer - 0.25) < 1e-12, `eer ${m.eer}`);
});

test('minDCF at p_target 0.01 weighs false alarms 99x: it prefers rejecting everything over one false alarm in 4', () => {
  // accepting all (pmiss 0, pfa 1) costs 99; rejecting all costs 1; threshold at 0.375 costs 0.25 + 0.25*99
  const m = verificationMetrics([0.9, 0.8, 0.7, 0.35], [0.1, 0.2, 0.3, 0.4]);
  // best: threshold between 0.4 and 0.7 -> pmiss 1/4, pfa 0 -> 0.25
  assert.ok(Math.abs(m.minDcf - 0.25) < 1e-12, `minDcf ${m.minDcf}`);
});

test('cosine and centroid', () => {
  assert.ok(Math.abs(cosine([1, 0], [0, 1])) < 1e-12);
  assert.ok(Math.abs(cosine([1, 1], [2, 2]) - 1) < 1e-12);
  const c = centroid([[2, 0], [0, 5]]);  // L2 each -> (1,0),(0,1) -> mean (.5,.5) -> L2
  assert.ok(Math.abs(c[0] - Math.SQRT1_2) < 1e-6 && Math.abs(c[1] - Math.SQRT1_2) < 1e-6);
});

// Calibrated confidence (issue 11): a model's calibration maps raw cosine to a confidence, results carry it next to
// every score, and a threshold may be given on either scale. The model here is the default model's file registered
// in a user manifest with a known calibration, so the expected figures follow from the map.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SpeakerId } from '../../web/src/index.mjs';
import { makeCalibration, rawThreshold } from '../../web/src/calibration.mjs';
import { InvalidArgumentError } from '../../web/src/errors.mjs';
import { ROOT, SHARED, runCli } from './helpers.mjs';

const CAL = { kind: 'logistic', a: 10, b: -5 };  // confidence 0.5 at cosine 0.5
const conf = (s) => 1 / (1 + Math.exp(-(CAL.a * s + CAL.b)));
const flac = (spk, n) => readFileSync(`${SHARED}/audio/librispeech_test-other/${spk}/${spk}-${n}.flac`);
let cache;

before(() => {
  cache = mkdtempSync(join(tmpdir(), 'sid-calibration-'));
  const base = JSON.parse(readFileSync(`${ROOT}models/manifest.json`, 'utf8')).models.find((m) => m.default);
  const entry = { ...base, id: 'calibrated-test', default: false, path: `${ROOT}models/${base.path}`,
    calibration: CAL };
  writeFileSync(join(cache, 'manifest.json'), JSON.stringify({ version: 1, models: [entry] }));
  process.env.SPEAKER_ID_CACHE = cache;
});
after(() => {
  delete process.env.SPEAKER_ID_CACHE;
  rmSync(cache, { recursive: true, force: true });
});

test('the logistic map is monotone, its inverse gives the raw threshold, malformed maps are refused', () => {
  const c = makeCalibration(CAL, 'm');
  let last = -1;
  for (let s = -1; s <= 1; s += 0.05) {
    const v = c.toConfidence(s);
    assert.ok(v > last && v > 0 && v < 1);
    last = v;
    assert.ok(Math.abs(c.toScore(v) - s) < 1e-9);
  }
  assert.equal(c.toConfidence(null), null);
  assert.equal(rawThreshold({ confidence: 0.5 }, c, 'm'), 0.5);
  assert.equal(rawThreshold(0.3, c, 'm'), 0.3);
  assert.equal(rawThreshold({ confidence: 1 - 1e-12 }, c, 'm'), 1, 'clamped to the cosine range');
  for (const bad of [{ kind: 'isotonic', a: 1, b: 0 }, { kind: 'logistic', a: -1, b: 0 }, { kind: 'logistic', a: 1 }]) {
    assert.throws(() => makeCalibration(bad, 'm'), InvalidArgumentError);
  }
  for (const bad of [{ confidence: 0 }, { confidence: 1 }, { confidence: 0.5, score: 1 }, { score: 0.4 }, 2, NaN]) {
    assert.throws(() => rawThreshold(bad, c, 'm'), InvalidArgumentError, JSON.stringify(bad));
  }
  assert.throws(() => rawThreshold({ confidence: 0.5 }, null, 'plain'), /no calibrated confidence/);
});

test('identify and verify give the confidence of every score; a threshold works on either scale', async () => {
  const sid = await SpeakerId.create({ model: 'calibrated-test' });
  const uncalibrated = `${ROOT}build/models/ecapa-small-golden.onnx`;  // no calibration, no threshold
  const plain = await SpeakerId.create({ model: uncalibrated, threshold: 0.5 });
  try {
    assert.deepEqual(sid.model.calibration, CAL);
    for (const s of [sid, plain]) {
      await s.enroll('1688', [flac('1688', '142285-0000'), flac('1688', '142285-0001')]);
      await s.enroll('2414', [flac('2414', '128291-0000'), flac('2414', '128291-0001')]);
    }
    const probe = flac('1688', '142285-0005');
    const r = await sid.identify(probe);
    assert.equal(r.speaker, '1688');
    assert.ok(Math.abs(r.confidence - conf(r.score)) < 1e-12);
    for (const c of r.candidates) assert.ok(Math.abs(c.confidence - conf(c.score)) < 1e-12, c.name);
    assert.ok(Math.abs(r.thresholdConfidence - conf(r.threshold)) < 1e-12);
    // The same decision on either scale: a confidence threshold just above this score's makes it unknown.
    const strict = await sid.identify(probe, { threshold: { confidence: Math.min(0.999, r.confidence + 0.01) } });
    assert.equal(strict.speaker, null);
    assert.ok(strict.threshold > r.score);
    const lenient = await sid.identify(probe, { threshold: { confidence: Math.max(0.001, r.confidence - 0.01) } });
    assert.equal(lenient.speaker, '1688');
    const v = await sid.verify('2414', probe, { threshold: { confidence: 0.5 } });
    assert.equal(v.threshold, 0.5);
    assert.equal(v.accepted, v.score >= 0.5);
    assert.ok(Math.abs(v.confidence - conf(v.score)) < 1e-12);
    // A model without a calibration: no confidence fields, and a confidence threshold is refused.
    const p = await plain.identify(probe);
    assert.ok(!('confidence' in p) && !('thresholdConfidence' in p) && !('confidence' in p.candidates[0]));
    await assert.rejects(plain.identify(probe, { threshold: { confidence: 0.5 } }), /no calibrated confidence/);
    await assert.rejects(SpeakerId.create({ model: uncalibrated, threshold: { confidence: 0.5 } }), InvalidArgumentError);
  } finally {
    await Promise.all([sid.dispose(), plain.dispose()]);
  }
  const c = await SpeakerId.create({ model: 'calibrated-test', threshold: { confidence: 0.8 }, lazy: true });
  try {
    assert.ok(Math.abs(c.threshold - (Math.log(4) + 5) / 10) < 1e-12);
  } finally {
    await c.dispose();
  }
});

test('CLI: --min-confidence sets the threshold on the confidence scale; --json prints confidence', () => {
  const store = join(cache, 'store');
  const env = { ...process.env, SPEAKER_ID_CACHE: cache };
  const file = `${SHARED}/audio/librispeech_test-other/1688/1688-142285-0005.flac`;
  const enroll = runCli(['enroll', '--store', store, '--model', 'calibrated-test', '1688',
    `${SHARED}/audio/librispeech_test-other/1688/1688-142285-0000.flac`], { env });
  assert.equal(enroll.code, 0, enroll.stderr);
  const r = runCli(['identify', '--store', store, '--min-confidence', '0.9', '--json', file], { env });
  assert.equal(r.code, 0, r.stderr);
  const line = JSON.parse(r.stdout);
  assert.equal(line.thresholdConfidence, 0.9);
  assert.ok(Math.abs(line.threshold - (Math.log(9) + 5) / 10) < 1e-9);
  assert.ok(Math.abs(line.confidence - conf(line.score)) < 1e-4);
  assert.equal(line.speaker, line.score >= line.threshold ? '1688' : null);
  const both = runCli(['identify', '--store', store, '--min-confidence', '0.9', '--threshold', '0.5', file], { env });
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--threshold or --min-confidence, not both/);
});

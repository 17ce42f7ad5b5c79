// Calibrated confidence (issue 11): a model's calibration maps raw cosine to a confidence, results carry it next to
// every score, and a threshold may be given on either scale. The model here is the default model's file registered
// in a user manifest with a known calibration, so the expected figures follow from the map.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SpeakerId, decodeAudio, loadCore } from '../../web/src/index.mjs';
import { makeCalibration, rawThreshold } from '../../web/src/calibration.mjs';
import { InvalidArgumentError } from '../../web/src/errors.mjs';
import { ROOT, SHARED, runCli } from './helpers.mjs';

const CAL = { kind: 'logistic', a: 10, b: -5 };  // confidence 0.5 at cosine 0.5
const conf = (s) => 1 / (1 + Math.exp(-(CAL.a * s + CAL.b)));
// Duration-aware: log-odds 10 * cos - 2 * ln(d / 3) - 5 (d clamped to 1..10 s), deciding at confidence 0.9.
const DUR = { kind: 'logistic-duration', w: [10, -2, 0, -5], duration_range: [1, 10], confidence_at_threshold: 0.9 };
const lnd = (d) => Math.log(Math.min(10, Math.max(1, d)) / 3);
const confDur = (s, d) => 1 / (1 + Math.exp(-(10 * s - 2 * lnd(d) - 5)));
const rawDur = (c, d) => Math.min(1, (Math.log(c / (1 - c)) + 2 * lnd(d) + 5) / 10);  // clamped to the cosine range
const flac = (spk, n) => readFileSync(`${SHARED}/audio/librispeech_test-other/${spk}/${spk}-${n}.flac`);
let cache;

before(() => {
  cache = mkdtempSync(join(tmpdir(), 'sid-calibration-'));
  const base = JSON.parse(readFileSync(`${ROOT}models/manifest.json`, 'utf8')).models.find((m) => m.default);
  const entry = { ...base, id: 'calibrated-test', default: false, path: `${ROOT}models/${base.path}`,
    calibration: CAL };
  const dur = { ...entry, id: 'duration-test', calibration: DUR };
  writeFileSync(join(cache, 'manifest.json'), JSON.stringify({ version: 1, models: [entry, dur] }));
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

test('a duration-aware calibration: monotone, clamped to its fitted durations, malformed or decreasing maps refused', () => {
  const c = makeCalibration(DUR, 'm');
  assert.equal(c.durationAware, true);
  assert.equal(c.decision, 0.9);
  for (const d of [0.5, 1, 2, 3, 7, 10, 30]) {
    let last = -1;
    for (let s = -1; s <= 1; s += 0.05) {
      const v = c.toConfidence(s, d);
      assert.ok(v > last && Math.abs(v - confDur(s, d)) < 1e-12, `${s} at ${d} s`);
      last = v;
      assert.ok(Math.abs(c.toScore(v, d) - s) < 1e-9);
    }
  }
  assert.equal(c.toScore(0.9, 0.2), c.toScore(0.9, 1), 'below the range: its shortest duration');
  assert.equal(c.toScore(0.9, 60), c.toScore(0.9, 10), 'above it: its longest');
  assert.equal(c.toScore(0.9), c.toScore(0.9, 3), 'no duration: 3 s');
  assert.ok(c.toScore(0.9, 1) < c.toScore(0.9, 3), 'a short probe is accepted at a lower cosine');
  assert.equal(rawThreshold({ confidence: 0.9 }, c, 'm'), rawDur(0.9, 3));
  for (const bad of [{ ...DUR, w: [10, -2, 0] }, { ...DUR, duration_range: [0, 5] }, { ...DUR, duration_range: [5, 1] },
    { ...DUR, confidence_at_threshold: 1 }, { ...DUR, confidence_at_threshold: undefined },
    { ...DUR, w: [1, 0, -5, 0] },  // the slope 1 - 5 ln(d / 3) is negative at 10 s: not monotone there
  ]) {
    assert.throws(() => makeCalibration(bad, 'm'), InvalidArgumentError, JSON.stringify(bad));
  }
});

test('a duration-aware model decides at its confidence: the raw threshold of each result is that of its duration', async () => {
  const core = await loadCore();
  const long = flac('1688', '142285-0005');
  const pcm = await decodeAudio(core, long);
  const short = { samples: pcm.interleaved.slice(0, Math.round(1.5 * pcm.sampleRate)), sampleRate: pcm.sampleRate };
  const sid = await SpeakerId.create({ model: 'duration-test' });
  try {
    assert.deepEqual(sid.threshold, { confidence: 0.9 }, 'the model\'s decision is a confidence');
    await sid.enroll('1688', [flac('1688', '142285-0000'), flac('1688', '142285-0001')]);
    await sid.enroll('2414', [flac('2414', '128291-0000'), flac('2414', '128291-0001')]);
    const seen = [];
    for (const probe of [long, short]) {
      const r = await sid.identify(probe);
      const d = r.quality.durationSec;
      seen.push(d);
      assert.ok(Math.abs(r.threshold - rawDur(0.9, d)) < 1e-12, `threshold at ${d} s`);
      assert.ok(Math.abs(r.thresholdConfidence - 0.9) < 1e-12);
      assert.ok(Math.abs(r.confidence - confDur(r.score, d)) < 1e-12);
      for (const c of r.candidates) assert.ok(Math.abs(c.confidence - confDur(c.score, d)) < 1e-12, c.name);
      assert.equal(r.speaker, r.score >= r.threshold ? r.candidates[0].name : null);
      const v = await sid.verify('1688', probe);
      assert.ok(Math.abs(v.threshold - r.threshold) < 1e-12);
      assert.equal(v.accepted, v.score >= v.threshold);
      // A raw threshold stays a raw threshold, whatever the duration.
      assert.equal((await sid.identify(probe, { threshold: 0.3 })).threshold, 0.3);
      const strict = await sid.identify(probe, { threshold: { confidence: 0.99 } });
      assert.ok(Math.abs(strict.threshold - rawDur(0.99, d)) < 1e-12);
    }
    assert.ok(seen[0] > 3 && seen[1] < 2, `durations ${seen}`);
  } finally {
    await sid.dispose();
  }
  const fixed = await SpeakerId.create({ model: 'duration-test', threshold: 0.4, lazy: true });
  const given = await SpeakerId.create({ model: 'duration-test', threshold: { confidence: 0.8 }, lazy: true });
  try {
    assert.equal(fixed.threshold, 0.4);
    assert.deepEqual(given.threshold, { confidence: 0.8 });
  } finally {
    await Promise.all([fixed.dispose(), given.dispose()]);
  }
});

test('HTTP API (speaker-id serve, real process): a duration-aware model\'s 0.82 is its decision at each probe\'s duration', async () => {
  const { startHttpRuntime } = await import('./http-runtime.mjs');
  const { CLI, wavBytes } = await import('./helpers.mjs');
  const core = await loadCore();
  const wav = async (bytes, sec) => {
    const d = await decodeAudio(core, bytes);
    const mono = d.interleaved.filter((_, k) => k % d.channels === 0);
    return wavBytes(sec ? mono.slice(0, Math.round(sec * d.sampleRate)) : mono, d.sampleRate);
  };
  const form = (bytes) => {
    const f = new FormData();
    f.append('file', new Blob([bytes], { type: 'audio/wav' }), 'rec.wav');
    return f;
  };
  const rt = await startHttpRuntime({ command: process.execPath, cwd: ROOT,
    args: [CLI, 'serve', '--model', 'duration-test', '--store', join(cache, 'http-store')],
    env: { SPEAKER_ID_CACHE: cache, SPEAKER_ID_TOKENS: '' } });
  try {
    const post = async (path, bytes) => {
      const r = await fetch(`${rt.origin}${path}`, { method: 'POST', body: form(bytes) });
      assert.equal(r.status, 200, path);
      return r.json();
    };
    const config = await (await fetch(`${rt.origin}/api/config`)).json();
    assert.equal(config.score_scale.kind, 'logistic-duration');
    for (const n of ['142285-0000', '142285-0001']) await post('/api/enroll?name=1688', await wav(flac('1688', n)));
    const toApi = (s, d) => 1 / (1 + Math.exp(-(Math.log(confDur(s, d) / (1 - confDur(s, d))) - Math.log(9) +
      Math.log(0.82 / 0.18))));
    const raws = [];
    for (const sec of [undefined, 1.5]) {
      const r = await post('/api/identify?threshold=0.82', await wav(flac('1688', '142285-0005'), sec));
      const d = r.quality.durationSec;
      // API 0.82 is the model's decision, confidence 0.9: the raw threshold of this probe's duration.
      assert.ok(Math.abs(r.threshold_raw - rawDur(0.9, d)) < 1e-9, `${d} s: ${r.threshold_raw}`);
      assert.ok(Math.abs(r.confidence - toApi(r.score_raw, d)) < 1e-9);
      assert.equal(r.speaker, r.score_raw >= r.threshold_raw ? '1688' : 'unknown');
      const v = await post('/api/verify?name=1688&threshold=0.82', await wav(flac('1688', '142285-0005'), sec));
      assert.ok(Math.abs(v.threshold_raw - r.threshold_raw) < 1e-12);
      assert.equal(v.accepted, v.score_raw >= v.threshold_raw);
      raws.push(r.threshold_raw);
    }
    assert.ok(raws[1] < raws[0], 'the short probe is decided at a lower cosine');
  } finally {
    await rt.stop();
  }
});

// The SpeakerId API on real speech (librispeech_test-other, never used for training or calibration): enrollment,
// closed- and open-set identification, verification, quality feedback, speaker management, profile export/import
// and the typed errors, on the memory store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import {
  SpeakerId, createMemoryStore, decodeAudio, loadCore, AudioTooShortError, ClippingError, DisposedError,
  InvalidArgumentError, InvalidProfileError, ModelMismatchError, NoVoiceError, SpeakerExistsError, TooQuietError,
  UnknownSpeakerError, SpeakerIdError, ERROR_CLASSES,
} from '../../web/src/index.mjs';
import { CLI, GOLDEN, ROOT, SHARED } from './helpers.mjs';
import { spawnSync } from 'node:child_process';

const DATA = `${SHARED}/audio/librispeech_test-other`;
const SPEAKERS = readdirSync(DATA).filter((s) => statSync(`${DATA}/${s}`).isDirectory()).sort();
const files = (s) => readdirSync(`${DATA}/${s}`).filter((f) => f.endsWith('.flac')).sort().map((f) => `${DATA}/${s}/${f}`);
const bytes = (path) => readFileSync(path);
const core = await loadCore();
const pcm = async (path) => decodeAudio(core, bytes(path));
const silence = (sec, rate = 16000) => ({ samples: new Float32Array(sec * rate), sampleRate: rate });

test('closed set: enroll 3 recordings per speaker, identify the other 70; top-1 equals what eval predicts', async () => {
  const sid = await SpeakerId.create();
  try {
    for (const s of SPEAKERS) {
      const r = await sid.enroll(s, files(s).slice(0, 3).map(bytes));
      assert.equal(r.speaker, s);
      assert.equal(r.samples, 3);
      assert.equal(r.quality.length, 3);
    }
    let correct = 0;
    let total = 0;
    for (const s of SPEAKERS) {
      for (const f of files(s).slice(3)) {
        const r = await sid.identify(bytes(f), { topK: 3 });
        assert.equal(r.candidates.length, 3);
        assert.ok(r.candidates[0].score >= r.candidates[1].score);
        assert.equal(r.score, r.candidates[0].score);
        if (r.candidates[0].name === s) correct += 1;
        total += 1;
      }
    }
    const evalRun = spawnSync(process.execPath, [CLI, 'eval', '--json', '--enroll', '3', DATA], { encoding: 'utf8', cwd: ROOT });
    assert.equal(evalRun.status, 0, evalRun.stderr);
    const predicted = JSON.parse(evalRun.stdout);
    assert.equal(total, predicted.top1Trials);
    assert.equal(correct / total, predicted.top1);
    assert.ok(correct / total >= 0.95, `top-1 ${correct}/${total}`);
  } finally {
    await sid.dispose();
  }
});

test('open set: three speakers never enrolled come back unknown; >= 80 % correct at the default threshold', async () => {
  const sid = await SpeakerId.create();
  try {
    const unenrolled = new Set(['2609', '3080', '533']);
    for (const s of SPEAKERS.filter((x) => !unenrolled.has(x))) await sid.enroll(s, files(s).slice(0, 3).map(bytes));
    assert.equal((await sid.speakers()).length, 7);
    let correct = 0;
    let unknownRight = 0;
    let total = 0;
    for (const s of SPEAKERS) {
      for (const f of files(s).slice(3)) {
        const r = await sid.identify(bytes(f));
        const want = unenrolled.has(s) ? null : s;
        if (r.speaker === want) correct += 1;
        if (want === null && r.speaker === null) unknownRight += 1;
        assert.equal(r.speaker === null, r.score < sid.threshold);
        total += 1;
      }
    }
    assert.ok(correct / total >= 0.8, `open-set ${correct}/${total}`);
    assert.ok(unknownRight >= 15, `unenrolled recognised as unknown: ${unknownRight}/21`);
  } finally {
    await sid.dispose();
  }
});

test('one enrolled speaker is not a free match', async () => {
  const sid = await SpeakerId.create();
  try {
    await sid.enroll('1688', files('1688').slice(0, 3).map(bytes));
    const r = await sid.identify(bytes(files('3005')[5]));
    assert.equal(r.speaker, null);
    assert.equal(r.candidates[0].name, '1688');
    assert.ok(r.score < sid.threshold);
    const same = await sid.identify(bytes(files('1688')[6]));
    assert.equal(same.speaker, '1688');
    // An empty gallery: unknown, no candidates.
    await sid.reset();
    const empty = await sid.identify(bytes(files('1688')[6]));
    assert.deepEqual([empty.speaker, empty.candidates], [null, []]);
  } finally {
    await sid.dispose();
  }
});

test('verify: 1:1 decision at the threshold; unknown names are refused before any inference', async () => {
  const sid = await SpeakerId.create();
  try {
    await sid.enroll('2414', files('2414').slice(0, 3).map(bytes));
    const yes = await sid.verify('2414', bytes(files('2414')[7]));
    assert.equal(yes.accepted, true);
    assert.equal(yes.threshold, sid.threshold);
    const no = await sid.verify('2414', bytes(files('1998')[7]));
    assert.equal(no.accepted, false);
    assert.ok(no.score < yes.score);
    const strict = await sid.verify('2414', bytes(files('2414')[7]), { threshold: 0.99 });
    assert.equal(strict.accepted, false);
    assert.equal(strict.score, yes.score);
    await assert.rejects(sid.verify('nobody', bytes(files('2414')[7])), UnknownSpeakerError);
    await assert.rejects(sid.verify('2414', bytes(files('2414')[7]), { threshold: 2 }), InvalidArgumentError);
  } finally {
    await sid.dispose();
  }
});

test('quality: no voice and too little speech are refused; clipping and quiet speech are reported', async () => {
  const sid = await SpeakerId.create();
  try {
    await assert.rejects(sid.enroll('x', silence(2)), (e) => e instanceof NoVoiceError && e.code === 'no_voice' &&
      e.details.issues[0].code === 'no_voice' && /no voice/.test(e.message));
    await assert.rejects(sid.identify(silence(2)), NoVoiceError);
    // 0.6 s of real speech (golden input): too short to enroll (1 s of speech by default), fine to identify.
    const short = bytes(`${GOLDEN}/inputs/synth_short_0p6s.wav`);
    await assert.rejects(sid.enroll('x', short), (e) => e instanceof AudioTooShortError && /at least 1 s/.test(e.message));
    assert.equal((await sid.identify(short)).speaker, null);
    // A refused recording among several stores nothing, and says which one.
    await assert.rejects(sid.enroll('x', [bytes(files('1688')[0]), silence(2)]), (e) => e instanceof NoVoiceError && e.index === 1);
    assert.deepEqual(await sid.speakers(), []);

    // Real speech 45 dBFS down: enrolled, with a too_quiet warning.
    const quiet = await sid.enroll('quiet', bytes(`${GOLDEN}/inputs/synth_quiet_-45dBFS.wav`));
    assert.deepEqual(quiet.quality.issues.map((i) => i.code), ['too_quiet']);
    assert.ok(quiet.quality.speechDbfs < -38);
    // The same speech driven into the rails: a clipping warning.
    const audio = await pcm(files('1688')[1]);
    const hot = Float32Array.from(audio.interleaved, (v) => Math.max(-1, Math.min(1, v * 30)));
    const clipped = await sid.enroll('hot', { samples: hot, sampleRate: audio.sampleRate });
    assert.ok(clipped.quality.issues.some((i) => i.code === 'clipping'), JSON.stringify(clipped.quality));
    assert.ok(clipped.quality.clippedFraction > 0.01);
    const clean = await sid.enroll('clean', bytes(files('1688')[1]));
    assert.deepEqual(clean.quality.issues, []);
    assert.ok(clean.quality.speechSec > 3 && clean.quality.speechSec <= clean.quality.durationSec);
  } finally {
    await sid.dispose();
  }
  // strict: warnings become refusals.
  const strict = await SpeakerId.create({ quality: { strict: true } });
  try {
    await assert.rejects(strict.enroll('q', bytes(`${GOLDEN}/inputs/synth_quiet_-45dBFS.wav`)), TooQuietError);
    const audio = await pcm(files('1688')[1]);
    const hot = Float32Array.from(audio.interleaved, (v) => Math.max(-1, Math.min(1, v * 30)));
    await assert.rejects(strict.enroll('h', { samples: hot, sampleRate: audio.sampleRate }), ClippingError);
    assert.deepEqual(await strict.speakers(), []);
  } finally {
    await strict.dispose();
  }
  await assert.rejects(SpeakerId.create({ quality: { minSpeechSec: -1 } }), InvalidArgumentError);
  await assert.rejects(SpeakerId.create({ quality: { nope: 1 } }), /unknown quality option/);
});

test('enrollmentPercent grows with speech toward the recommended amount', async () => {
  const sid = await SpeakerId.create({ quality: { recommendedSpeechSec: 20 } });
  try {
    const f = files('2033');
    const a = await sid.enroll('2033', bytes(f[0]));
    const b = await sid.enroll('2033', bytes(f[1]));
    assert.equal(a.samples, 1);
    assert.equal(b.samples, 2);
    assert.ok(a.enrollmentPercent > 0 && a.enrollmentPercent < b.enrollmentPercent, `${a.enrollmentPercent} ${b.enrollmentPercent}`);
    assert.equal(b.enrollmentPercent, Math.min(100, Math.floor((100 * b.speechSec) / 20)));
    const more = await sid.enroll('2033', f.slice(2, 8).map(bytes));
    assert.equal(more.enrollmentPercent, 100);
    const [info] = await sid.speakers();
    assert.equal(info.samples, 8);
    assert.equal(info.enrollmentPercent, 100);
    assert.ok(info.firstCreatedAt <= info.lastCreatedAt);
  } finally {
    await sid.dispose();
  }
});

test('speakers, rename, remove, reset; bad names are refused with the reason', async () => {
  const sid = await SpeakerId.create();
  try {
    for (const s of ['1688', '1998', '2033']) await sid.enroll(s, bytes(files(s)[0]));
    await sid.rename('1998', 'Ada Lovelace');
    assert.deepEqual((await sid.speakers()).map((s) => s.name), ['1688', 'Ada Lovelace', '2033']);
    assert.equal((await sid.identify(bytes(files('1998')[4]))).candidates[0].name, 'Ada Lovelace');
    await assert.rejects(sid.rename('1688', '2033'), SpeakerExistsError);
    await assert.rejects(sid.rename('nobody', 'x'), UnknownSpeakerError);
    await assert.rejects(sid.enroll('', bytes(files('1688')[0])), (e) => e instanceof InvalidArgumentError && /name/.test(e.message));
    await assert.rejects(sid.enroll('a\u0007b', bytes(files('1688')[0])), /control/);
    await assert.rejects(sid.enroll(42, bytes(files('1688')[0])), InvalidArgumentError);
    assert.equal(await sid.remove('1688'), true);
    assert.equal(await sid.remove('1688'), false);
    assert.deepEqual((await sid.speakers()).map((s) => s.name), ['Ada Lovelace', '2033']);
    await sid.reset();
    assert.deepEqual(await sid.speakers(), []);
  } finally {
    await sid.dispose();
  }
});

test('profiles: export/import round trip; tampered, truncated and other-model blobs are refused and change nothing', async () => {
  const a = await SpeakerId.create();
  const b = await SpeakerId.create();
  const other = await SpeakerId.create({ model: `${ROOT}build/models/ecapa-small-golden.onnx`, threshold: 0.5 });
  try {
    for (const s of ['1688', '2414']) await a.enroll(s, files(s).slice(0, 2).map(bytes));
    const blob = await a.exportProfiles();
    assert.equal(String.fromCharCode(...blob.slice(0, 4)), 'SIDP');
    assert.deepEqual(await b.importProfiles(blob), { speakers: 2, samples: 4 });
    const probe = bytes(files('2414')[6]);
    assert.deepEqual(await b.identify(probe), await a.identify(probe));
    assert.deepEqual(await b.exportProfiles(), blob);

    const before = await b.exportProfiles();
    const tampered = blob.slice();
    tampered[100] ^= 0x01;
    await assert.rejects(b.importProfiles(tampered), (e) => e instanceof InvalidProfileError && /checksum/.test(e.message));
    await assert.rejects(b.importProfiles(blob.slice(0, blob.length - 9)), InvalidProfileError);
    await assert.rejects(b.importProfiles(new Uint8Array(3)), InvalidProfileError);
    await assert.rejects(b.importProfiles('not bytes'), InvalidArgumentError);
    await other.enroll('g', bytes(files('1688')[0]));
    await assert.rejects(b.importProfiles(await other.exportProfiles()),
      (e) => e instanceof ModelMismatchError && /compact-ecapa/.test(e.message) && /sha256-[0-9a-f]{16}/.test(e.message));
    await assert.rejects(b.importProfiles(blob, { mode: 'merge' }), SpeakerExistsError);
    await assert.rejects(b.importProfiles(blob, { mode: 'append' }), InvalidArgumentError);
    assert.deepEqual(await b.exportProfiles(), before);

    await a.reset();
    await a.enroll('3005', bytes(files('3005')[0]));
    await b.importProfiles(await a.exportProfiles(), { mode: 'merge' });
    assert.deepEqual((await b.speakers()).map((s) => s.name), ['1688', '2414', '3005']);
    await b.importProfiles(await a.exportProfiles());  // replace
    assert.deepEqual((await b.speakers()).map((s) => s.name), ['3005']);
  } finally {
    await Promise.all([a.dispose(), b.dispose(), other.dispose()]);
  }
});

test('two SpeakerIds on one store see each other\'s changes; a store of another model is refused', async () => {
  const store = createMemoryStore();
  const a = await SpeakerId.create({ store });
  const b = await SpeakerId.create({ store });
  try {
    await a.enroll('1688', bytes(files('1688')[0]));
    await b.enroll('1688', bytes(files('1688')[1]));
    assert.equal((await a.speakers())[0].samples, 2);
    await b.rename('1688', 'ann');
    assert.equal((await a.identify(bytes(files('1688')[5]))).speaker, 'ann');
    // Concurrent calls on one object run in order.
    await Promise.all([a.enroll('x', bytes(files('2033')[0])), a.enroll('y', bytes(files('2414')[0])), b.remove('ann')]);
    assert.deepEqual((await b.speakers()).map((s) => s.name).sort(), ['x', 'y']);
    await assert.rejects(SpeakerId.create({ store, model: `${ROOT}build/models/ecapa-small-golden.onnx`, threshold: 0.5 }),
      ModelMismatchError);
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
  await assert.rejects(a.identify(bytes(files('1688')[5])), DisposedError);
  await assert.rejects(SpeakerId.create({ store: { load() {} } }), (e) => e instanceof InvalidArgumentError && /missing method/.test(e.message));
  await assert.rejects(SpeakerId.create({ store: 'cloud' }), /unknown store/);
  await assert.rejects(SpeakerId.create({ store: 'indexeddb' }), /needs IndexedDB/);
  await assert.rejects(SpeakerId.create({ threshold: 'high' }), InvalidArgumentError);
});

test('a custom adapter handing back bad records is refused at create, naming the problem', async () => {
  const bad = (speakers) => ({ ...createMemoryStore(), load: async () => ({ version: 1, speakers }), version: async () => 1 });
  const sample = (n) => ({ embedding: new Float32Array(n).fill(0.1), durationSec: 1, speechSec: 1, createdAt: 0 });
  await assert.rejects(SpeakerId.create({ store: bad([{ name: 'a', samples: [sample(7)] }]) }),
    (e) => e instanceof InvalidArgumentError && /dimension|192/.test(e.message));
  await assert.rejects(SpeakerId.create({ store: bad([{ name: 'a', samples: [sample(192)] }, { name: 'a', samples: [sample(192)] }]) }),
    (e) => e instanceof SpeakerExistsError);
  await assert.rejects(SpeakerId.create({ store: bad([{ name: 'a', samples: [] }]) }), /no samples/);
  const good = await SpeakerId.create({ store: bad([{ name: 'a', samples: [sample(192), sample(192)] }]) });
  assert.deepEqual((await good.speakers()).map((x) => [x.name, x.samples]), [['a', 2]]);
  await good.dispose();
});

test('every error class carries its code and is exported', () => {
  for (const [code, Cls] of Object.entries(ERROR_CLASSES)) {
    const e = Cls === DisposedError ? new Cls() : new Cls('m');
    assert.ok(e instanceof SpeakerIdError);
    assert.equal(e.code, code);
    assert.equal(e.name, Cls.name);
  }
});

// The store commands end to end through the CLI on the file store: enroll / identify / verify / speakers / rename /
// remove / reset / export-profiles / import-profiles, exit codes, and a byte-identical store after every failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN, ROOT, SHARED, runCli } from './helpers.mjs';

const DATA = `${SHARED}/audio/librispeech_test-other`;
const SPEAKERS = readdirSync(DATA).filter((s) => statSync(`${DATA}/${s}`).isDirectory()).sort();
const files = (s) => readdirSync(`${DATA}/${s}`).filter((f) => f.endsWith('.flac')).sort().map((f) => `${DATA}/${s}/${f}`);
const work = mkdtempSync(join(tmpdir(), 'sid-cli-store-'));
const store = join(work, 'store');
const storeFile = join(store, 'profiles.sidp');
const snapshot = () => readFileSync(storeFile);
const ok = (r) => assert.equal(r.code, 0, r.stderr);

function refused(args, pattern) {
  const before = snapshot();
  const r = runCli(args);
  assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').filter((l) => !l.includes('warning')).length >= 1, true);
  assert.deepEqual(snapshot(), before, `${args[0]} changed the store`);
  return r;
}

const UNENROLLED = new Set(['1998', '3005', '533']);

test('enroll 3 recordings of 7 speakers; open-set identify of everything else >= 80 % at the default threshold', () => {
  for (const s of SPEAKERS.filter((x) => !UNENROLLED.has(x))) {
    const r = runCli(['enroll', '--store', store, s, ...files(s).slice(0, 3)]);
    ok(r);
    assert.match(r.stdout, new RegExp(`^enrolled ${s}: 3 sample\\(s\\)`));
  }
  const probes = SPEAKERS.flatMap((s) => files(s).slice(3).map((f) => ({ s, f })));
  const r = runCli(['identify', '--store', store, '--json', '--top-k', '2', ...probes.map((p) => p.f)]);
  ok(r);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, probes.length);
  let correct = 0;
  lines.forEach((line, i) => {
    assert.equal(line.file, probes[i].f);
    assert.ok(line.candidates.length === 2 && 'name' in line.candidates[0] && 'score' in line.candidates[0]);
    assert.equal(line.speaker === null, line.score < line.threshold);
    if (line.speaker === (UNENROLLED.has(probes[i].s) ? null : probes[i].s)) correct += 1;
  });
  assert.ok(correct / lines.length >= 0.8, `open-set ${correct}/${lines.length}`);
  // Plain output: file, speaker or unknown, score.
  const plain = runCli(['identify', '--store', store, files('533')[5]]);
  ok(plain);
  assert.match(plain.stdout, /\t(unknown|\d+)\t-?\d\.\d{4}\n$/);
});

test('speakers, verify, rename, remove', () => {
  const list = runCli(['speakers', '--store', store, '--json']);
  ok(list);
  const { model, speakers } = JSON.parse(list.stdout);
  assert.equal(model, 'compact-ecapa-fp32');
  assert.equal(speakers.length, 7);
  assert.ok(speakers.every((s) => s.samples === 3 && s.enrollmentPercent > 0));

  const yes = runCli(['verify', '--store', store, '--json', '1688', files('1688')[8]]);
  ok(yes);
  assert.equal(JSON.parse(yes.stdout).accepted, true);
  const no = runCli(['verify', '--store', store, '1688', files('2414')[8]]);
  ok(no);
  assert.match(no.stdout, /\trejected\t/);

  ok(runCli(['rename', '--store', store, '1688', 'Ann']));
  const who = runCli(['identify', '--store', store, '--json', files('1688')[8]]);
  assert.equal(JSON.parse(who.stdout).speaker, 'Ann');
  ok(runCli(['rename', '--store', store, 'Ann', '1688']));
});

test('failures exit 2 with a one-line reason and leave the store byte-identical', () => {
  const corrupt = join(work, 'corrupt.wav');
  writeFileSync(corrupt, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(6)]));
  refused(['enroll', '--store', store, '2033', files('2033')[3], corrupt], /corrupt\.wav: invalid WAV/);
  const silent = join(work, 'silent.wav');
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + 64000, 4); header.write('WAVEfmt ', 8); header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22); header.writeUInt32LE(16000, 24); header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34); header.write('data', 36); header.writeUInt32LE(64000, 40);
  writeFileSync(silent, Buffer.concat([header, Buffer.alloc(64000)]));
  refused(['enroll', '--store', store, '2033', files('2033')[3], silent], /silent\.wav: .*no voice found/);
  refused(['enroll', '--store', store, '2033', `${GOLDEN}/inputs/synth_short_0p6s.wav`], /speech, at least 1 s needed/);
  refused(['enroll', '--store', store, '2033', join(work, 'missing.flac')], /missing\.flac: cannot read/);
  refused(['enroll', '--store', store, 'bad\u0001name', files('2033')[3]], /control/);
  refused(['rename', '--store', store, '1688', '2033'], /already exists/);
  refused(['rename', '--store', store, 'nobody', 'x'], /unknown speaker/);
  refused(['remove', '--store', store, 'nobody'], /no speaker named 'nobody'/);
  refused(['verify', '--store', store, 'nobody', files('2033')[3]], /unknown speaker/);
  refused(['enroll', '--store', store, '--model', `${ROOT}build/models/ecapa-small-golden.onnx`, '2033', files('2033')[3]],
    /compact-ecapa/);
  refused(['identify', '--store', store, '--top-k', 'x', files('2033')[3]], /--top-k/);
  const mixed = refused(['identify', '--store', store, '--json', files('2033')[3], corrupt], /corrupt\.wav: invalid WAV/);
  const [first, second] = mixed.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(typeof first.score, 'number');
  assert.equal(second.error.code, 'invalid_audio');
});

test('export / import: round trip, a tampered or foreign export is refused', () => {
  const out = join(work, 'profiles.bin');
  ok(runCli(['export-profiles', '--store', store, out]));

  const tampered = join(work, 'tampered.bin');
  const bytes = readFileSync(out);
  bytes[Math.floor(bytes.length / 2)] ^= 0x40;
  writeFileSync(tampered, bytes);
  refused(['import-profiles', '--store', store, tampered], /checksum mismatch: the blob is corrupted or was modified/);
  writeFileSync(tampered, 'not a profile');
  refused(['import-profiles', '--store', store, tampered], /not a speaker-id profile blob \(magic is not "SIDP"\)/);
  refused(['import-profiles', '--store', store, '--merge', out], /speaker '\d+' already exists/);

  // A store of another model cannot take these profiles.
  const other = join(work, 'other');
  ok(runCli(['enroll', '--store', other, '--model', `${ROOT}build/models/ecapa-small-golden.onnx`, 'x', files('2033')[3]]));
  const otherBefore = readFileSync(join(other, 'profiles.sidp'));
  const r = runCli(['import-profiles', '--store', other, '--model', `${ROOT}build/models/ecapa-small-golden.onnx`, out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /profiles are of model 'compact-ecapa-fp32'/);
  // A store records no path: without --model its model outside the manifest must be named again.
  const bare = runCli(['import-profiles', '--store', other, out]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /not in the model manifest: pass --model PATH/);
  assert.deepEqual(readFileSync(join(other, 'profiles.sidp')), otherBefore);

  // Into a fresh store: identical content (its export is byte-identical).
  const copy = join(work, 'copy');
  ok(runCli(['import-profiles', '--store', copy, out]));
  const again = join(work, 'again.bin');
  ok(runCli(['export-profiles', '--store', copy, again]));
  assert.deepEqual(readFileSync(again), readFileSync(out));
  ok(runCli(['reset', '--store', copy]));
  assert.deepEqual(JSON.parse(runCli(['speakers', '--store', copy, '--json']).stdout).speakers, []);
});

test('reading commands on a store that does not exist say so and create nothing', () => {
  const missing = join(work, 'typo');
  for (const args of [['identify', files('2033')[3]], ['speakers'], ['verify', '2033', files('2033')[3]],
    ['export-profiles', join(work, 'x.bin')], ['remove', '2033'], ['reset']]) {
    const r = runCli([args[0], '--store', missing, ...args.slice(1)]);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /no store in .*typo.*enroll a speaker first/);
  }
  assert.ok(!existsSync(missing));
});

test('cleanup', () => rmSync(work, { recursive: true, force: true }));

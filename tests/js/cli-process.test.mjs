// What a CLI process costs: one speaker-id core per process, an ONNX Runtime session only for the commands that
// embed audio, `npm start`'s main job in one process; and the options and file-named errors every command shares.
// Each process is observed through tests/js/cli-probe.mjs (preloaded; counts wasm instances and ORT sessions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync,
  writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, SHARED, runCli } from './helpers.mjs';

const DATA = `${SHARED}/audio/librispeech_test-other`;
const MAIN_JOB = `${ROOT}web/cli/main-job.mjs`;
const PROBE = new URL('./cli-probe.mjs', import.meta.url).href;
const work = mkdtempSync(join(tmpdir(), 'sid-cli-process-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const store = join(work, 'store');

// The n shortest recordings of a speaker (the tests embed few seconds of audio).
const shortest = (speaker, n) => readdirSync(join(DATA, speaker)).filter((f) => f.endsWith('.flac'))
  .map((f) => join(DATA, speaker, f)).sort((a, b) => statSync(a).size - statSync(b).size).slice(0, n);
const [a1, a2] = shortest('1688', 2);
const [b1] = shortest('2414', 1);

let runs = 0;
/** Runs `node script ...args` under the probe -> { code, stdout, stderr, processes: [probe line per process] }. */
function observed(args, script = CLI) {
  const log = join(work, `probe-${runs++}.jsonl`);
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PROBE}`, SID_PROBE_LOG: log };
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', cwd: ROOT, env });
  const processes = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, processes };
}

function assertCost(r, { sessions }) {
  assert.equal(r.processes.length, 1, `one process expected: ${JSON.stringify(r.processes)}`);
  const [p] = r.processes;
  assert.equal(p.cores, 1, `speaker-id core instantiated ${p.cores} times`);
  assert.equal(p.sessions, sessions, `${p.sessions} ONNX Runtime session(s) created`);
  if (sessions === 0) assert.equal(p.otherWasm, 0, 'ONNX Runtime (or another) wasm was instantiated');
}

function silentWav(seconds) {
  const bytes = 32000 * seconds;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + bytes, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(16000, 24); h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(bytes, 40);
  return Buffer.concat([h, Buffer.alloc(bytes)]);
}

test('embed, enroll, identify and verify: one core and one inference session per process', () => {
  const e = observed(['embed', a1]);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(JSON.parse(e.stdout).dim, 192);
  assertCost(e, { sessions: 1 });
  for (const [name, file] of [['A', a1], ['B', b1]]) {
    const r = observed(['enroll', '--store', store, name, file]);
    assert.equal(r.code, 0, r.stderr);
    assertCost(r, { sessions: 1 });
  }
  // One recording enrolled per speaker: a lower threshold than the model's (set for enrollments of several).
  const who = observed(['identify', '--store', store, '--threshold', '0.4', '--json', a2]);
  assert.equal(who.code, 0, who.stderr);
  assert.equal(JSON.parse(who.stdout).speaker, 'A');
  assertCost(who, { sessions: 1 });
  const yes = observed(['verify', '--store', store, '--threshold', '0.4', '--json', 'A', a2]);
  assert.equal(JSON.parse(yes.stdout).accepted, true);
  assertCost(yes, { sessions: 1 });
});

test('store commands that embed nothing work without an inference session', () => {
  const list = observed(['speakers', '--store', store, '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout).speakers.map((s) => s.name), ['A', 'B']);
  assertCost(list, { sessions: 0 });

  const blob = join(work, 'profiles.bin');
  const copy = join(work, 'copy');
  for (const args of [['rename', '--store', store, 'B', 'C'], ['export-profiles', '--store', store, blob],
    ['import-profiles', '--store', copy, blob], ['remove', '--store', copy, 'C'], ['reset', '--store', copy]]) {
    const r = observed(args);
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    assertCost(r, { sessions: 0 });
  }
  assert.deepEqual(JSON.parse(runCli(['speakers', '--store', store, '--json']).stdout).speakers.map((s) => s.name),
    ['A', 'C']);
  assert.deepEqual(JSON.parse(runCli(['speakers', '--store', copy, '--json']).stdout).speakers, []);

  // verify refuses an unknown NAME before any inference
  const nobody = observed(['verify', '--store', store, 'nobody', a2]);
  assert.equal(nobody.code, 2);
  assert.match(nobody.stderr, /^speaker-id: unknown speaker 'nobody'\n$/);
  assertCost(nobody, { sessions: 0 });
});

test('--threads: one validation, one message, for every command that takes it', () => {
  const dir = join(work, 'nodata');
  for (const args of [['embed', a1], ['eval', dir], ['enroll', '--store', store, 'A', a1], ['identify', '--store', store, a1],
    ['verify', '--store', store, 'A', a1], ['speakers', '--store', store]]) {
    for (const threads of ['0', '65', '1.5', 'two']) {
      const r = runCli([args[0], '--threads', threads, ...args.slice(1)]);
      assert.equal(r.code, 2, `${args[0]} --threads ${threads}: ${r.stderr}`);
      assert.equal(r.stderr, 'speaker-id: --threads must be an integer in 1..64\n', args[0]);
    }
  }
  assert.equal(runCli(['speakers', '--store', store, '--threads', '2']).code, 0);
});

test('errors about a file name it once, whichever command and stage refuses it', () => {
  const silent = join(work, 'silent.wav');
  writeFileSync(silent, silentWav(3));
  const missing = join(work, 'missing.wav');
  const once = (r, file, reason) => {
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.equal(lines[0].split(file).length - 1, 1, `${file} named ${lines[0].split(file).length - 1} times: ${lines[0]}`);
    assert.ok(lines[0].startsWith(`speaker-id: ${file}: `), lines[0]);
    assert.match(lines[0], reason);
  };
  once(runCli(['verify', '--store', store, 'A', silent]), silent, /no voice found/);
  once(runCli(['identify', '--store', store, silent]), silent, /no voice found/);
  once(runCli(['identify', '--store', store, missing]), missing, /cannot read \(ENOENT\)/);
  once(runCli(['enroll', '--store', store, 'A', a2, silent]), silent, /no voice found/);  // a2: not enrolled yet (a1 again would be refused as a duplicate)
  once(runCli(['embed', missing]), missing, /cannot read \(ENOENT\)/);
  once(runCli(['import-profiles', '--store', store, missing]), missing, /cannot read \(ENOENT\)/);
});

test('npm start: the main job runs eval in its own process, with eval\'s output and exit code', () => {
  const data = join(work, 'speech');
  for (const speaker of ['1688', '2414', '3080']) {
    mkdirSync(join(data, speaker), { recursive: true });
    for (const f of shortest(speaker, 4)) symlinkSync(f, join(data, speaker, f.split('/').pop()));
  }
  const r = observed([data], MAIN_JOB);
  assert.equal(r.code, 0, r.stderr);
  assertCost(r, { sessions: 1 });
  assert.match(r.stdout, /^model {6}compact-ecapa-fp32 \((ONNX Runtime (native|wasm)|the core's own network)\)\ndata {7}3 speakers, 12 recordings, 66 trials \(18 same-speaker\)\n/);
  const evalRun = runCli(['eval', '--enroll', '3', data]);
  assert.equal(evalRun.code, 0);
  assert.equal(r.stdout, evalRun.stdout);
  assert.equal(r.stderr, evalRun.stderr);

  const gone = observed([join(work, 'no-such-folder')], MAIN_JOB);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /^speaker-id: .*no-such-folder not found: pass a folder of DIR\/<speaker>\/\*\*\/<recording> as argument\n$/);
  assert.equal(gone.processes.length, 1);
});

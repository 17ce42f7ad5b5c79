// In Node the model runs on onnxruntime-node when it is installed, else, for fp32 ECAPA-TDNN models (the default),
// on the core's own network (web/src/network-session.mjs), else on ONNX Runtime Web's wasm build
// (web/src/platform/ort-node.mjs); SPEAKER_ID_BACKEND=native|wasm|core forces one. The backend is chosen once per
// process, so every case runs its own processes. All must give the same embeddings: 1 - cos <= 1e-6 on real
// speech, for the default model (three backends) and the golden Resemblyzer (native and wasm; the core does not run
// LSTMs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, SHARED, cosineDistance } from './helpers.mjs';

const DATA = `${SHARED}/audio/librispeech_test-other`;
// Two recordings of each of three speakers (the first in name order: of several lengths).
const RECORDINGS = readdirSync(DATA).sort().slice(0, 3).flatMap((s) =>
  readdirSync(join(DATA, s)).filter((f) => f.endsWith('.flac')).sort().slice(0, 2).map((f) => join(DATA, s, f)));
const GOLDEN_RESEMBLYZER = `${ROOT}build/models/resemblyzer-golden.onnx`;
const INDEX = `${ROOT}web/src/index.mjs`;

// A module hook that makes `onnxruntime-node` unresolvable, as in an install without optional dependencies.
const hooks = mkdtempSync(join(tmpdir(), 'sid-native-'));
writeFileSync(join(hooks, 'hooks.mjs'), `export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/')) {
    const err = new Error("Cannot find package 'onnxruntime-node'");
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}`);
writeFileSync(join(hooks, 'without-native.mjs'),
  `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${join(hooks, 'hooks.mjs')}`).href)});`);
test.after(() => rmSync(hooks, { recursive: true, force: true }));
const WITHOUT_NATIVE = ['--import', join(hooks, 'without-native.mjs')];

// Runs node [nodeArgs] args with SPEAKER_ID_BACKEND = backend (undefined: unset) -> { code, stdout, stderr }.
function node(args, { backend, nodeArgs = [] } = {}) {
  const env = { ...process.env };
  delete env.SPEAKER_ID_BACKEND;
  if (backend !== undefined) env.SPEAKER_ID_BACKEND = backend;
  const r = spawnSync(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// `speaker-id embed` of RECORDINGS -> its JSON lines.
function embedAll(model, options) {
  const r = node([CLI, 'embed', ...(model ? ['--model', model] : []), ...RECORDINGS], options);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.file), RECORDINGS);
  return lines;
}

const CASES = [['the default model', undefined, ['native', 'wasm', 'core']],
  ['the golden Resemblyzer', GOLDEN_RESEMBLYZER, ['native', 'wasm']]];
for (const [label, model, backends] of CASES) {
  test(`${backends.join(', ')} give the same embeddings of real speech with ${label} (1 - cos <= 1e-6)`, { timeout: 300000 }, () => {
    const runs = backends.map((backend) => {
      const lines = embedAll(model, { backend });
      assert.ok(lines.every((l) => l.backend === backend), `SPEAKER_ID_BACKEND=${backend} is reported`);
      return lines;
    });
    const [first, ...others] = runs;
    for (const [j, other] of others.entries()) {
      for (const [i, file] of RECORDINGS.entries()) {
        assert.equal(first[i].dim, other[i].dim);
        const d = cosineDistance(first[i].embedding, other[i].embedding);
        assert.ok(d <= 1e-6, `${file}: 1 - cos = ${d} (${backends[0]} vs ${backends[j + 1]})`);
      }
      // Different engines really ran: their float rounding differs somewhere (x86 kernels against wasm SIMD).
      assert.ok(RECORDINGS.some((_, i) => first[i].embedding.some((v, k) => v !== other[i].embedding[k])),
        `${backends[0]} and ${backends[j + 1]} gave bit-identical embeddings: one of them did not run`);
    }
  });
}

test('SPEAKER_ID_BACKEND=core refuses a model the core\'s network does not run, naming it and the alternatives', () => {
  for (const model of ['compact-ecapa', GOLDEN_RESEMBLYZER]) {
    const r = node([CLI, 'embed', '--model', model, RECORDINGS[0]], { backend: 'core' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /SPEAKER_ID_BACKEND=core runs fp32 ECAPA-TDNN exports on the core's network; model \S+ \((ecapa|resemblyzer)\) is not one/);
    assert.match(r.stderr, /set it to native or wasm/);
    assert.equal(r.stdout, '');
  }
});

test('unset, Node uses onnxruntime-node when it can be imported, else the core\'s network (the default model)', () => {
  // The API reports it; a lazy SpeakerId once its session exists.
  const script = `import { readFileSync } from 'node:fs';
    import { SpeakerId } from ${JSON.stringify(INDEX)};
    const sid = await SpeakerId.create({ lazy: true });
    const before = sid.backend;
    await sid.embed(readFileSync(${JSON.stringify(RECORDINGS[0])}));
    console.log(JSON.stringify([before, sid.backend]));
    await sid.dispose();`;
  const installed = node(['--input-type=module', '-e', script]);
  assert.equal(installed.code, 0, installed.stderr);
  assert.deepEqual(JSON.parse(installed.stdout), [null, 'native']);
  const missing = node([...WITHOUT_NATIVE, '--input-type=module', '-e', script]);
  assert.equal(missing.code, 0, missing.stderr);
  assert.deepEqual(JSON.parse(missing.stdout), [null, 'core']);
  // An empty value is unset.
  const empty = node([CLI, 'embed', RECORDINGS[0]], { backend: '' });
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(JSON.parse(empty.stdout).backend, 'native');
});

test('SPEAKER_ID_BACKEND=native without onnxruntime-node is refused, naming the package and how to install it', () => {
  const r = node([CLI, 'embed', RECORDINGS[0]], { backend: 'native', nodeArgs: WITHOUT_NATIVE });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /SPEAKER_ID_BACKEND=native needs the onnxruntime-node package, but it is not installed/);
  assert.match(r.stderr, /npm install onnxruntime-node@1\.30\.0/);
  assert.equal(r.stdout, '');
  // wasm forced works there.
  const wasm = node([CLI, 'embed', RECORDINGS[0]], { backend: 'wasm', nodeArgs: WITHOUT_NATIVE });
  assert.equal(wasm.code, 0, wasm.stderr);
  assert.equal(JSON.parse(wasm.stdout).backend, 'wasm');
});

test('any other SPEAKER_ID_BACKEND is refused with the accepted values, by the CLI and by SpeakerId.create', () => {
  for (const value of ['gpu', 'Native', ' wasm']) {
    const r = node([CLI, 'embed', RECORDINGS[0]], { backend: value });
    assert.equal(r.code, 2, `${value}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`SPEAKER_ID_BACKEND must be 'native', 'wasm', 'core'`), r.stderr);
    assert.ok(r.stderr.includes(`got '${value}'`), r.stderr);
  }
  const api = node(['--input-type=module', '-e', `import { SpeakerId } from ${JSON.stringify(INDEX)};
    try { await SpeakerId.create(); console.log('created'); } catch (err) { console.log(err.code, err.message); }`],
  { backend: 'cuda' });
  assert.equal(api.code, 0, api.stderr);
  assert.match(api.stdout, /^invalid_argument SPEAKER_ID_BACKEND must be 'native', 'wasm', 'core' .*got 'cuda'/);
});

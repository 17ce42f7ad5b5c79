// Threads by default (issue 14): where no thread count is given, ONNX Runtime runs on every core up to 4 in Node
// (native and wasm) and in cross-origin isolated pages (tests/js/bundlers.test.mjs), on 1 in Deno (ORT Web cannot
// start its workers there) and in workerd. The thread count must not change the embeddings: 1 - cos <= 1e-6 against
// one thread on real speech. Each case runs its own processes (ORT Web fixes its thread count per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, SHARED, cosineDistance } from './helpers.mjs';

const DATA = `${SHARED}/audio/librispeech_test-other`;
const RECORDINGS = readdirSync(DATA).sort().slice(0, 2).flatMap((s) =>
  readdirSync(join(DATA, s)).filter((f) => f.endsWith('.flac')).sort().slice(0, 2).map((f) => join(DATA, s, f)));
const DEFAULT = Math.min(4, availableParallelism());

function embed(backend, extra = []) {
  const env = { ...process.env, SPEAKER_ID_BACKEND: backend };
  const r = spawnSync(process.execPath, [CLI, 'embed', ...extra, ...RECORDINGS], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

for (const backend of ['native', 'wasm']) {
  test(`Node, ${backend}: every core up to 4 by default, the same embeddings as one thread`, () => {
    const byDefault = embed(backend);
    const one = embed(backend, ['--threads', '1']);
    assert.deepEqual(byDefault.map((l) => [l.backend, l.threads]), RECORDINGS.map(() => [backend, DEFAULT]));
    assert.deepEqual(one.map((l) => l.threads), RECORDINGS.map(() => 1));
    for (let i = 0; i < RECORDINGS.length; i++) {
      const d = cosineDistance(byDefault[i].embedding, one[i].embedding);
      assert.ok(d <= 1e-6, `${RECORDINGS[i]}: 1 - cos = ${d}`);
    }
  });
}

test('SpeakerId: threads reports what runs (the default, a given count; null while lazy)', () => {
  const script = `import { SpeakerId } from ${JSON.stringify(`${ROOT}web/src/index.mjs`)};
    const lazy = await SpeakerId.create({ lazy: true });
    const before = lazy.threads;
    await lazy.embed(new Uint8Array((await import('node:fs')).readFileSync(${JSON.stringify(RECORDINGS[0])})));
    const after = lazy.threads;
    await lazy.dispose();
    const one = await SpeakerId.create({ threads: 1 });
    console.log(JSON.stringify({ before, after, one: one.threads }));
    await one.dispose();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPEAKER_ID_BACKEND: 'native' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { before: null, after: DEFAULT, one: 1 });
});

test('Deno: one thread whatever is asked (ORT Web starts no workers there), and it works', () => {
  const r = spawnSync(`${ROOT}node_modules/.bin/deno`, ['run', '--quiet', '--no-prompt', `--allow-read=${ROOT},${SHARED}`,
    `${ROOT}tests/runtimes/deno-threads.mjs`, RECORDINGS[0]],
  { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()),
    { undefined: { threads: 1, dim: 192 }, 2: { threads: 1, dim: 192 } });
});

test('wasm in `node --input-type=module -e`: one thread (workers would inherit the flag and kill the process)', () => {
  // Reported by the native-backend test when threads became the default: ORT Web's worker died with
  // ERR_INPUT_TYPE_NOT_ALLOWED and took the process with it.
  const script = `import { SpeakerId } from ${JSON.stringify(`${ROOT}web/src/index.mjs`)};
    import { readFileSync } from 'node:fs';
    const out = [];
    for (const threads of [undefined, 2]) {
      const sid = await SpeakerId.create({ threads });
      out.push([sid.backend, sid.threads, (await sid.embed(readFileSync(${JSON.stringify(RECORDINGS[0])}))).length]);
      await sid.dispose();
    }
    console.log(JSON.stringify(out));`;
  for (const backend of ['wasm', 'native']) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPEAKER_ID_BACKEND: backend } });
    assert.equal(r.status, 0, r.stderr);
    // Natively no worker is started: the default and a given count apply.
    assert.deepEqual(JSON.parse(r.stdout), backend === 'wasm' ? [['wasm', 1, 192], ['wasm', 1, 192]]
      : [['native', DEFAULT, 192], ['native', 2, 192]], backend);
  }
});

// The Deno KV store (web/src/stores/deno-kv-store.mjs) in real Deno on real KV files: the store contract
// (store-contract.mjs, unchanged; each case its own subtest, on a KV file per store and on one KV shared by a
// prefix per store), its behaviour at Deno KV's limits, and writers of several processes and several adapters
// per process appending to one KV file at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES } from './store-contract.mjs';
import { ROOT } from './helpers.mjs';
import { createDenoKvStore } from '../../web/src/stores/index.mjs';

const DENO = `${ROOT}node_modules/.bin/deno`;
const ENV = { ...process.env, DENO_NO_UPDATE_CHECK: '1' };
const dirs = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sid-denokv-'));
  dirs.push(d);
  return d;
};
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

// Deno with KV, reading the repository and writing only `dir`.
const denoArgs = (script, dir, ...args) => ['run', '--quiet', '--unstable-kv', '--no-prompt', `--allow-read=${ROOT},${dir}`,
  `--allow-write=${dir}`, `${ROOT}tests/runtimes/${script}`, dir, ...args];
function runDeno(script, dir, ...args) {
  const r = spawnSync(DENO, denoArgs(script, dir, ...args), { encoding: 'utf8', cwd: ROOT, env: ENV, timeout: 300000 });
  assert.equal(r.status, 0, `deno ${script} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}
const denoAsync = (script, dir, ...args) => new Promise((resolve, reject) => {
  const child = spawn(DENO, denoArgs(script, dir, ...args), { cwd: ROOT, env: ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('error', reject);
  child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim()))
    : reject(new Error(`deno ${script} exited ${code}:\n${stderr}`))));
});

test('the module loads without Deno and refuses what is not a Deno.Kv', () => {
  assert.throws(() => createDenoKvStore({}), { code: 'invalid_argument', message: /needs a Deno\.Kv/ });
});

test('types: a real Deno.Kv (Deno\'s own declarations) is accepted by createDenoKvStore', () => {
  const types = spawnSync(DENO, ['types', '--unstable-kv'], { encoding: 'utf8', env: ENV, maxBuffer: 64 << 20 });
  assert.equal(types.status, 0, types.stderr);
  mkdirSync(`${ROOT}build/deno-types`, { recursive: true });
  writeFileSync(`${ROOT}build/deno-types/deno.d.ts`, types.stdout);
  const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tests/types/tsconfig.deno.json`],
    { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

describe('store contract in Deno', () => {
  let results;
  before(() => { results = runDeno('deno-kv-contract.mjs', tempDir()); });
  for (const backend of ['file-per-store', 'shared-kv']) {
    for (const c of CASES) {
      test(`${backend}: ${c.name}`, () => {
        const r = results[backend].find((x) => x.name === c.name);
        assert.ok(r, 'the case did not run');
        if (r.error) assert.fail(r.error);
      });
    }
  }
  test('shared-kv: every key of every store lies under its own prefix', () => {
    assert.deepEqual(results.sharedKvStray, []);
  });
});

describe('at Deno KV\'s limits', () => {
  let r;
  before(() => { r = runDeno('deno-kv-limits.mjs', tempDir()); });
  test('a speaker of 350 samples (dim 192) lies in 64 KiB chunks and loads back in order, bit for bit', () => {
    assert.equal(r.manyCount, 350);
    assert.equal(r.manyInOrder, true);
    assert.equal(r.chunkKeys, Math.ceil(350 / Math.floor(65536 / (24 + 4 * 192))));
  });
  test('a mutation too large for one atomic operation is refused with StoreError and writes nothing', () => {
    for (const what of ['hugeAddSamples', 'hugeAddSpeakers', 'hugeReplaceAll']) {
      assert.equal(r[what]?.code, 'store_error', what);
      assert.match(r[what].message, /too large for one Deno KV atomic operation .*nothing was written.*in parts/, what);
    }
    assert.equal(r.versionKept, true);
    assert.deepEqual(r.namesAfterRefusals, ['many']);
  });
  test('remove deletes every key of the speaker; reset leaves only the head (the old generation is swept)', () => {
    assert.deepEqual(r.keysAfterRemove, ['g/0/c/1/0', 'g/0/n/other', 'g/0/s/1', 'head']);
    assert.deepEqual(r.keysAfterReset, ['head']);
  });
  test('prefixes: too long or not a key is refused up front; the longest accepted holds a 128-byte name', () => {
    assert.equal(r.longPrefix?.code, 'invalid_argument');
    assert.match(r.longPrefix.message, /at most \d+ leave room/);
    assert.deepEqual(r.longestName, [64]);
    assert.equal(r.badPrefix?.code, 'invalid_argument');
    assert.equal(r.notKv?.code, 'invalid_argument');
  });
  test('another model\'s profiles under the prefix: refused at open() and by an adapter opened before', () => {
    assert.equal(r.otherModelOpen?.code, 'model_mismatch');
    assert.equal(r.otherModelLater?.code, 'model_mismatch');
    assert.equal(r.afterClose?.code, 'store_error');
  });
});

test('3 Deno processes x 5 adapters write one KV file at once: nothing is lost', { timeout: 300000 }, async () => {
  const dir = tempDir();
  const [procs, writers, rounds] = [3, 5, 8];
  const results = await Promise.all(Array.from({ length: procs }, (_, p) =>
    denoAsync('deno-kv-writer.mjs', dir, 'write', String(p), String(writers), String(rounds))));
  assert.deepEqual(results, Array(procs).fill({ ok: true }));
  const { speakers, damaged } = runDeno('deno-kv-writer.mjs', dir, 'read');
  assert.deepEqual(damaged, []);
  const tags = [];
  for (let p = 0; p < procs; p++) for (let w = 0; w < writers; w++) for (let k = 0; k < rounds; k++) tags.push(p * 1e6 + w * 1e3 + k);
  const byName = new Map(speakers);
  // Every writer's own speakers, each with its one sample; the shared speaker got every writer's every sample.
  assert.equal(byName.size, procs * writers * rounds + 1);
  for (const t of tags) assert.deepEqual(byName.get(`p${Math.floor(t / 1e6)}-w${Math.floor(t / 1e3) % 1000}-${t % 1000}`), [t]);
  assert.deepEqual([...byName.get('shared')].sort((a, b) => a - b), tags);
  // Each writer's samples to 'shared' are in its own order.
  for (let p = 0; p < procs; p++) {
    for (let w = 0; w < writers; w++) {
      const mine = byName.get('shared').filter((t) => Math.floor(t / 1e3) === p * 1e3 + w);
      assert.deepEqual(mine, [...mine].sort((a, b) => a - b));
    }
  }
});

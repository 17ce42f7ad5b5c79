// The wasm core loads and computes identical results in Node, Deno, Cloudflare workerd and headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../../web/src/core.mjs';
import { probe } from '../runtimes/probe.mjs';
import { embedProbe } from '../runtimes/embed-probe.mjs';
import { ROOT, SHARED, runCli } from './helpers.mjs';
import { launchChromium, startServer } from './chromium-harness.mjs';

const expected = probe(await loadCore());
// The embedding half of the probe (C++ front-end -> ONNX Runtime Web -> pooling) with the small golden ECAPA.
const MODEL = 'build/models/ecapa-small-golden.onnx';
const expectedEmbedding = await embedProbe(`${ROOT}${MODEL}`);
const close = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-5 * Math.max(1, Math.abs(b[i])));
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;

test('node: the probe produces the expected shapes', () => {
  assert.deepEqual(expected.fbankShape, [151, 80]);
  assert.equal(expected.resemblyzerShape[1], 40);
  assert.equal(expectedEmbedding.length, 192);
});

test('deno: same results as node', () => {
  const r = spawnSync(bin('deno'), ['run', '--quiet', '--allow-read', '--allow-env', '--allow-sys',
    `${ROOT}tests/runtimes/deno-probe.mjs`, `${ROOT}${MODEL}`],
  { encoding: 'utf8', cwd: ROOT, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const { embedding, ...rest } = JSON.parse(r.stdout.trim());
  assert.deepEqual(rest, expected);
  assert.ok(close(embedding, expectedEmbedding), 'deno embedding differs from node');
});

test('workerd: same results as node, with a precompiled module and no code generation', () => {
  // capnp resolves `embed` paths relative to the config file, so the config lives two levels below the root.
  const dir = join(ROOT, 'build', 'workerd-probe');
  mkdirSync(dir, { recursive: true });
  try {
    const mod = (name, type, path) => `(name = "${name}", ${type} = embed "../../${path}")`;
    writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
);
const worker :Workerd.Worker = (
  modules = [
    ${mod('tests/runtimes/workerd-probe.mjs', 'esModule', 'tests/runtimes/workerd-probe.mjs')},
    ${mod('tests/runtimes/probe.mjs', 'esModule', 'tests/runtimes/probe.mjs')},
    ${mod('web/src/core.mjs', 'esModule', 'web/src/core.mjs')},
    ${mod('web/src/assets.mjs', 'esModule', 'web/src/assets.mjs')},
    ${mod('web/src/frontends.mjs', 'esModule', 'web/src/frontends.mjs')},
    ${mod('web/src/errors.mjs', 'esModule', 'web/src/errors.mjs')},
    ${mod('web/src/runtime.mjs', 'esModule', 'web/src/runtime.mjs')},
    ${mod('web/dist/speaker_id_core.mjs', 'esModule', 'web/dist/speaker_id_core.mjs')},
    ${mod('web/dist/speaker_id_core.wasm', 'wasm', 'web/dist/speaker_id_core.wasm')},
  ],
  bindings = [(name = "EXPECTED", text = ${JSON.stringify(JSON.stringify(expected))})],
  compatibilityDate = "2025-01-01",
);
`);
    const r = spawnSync(bin('workerd'), ['test', join(dir, 'config.capnp')], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /workerd probe ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chromium: same results as node', async () => {
  const server = await startServer();
  const browser = await launchChromium();  // a fresh temporary profile
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/tests/runtimes/browser-probe.html?model=/${MODEL}`);
    const result = await page.waitForFunction(() => window.probeResult, null, { timeout: 60000 });
    const { embedding, error, ...rest } = await result.jsonValue();
    assert.equal(error, undefined, error);
    assert.deepEqual(rest, expected);
    assert.ok(close(embedding, expectedEmbedding), 'chromium embedding differs from node');
  } finally {
    await browser.close();
    await server.close();
  }
});

test('deno: the embedded model needs read access only (no --allow-env, no --allow-sys)', () => {
  const r = spawnSync(bin('deno'), ['run', '--quiet', '--allow-read', '--no-prompt',
    `${ROOT}tests/runtimes/deno-read-only.mjs`, `${SHARED}/audio/librispeech_test-other`],
  { encoding: 'utf8', cwd: ROOT, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { answer: '1688' });
});

test('deno: the SpeakerId API on the memory and the file store; Node reads the store Deno wrote', () => {
  const store = mkdtempSync(join(tmpdir(), 'sid-deno-store-'));
  try {
    const r = spawnSync(bin('deno'), ['run', '--quiet', '--allow-read', '--allow-write', '--allow-env', '--allow-sys',
      `${ROOT}tests/runtimes/deno-speaker-id.mjs`, `${SHARED}/audio/librispeech_test-other`, store],
    { encoding: 'utf8', cwd: ROOT, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const { memory, file } = JSON.parse(r.stdout.trim());
    for (const res of [memory, file]) {
      assert.deepEqual(res.speakers, [['1688', 2], ['2414', 2]]);
      assert.deepEqual(res.answers, ['1688', '2414', null]);
    }
    assert.equal(file.exportBytes, memory.exportBytes);
    const listed = runCli(['speakers', '--store', store, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).speakers.map((s) => [s.name, s.samples]), [['1688', 2], ['2414', 2]]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

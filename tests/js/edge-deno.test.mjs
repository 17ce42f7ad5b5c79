// The Speaker-ID HTTP API on Deno with Deno KV: `npm run edge:deno` (demo/edge/deno/run.mjs -> main.mjs in the
// pinned Deno) as a real process on 127.0.0.1, driven over HTTP: the shared suite (http-api-suite.mjs), then what
// is Deno's own, with real speech (LibriSpeech test-other FLAC uploaded as multipart 'file' parts): enrollment and
// identification, tenants, auth, restarts on the same KV file, two servers on one KV file, clean shutdown, the
// launcher's signal forwarding, and the refusal to serve a reachable address without tokens.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHARED } from './helpers.mjs';
import { httpApiSuite } from './http-api-suite.mjs';
import { freePort, startHttpRuntime } from './http-runtime.mjs';

// `command args` (default: npm run edge:deno) in its own process group, once GET /health answers (http-runtime.mjs).
const start = (env, { command = 'npm', args = ['run', '--silent', 'edge:deno'] } = {}) =>
  startHttpRuntime({ command, args, env, cwd: ROOT });

httpApiSuite('deno (npm run edge:deno)', (env) => start(env));

const DATA = `${SHARED}/audio/librispeech_test-other`;
const TOKENS = { alpha: 'tok-alpha-0123456789abcdef', beta: 'tok-beta-0123456789abcdef' };
const TOKEN_ENV = Object.entries(TOKENS).map(([tenant, tok]) => `${tok}:${tenant}`).join(',');
const [A, B, C] = ['1688', '1998', '2033'];   // A, B enrolled (recordings 0-2), their recording 5 held out; C never
const flac = (speaker, i) => readFileSync(join(DATA, speaker, readdirSync(join(DATA, speaker)).filter((f) => f.endsWith('.flac')).sort()[i]));

function call(rt, method, path, { token = TOKENS.alpha, files } = {}) {
  let body;
  if (files) {
    body = new FormData();
    files.forEach((bytes, i) => body.append('file', new Blob([bytes], { type: 'audio/flac' }), `rec${i}.flac`));
  }
  return fetch(`${rt.origin}${path}`, { method, body, headers: token ? { authorization: `Bearer ${token}` } : {} })
    .then(async (r) => ({ status: r.status, data: await r.json() }));
}
async function ok(rt, method, path, opts) {
  const r = await call(rt, method, path, opts);
  assert.equal(r.status, 200, `${method} ${path} -> ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

const dirs = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sid-edge-deno-'));
  dirs.push(d);
  return d;
};
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('npm run edge:deno', { timeout: 600000 }, () => {
  const state = stateDir();
  const env = { SPEAKER_ID_TOKENS: TOKEN_ENV, SPEAKER_ID_STATE_DIR: state };
  let rt = null;
  after(() => rt?.kill());

  test('serves /health without a token, nothing else: no or a wrong token -> 401', async () => {
    rt = await start(env);
    assert.match(rt.output(), /listening on http:\/\/127\.0\.0\.1:\d+ \(KV .*speaker-id\.kv, 2 tenant\(s\)\)/);
    for (const token of [null, 'tok-not-a-real-token-000000']) {
      const r = await call(rt, 'GET', '/api/profiles', { token });
      assert.equal(r.status, 401);
      assert.equal(r.data.error, 'unauthorized');
    }
    assert.equal((await ok(rt, 'GET', '/api/config')).runtime, 'deno');
  });

  test('enrolls two speakers over multipart and identifies a held-out recording of each; an unseen one is unknown', async () => {
    for (const s of [A, B]) {
      const r = await ok(rt, 'POST', `/api/enroll?name=${s}`, { files: [0, 1, 2].map((i) => flac(s, i)) });
      assert.equal(r.samples, 3);
    }
    assert.deepEqual((await ok(rt, 'GET', '/api/profiles')).profiles, [A, B]);
    for (const s of [A, B]) assert.equal((await ok(rt, 'POST', '/api/identify', { files: [flac(s, 5)] })).speaker, s);
    assert.equal((await ok(rt, 'POST', '/api/identify', { files: [flac(C, 5)] })).speaker, 'unknown');
  });

  test('another tenant sees no profiles and identifies nobody', async () => {
    assert.deepEqual((await ok(rt, 'GET', '/api/profiles', { token: TOKENS.beta })).profiles, []);
    assert.equal((await ok(rt, 'POST', '/api/identify', { token: TOKENS.beta, files: [flac(A, 5)] })).speaker, 'unknown');
  });

  test('SIGTERM shuts it down cleanly; a restart on the same KV file keeps every enrollment', async () => {
    await rt.stop();   // npm's own status is npm's (killed by the signal); Deno's is checked in the launcher's test
    // npm dies at once; Deno says so and exits a moment later (its words arrive through the pipe after that).
    for (let t = Date.now(); rt.groupAlive() && Date.now() - t < 15000;) await new Promise((r) => setTimeout(r, 100));
    assert.equal(rt.groupAlive(), false, 'a process of edge:deno still runs 15 s after SIGTERM');
    for (let t = Date.now(); !/SIGTERM: shutting down/.test(rt.output()) && Date.now() - t < 5000;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(rt.output(), /SIGTERM: shutting down/);
    rt = await start(env);
    assert.deepEqual((await ok(rt, 'GET', '/api/profiles')).profiles, [A, B]);
    assert.equal((await ok(rt, 'POST', '/api/identify', { files: [flac(B, 5)] })).speaker, B);
    assert.deepEqual((await ok(rt, 'GET', '/api/profiles', { token: TOKENS.beta })).profiles, []);
  });

  test('two servers on one KV file: what one enrolls or removes, the other sees at its next request', async () => {
    const second = await start(env);
    try {
      await ok(second, 'POST', `/api/enroll?name=${C}`, { files: [flac(C, 0), flac(C, 1)] });
      assert.deepEqual((await ok(rt, 'GET', '/api/profiles')).profiles, [A, B, C]);
      assert.equal((await ok(rt, 'POST', '/api/identify', { files: [flac(C, 5)] })).speaker, C);
      await ok(rt, 'DELETE', `/api/speakers/${A}`);
      assert.deepEqual((await ok(second, 'GET', '/api/profiles')).profiles, [B, C]);
    } finally {
      await second.stop();
    }
  });
});

test('the launcher alone (node demo/edge/deno/run.mjs): forwards SIGTERM to Deno and exits with its status', { timeout: 300000 }, async () => {
  const rt = await start({ SPEAKER_ID_TOKENS: TOKEN_ENV, SPEAKER_ID_STATE_DIR: stateDir() },
    { command: process.execPath, args: ['demo/edge/deno/run.mjs'] });
  try {
    assert.deepEqual((await ok(rt, 'GET', '/api/profiles')).profiles, []);
    assert.deepEqual(await rt.stop({ group: false }), { code: 0, signal: null }, rt.output());
    assert.match(rt.output(), /SIGTERM: shutting down/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rt.groupAlive(), false, 'Deno still runs after the launcher exited');
  } finally {
    rt.kill();
  }
});

test('edge:deno refuses to serve a non-loopback address without tokens (exit 2, one line saying why)', async () => {
  const port = await freePort();
  const r = await new Promise((ok) => {
    const child = spawn('npm', ['run', '--silent', 'edge:deno'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOST: '0.0.0.0', PORT: String(port), SPEAKER_ID_TOKENS: '', SPEAKER_ID_STATE_DIR: stateDir() } });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => ok({ code, err }));
  });
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /refusing to serve 0\.0\.0\.0 without tokens: set SPEAKER_ID_TOKENS/);
});

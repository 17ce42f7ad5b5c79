// The Durable Object store (web/src/stores/durable-object-store.mjs) in real Cloudflare workerd with real
// SQLite-backed Durable Object storage on local disk: every store-contract case as its own subtest (each in a fresh
// object, run inside the runtime by tests/runtimes/workerd-store-contract.mjs), then what only a restart shows:
// the records and the version token survive the runtime, bit-exactly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES } from './store-contract.mjs';
import { ROOT } from './helpers.mjs';

const MODULES = ['tests/runtimes/workerd-store-contract.mjs', 'tests/js/store-contract.mjs',
  'web/src/stores/durable-object-store.mjs', 'web/src/stores/store-interface.mjs', 'web/src/errors.mjs'];

const freePort = () => new Promise((resolve, reject) => {
  const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

// capnp resolves `embed` paths relative to the config file: it lives two levels below the repository root.
function writeConfig(dir, dataDir, port) {
  const modules = MODULES.map((m) => `(name = "${m}", esModule = embed "../../${m}")`).join(',\n    ');
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker), (name = "disk", disk = (path = ${JSON.stringify(dataDir)}, writable = true))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${modules},
  ],
  compatibilityDate = "2025-09-01",
  durableObjectNamespaces = [(className = "ContractObject", uniqueKey = "speaker-id-contract", enableSql = true)],
  durableObjectStorage = (localDisk = "disk"),
  bindings = [(name = "CONTRACT", durableObjectNamespace = "ContractObject")],
);
`);
}

// One workerd process serving the config; start() waits until it answers, stop() until it exited.
function runtime(dir, port) {
  let child = null;
  let log = '';
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    log: () => log,
    async start() {
      child = spawn(join(ROOT, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp'), '--experimental'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => { log += d; });
      child.stderr.on('data', (d) => { log += d; });
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      for (let i = 0; i < 300; i++) {
        const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, 'waiting'))]);
        if (code !== 'waiting') throw new Error(`workerd exited with ${code}:\n${log}`);
        try {
          if ((await fetch(`${origin}/nothing`)).status === 404) return;
        } catch { /* not listening yet */ }
      }
      throw new Error(`workerd did not answer within 30 s:\n${log}`);
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const get = async (rt, path) => {
  const res = await fetch(`${rt.origin}${path}`);
  return { status: res.status, text: await res.text() };
};

describe('durable object store in workerd', () => {
  let dir;
  let rt;
  const run = Date.now().toString(36);  // object names of this run (the disk is fresh anyway)
  before(async () => {
    mkdirSync(join(ROOT, 'build'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'build', 'workerd-do-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'sid-do-data-'));
    const port = await freePort();
    writeConfig(dir, dataDir, port);
    rt = runtime(dir, port);
    rt.dataDir = dataDir;
    await rt.start();
  });
  after(async () => {
    await rt?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (rt?.dataDir) rmSync(rt.dataDir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(c.name, { timeout: 60000 }, async () => {
      const q = new URLSearchParams({ name: c.name, object: `${run}/${c.name}` });
      const r = await get(rt, `/case?${q}`);
      assert.equal(r.status, 200, r.text);
    });
  }

  test('records and the version token survive a restart of the runtime, bit-exactly', { timeout: 120000 }, async () => {
    const q = `object=${run}/restart`;
    const special = [0x80000000, 1, 0x7f7fffff, 0x3dcccccd, 0xbeaaaaab, 0x00800000, 0x7f800000 - 1, 42];
    const post = async (name, samples) => {
      const res = await fetch(`${rt.origin}/write?${q}`, { method: 'POST', body: JSON.stringify({ name, samples }) });
      assert.equal(res.status, 200, await res.clone().text());
      return res.json();
    };
    await post('ann', [{ embedding: special, durationSec: 0.1, speechSec: 1 / 3, createdAt: 1700000000123 },
      { embedding: special.map((b) => b ^ 1), durationSec: 2 ** -1074, speechSec: -0, createdAt: 1.5 }]);
    const last = await post('Zoë 李', [{ embedding: special, durationSec: 1e300, speechSec: 0, createdAt: 0 }]);
    const before = JSON.parse((await get(rt, `/read?${q}`)).text);
    assert.equal(before.version, last.after);
    assert.deepEqual(before.speakers.map((s) => [s.name, s.samples.length]), [['ann', 2], ['Zoë 李', 1]]);
    assert.deepEqual(before.speakers[0].samples[0].embedding, special);
    assert.equal(before.speakers[0].samples[1].durationSec, 2 ** -1074);

    await rt.stop();
    await rt.start();
    const afterRestart = JSON.parse((await get(rt, `/read?${q}`)).text);
    assert.deepEqual(afterRestart, before);
    assert.equal(afterRestart.speakers[0].samples[0].type, '[object Float32Array]');
    // And the next commit continues from the stored token.
    const next = await post('ann', [{ embedding: special, durationSec: 1, speechSec: 1, createdAt: 2 }]);
    assert.equal(next.before, last.after);
    assert.notEqual(next.after, last.after);
  });

  test('two prefixes in one object are two independent stores', async () => {
    const q = `object=${run}/prefixes`;
    const sample = { embedding: [1, 2, 3, 4, 5, 6, 7, 8], durationSec: 1, speechSec: 1, createdAt: 1 };
    const res = await fetch(`${rt.origin}/write?${q}&prefix=a:`, { method: 'POST', body: JSON.stringify({ name: 'ann', samples: [sample] }) });
    assert.equal(res.status, 200, await res.text());
    assert.deepEqual(JSON.parse((await get(rt, `/read?${q}&prefix=a:`)).text).speakers.map((s) => s.name), ['ann']);
    assert.deepEqual(JSON.parse((await get(rt, `/read?${q}&prefix=b:`)).text).speakers, []);
  });

  test('a storage without the SQLite KV API is refused with a clear InvalidArgumentError', async () => {
    const r = JSON.parse((await get(rt, `/bad-storage?object=${run}/bad`)).text);
    assert.equal(r.code, 'invalid_argument');
    assert.match(r.message, /SQLite-backed Durable Object.*new_sqlite_classes/);
  });
});

// The file store on a real file system: the profile blob on disk, atomic replacement, the writers' lock, crashes
// (a writer SIGKILLed mid-mutation, over and over), a damaged store refused and left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../../web/src/core.mjs';
import { profileCodec } from '../../web/src/gallery.mjs';
import { createFileStore, readStoredModelId, STORE_FILE } from '../../web/src/stores/file-store.mjs';
import { ModelMismatchError, SpeakerExistsError, StoreError, UnknownSpeakerError } from '../../web/src/errors.mjs';
import { ROOT } from './helpers.mjs';

const core = await loadCore();
const codec = profileCodec(core);
const MODEL = { id: 'test-model', sha256: 'ab'.repeat(32), dim: 4 };
const sample = (k, t = 1) => ({ embedding: Float32Array.of(1, k, 0.5, -k), durationSec: 2, speechSec: 1.5, createdAt: t });
const tmp = () => mkdtempSync(join(tmpdir(), 'sid-file-store-'));

async function opened(dir, model = MODEL, opts) {
  const store = createFileStore(dir, opts);
  await store.open(model, codec);
  return store;
}

test('mutations land in profiles.sidp, a valid blob, with version tokens', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    assert.equal(await s.version(), 'empty');
    assert.equal(await readStoredModelId(dir), null);
    const t1 = await s.addSamples('ann', [sample(1), sample(2)]);
    assert.equal(t1.before, 'empty');
    assert.equal(t1.after, await s.version());
    const t2 = await s.addSamples('bob', [sample(3)]);
    assert.equal(t2.before, t1.after);
    await s.addSamples('ann', [sample(4)]);
    const blob = codec.decode(new Uint8Array(readFileSync(join(dir, STORE_FILE))));
    assert.deepEqual(blob.model, MODEL);
    assert.deepEqual(blob.speakers.map((sp) => [sp.name, sp.samples.length]), [['ann', 3], ['bob', 1]]);
    assert.deepEqual(blob.speakers[0].samples[2].embedding, sample(4).embedding);
    assert.equal(await readStoredModelId(dir), 'test-model');

    await s.rename('ann', 'Ann');
    await assert.rejects(s.rename('bob', 'Ann'), SpeakerExistsError);
    await assert.rejects(s.rename('nobody', 'x'), UnknownSpeakerError);
    assert.equal((await s.remove('zed')).removed, false);
    assert.equal((await s.remove('bob')).removed, true);
    await assert.rejects(s.addSpeakers([{ name: 'Ann', samples: [sample(9)] }]), SpeakerExistsError);
    await s.addSpeakers([{ name: 'cy', samples: [sample(9)] }]);
    const { speakers, version } = await s.load();
    assert.deepEqual(speakers.map((sp) => sp.name), ['Ann', 'cy']);
    assert.equal(version, await s.version());
    await s.reset();
    assert.deepEqual((await s.load()).speakers, []);
    assert.equal(await readStoredModelId(dir), 'test-model');  // reset keeps the model binding
    assert.deepEqual(readdirSync(dir), [STORE_FILE]);           // no lock or temporary file left behind
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refused mutations and no-ops leave the file byte-identical', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    await s.addSamples('ann', [sample(1)]);
    await s.addSamples('bob', [sample(2)]);
    const before = readFileSync(join(dir, STORE_FILE));
    const token = await s.version();
    await assert.rejects(s.rename('ann', 'bob'));
    await assert.rejects(s.addSpeakers([{ name: 'bob', samples: [sample(5)] }]));
    await assert.rejects(s.addSamples('ann', [{ ...sample(1), embedding: new Float32Array(3) }]));  // wrong dimension
    await s.remove('nobody');
    await s.rename('ann', 'ann');
    assert.deepEqual(readFileSync(join(dir, STORE_FILE)), before);
    assert.equal(await s.version(), token);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('another model, a damaged file and a foreign file are refused and left untouched', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    await s.addSamples('ann', [sample(1)]);
    await assert.rejects(opened(dir, { ...MODEL, sha256: 'cd'.repeat(32) }), (e) => e instanceof ModelMismatchError && /test-model/.test(e.message));
    await assert.rejects(opened(dir, { ...MODEL, id: 'other' }), ModelMismatchError);

    const good = readFileSync(join(dir, STORE_FILE));
    const bad = Buffer.from(good);
    bad[bad.length - 10] ^= 0xff;
    writeFileSync(join(dir, STORE_FILE), bad);
    await assert.rejects(opened(dir), (e) => e instanceof StoreError && /damaged/.test(e.message) && /checksum/.test(e.message));
    await assert.rejects(s.addSamples('bob', [sample(2)]), StoreError);
    assert.deepEqual(readFileSync(join(dir, STORE_FILE)), bad);  // never "repaired" by overwriting

    writeFileSync(join(dir, STORE_FILE), 'hello, world');
    await assert.rejects(readStoredModelId(dir), /not a speaker-id profile store/);
    await assert.rejects(opened(dir), StoreError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the lock: a live owner blocks writers until the timeout; a dead owner\'s lock and leftovers are cleaned up', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir, MODEL, { lockTimeoutMs: 300 });
    await s.addSamples('ann', [sample(1)]);
    // Held by a live process (this one): the writer waits, then gives up naming the lock.
    writeFileSync(join(dir, '.lock'), `${process.pid} ${(await import('node:os')).hostname()} now\n`);
    await assert.rejects(s.addSamples('bob', [sample(2)]), (e) => e instanceof StoreError && /locked/.test(e.message));
    // Held by a process that is gone, plus a half-written temporary file from its crash.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, '.lock'), `${dead.pid} ${(await import('node:os')).hostname()} then\n`);
    writeFileSync(join(dir, `.${STORE_FILE}.${dead.pid}.1.tmp`), 'SIDP half');
    await s.addSamples('bob', [sample(2)]);
    assert.deepEqual(readdirSync(dir).sort(), [STORE_FILE]);
    assert.deepEqual((await s.load()).speakers.map((sp) => sp.name), ['ann', 'bob']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent writer processes lose nothing', async () => {
  const dir = tmp();
  try {
    const worker = (name, n) => `
      import { loadCore } from '${ROOT}web/src/core.mjs';
      import { profileCodec } from '${ROOT}web/src/gallery.mjs';
      import { createFileStore } from '${ROOT}web/src/stores/file-store.mjs';
      const s = createFileStore(${JSON.stringify(dir)});
      await s.open(${JSON.stringify(MODEL)}, profileCodec(await loadCore()));
      for (let i = 0; i < ${n}; i++) {
        await s.addSamples(i % 2 ? 'shared' : '${name}', [{ embedding: Float32Array.of(1, i, 2, 3), durationSec: 1, speechSec: 1, createdAt: i }]);
      }`;
    const run = (name) => new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', worker(name, 20)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    });
    await Promise.all([run('a'), run('b'), run('c')]);
    const s = await opened(dir);
    const counts = Object.fromEntries((await s.load()).speakers.map((sp) => [sp.name, sp.samples.length]));
    assert.deepEqual(counts, { a: 10, b: 10, c: 10, shared: 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a writer killed at random moments never leaves a corrupt store', async () => {
  const dir = tmp();
  try {
    const loop = `
      import { loadCore } from '${ROOT}web/src/core.mjs';
      import { profileCodec } from '${ROOT}web/src/gallery.mjs';
      import { createFileStore } from '${ROOT}web/src/stores/file-store.mjs';
      const s = createFileStore(${JSON.stringify(dir)});
      await s.open(${JSON.stringify(MODEL)}, profileCodec(await loadCore()));
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) await s.addSamples('spk' + (i % 7), [{ embedding: Float32Array.of(1, i, 2, 3), durationSec: 1, speechSec: 1, createdAt: i }]);`;
    let lastCount = 0;
    for (let round = 0; round < 6; round++) {
      const p = spawn(process.execPath, ['--input-type=module', '-e', loop], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((r) => p.stdout.once('data', r));
      await new Promise((r) => setTimeout(r, 150 + 60 * round));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('exit', r));
      // Whatever moment it died at: the store decodes (checksum intact) and only ever grows.
      const s = await opened(dir, MODEL, { lockTimeoutMs: 2000 });
      const { speakers } = await s.load();
      const count = speakers.reduce((n, sp) => n + sp.samples.length, 0);
      assert.ok(count >= lastCount, `round ${round}: ${count} < ${lastCount}`);
      lastCount = count;
      await s.addSamples('check', [sample(round)]);  // and the next writer gets in (a dead owner's lock is taken over)
      lastCount += 1;
    }
    assert.ok(lastCount > 12, `only ${lastCount} samples written`);
    assert.ok(!existsSync(join(dir, '.lock')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

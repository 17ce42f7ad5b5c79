// The file store on a real file system, beyond the store contract (store-contract.test.mjs): the journal's bytes
// as documented in web/src/stores/file-store.mjs, appends, compaction, torn tails, damage refused and left as it
// is, the writers' lock, concurrent writer processes, and a writer SIGKILLed mid-mutation over and over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';   // an independent CRC-32 (the store has its own)
import { createFileStore, readStoredModelId, STORE_FILE } from '../../web/src/stores/file-store.mjs';
import { StoreError } from '../../web/src/errors.mjs';
import { ROOT } from './helpers.mjs';

const MODEL = { id: 'test-model', sha256: 'ab'.repeat(32), dim: 4 };
const SAMPLE_BYTES = 24 + 4 * MODEL.dim;
const sample = (k, t = 1) => ({ embedding: Float32Array.of(1, k, 0.5, -k), durationSec: 2, speechSec: 1.5, createdAt: t });
const tmp = () => mkdtempSync(join(tmpdir(), 'sid-file-store-'));
const journal = (dir) => readFileSync(join(dir, STORE_FILE));
const names = async (s) => (await s.load()).speakers.map((sp) => sp.name);

async function opened(dir, model = MODEL, opts) {
  const store = createFileStore(dir, opts);
  await store.open(model);
  return store;
}

// The documented layout, read independently of the store's code.
function parseJournal(bytes) {
  assert.equal(bytes.toString('latin1', 0, 4), 'SIDJ');
  assert.equal(bytes.readUInt32LE(4), 1);
  const idLength = bytes.readUInt16LE(52);
  const headerLength = 54 + idLength + 4;
  assert.equal(bytes.readUInt32LE(54 + idLength), crc32(bytes.subarray(0, 54 + idLength)), 'header CRC');
  const header = { fileId: bytes.toString('hex', 8, 16), dim: bytes.readUInt32LE(16), sha256: bytes.toString('hex', 20, 52),
    id: bytes.toString('utf8', 54, 54 + idLength), length: headerLength };
  const records = [];
  for (let p = headerLength; p < bytes.length;) {
    const length = bytes.readUInt32LE(p);
    assert.equal(bytes.readUInt32LE(p + 4), crc32(bytes.subarray(p, p + 4)), `length CRC at ${p}`);
    assert.equal(bytes.readUInt32LE(p + 8 + length), crc32(bytes.subarray(p + 8, p + 8 + length)), `body CRC at ${p}`);
    records.push({ at: p, type: bytes[p + 8], body: bytes.subarray(p + 9, p + 8 + length), size: 12 + length });
    p += 12 + length;
  }
  return { header, records };
}
const str = (b, p) => [b.toString('utf8', p + 2, p + 2 + b.readUInt16LE(p)), p + 2 + b.readUInt16LE(p)];

test('the journal on disk: the documented header, then one record appended per committed mutation', async () => {
  const dir = join(tmp(), 'store');
  try {
    const s = await opened(dir);
    assert.equal(await s.version(), 'empty');
    assert.equal(await readStoredModelId(dir), null);
    assert.ok(!existsSync(dir), 'opening and reading create nothing');
    await s.addSamples('ann', [sample(1, 10), sample(2, 20)]);
    let bytes = journal(dir);
    const { header, records } = parseJournal(bytes);
    assert.deepEqual({ ...header, fileId: undefined }, { fileId: undefined, dim: 4, sha256: MODEL.sha256, id: 'test-model',
      length: 58 + 10 });
    assert.equal(await readStoredModelId(dir), 'test-model');
    assert.equal(await s.version(), `${header.fileId}:${bytes.length}`);
    // ADD: u32 speakers, name, u32 samples, then per sample f64 durationSec, speechSec, createdAt, dim x f32.
    assert.equal(records.length, 1);
    const { type, body } = records[0];
    assert.equal(type, 1);
    assert.equal(body.readUInt32LE(0), 1);
    const [name, p] = str(body, 4);
    assert.equal(name, 'ann');
    assert.equal(body.readUInt32LE(p), 2);
    const q = p + 4 + SAMPLE_BYTES;   // the second sample
    assert.deepEqual([body.readDoubleLE(q), body.readDoubleLE(q + 8), body.readDoubleLE(q + 16)], [2, 1.5, 20]);
    assert.deepEqual([0, 1, 2, 3].map((i) => body.readFloatLE(q + 24 + 4 * i)), [1, 2, 0.5, -2]);
    assert.equal(q + SAMPLE_BYTES, body.length);

    // Every further mutation appends exactly one record and leaves what was there byte for byte.
    const expected = [[1, ['bob']], [3, ['ann', 'Ann']], [2, ['bob']], [1, ['cy']]];   // [type, names in the body]
    const mutations = [() => s.addSamples('bob', [sample(3)]), () => s.rename('ann', 'Ann'), () => s.remove('bob'),
      () => s.addSpeakers([{ name: 'cy', samples: [sample(4)] }])];
    for (const [i, mutate] of mutations.entries()) {
      const before = bytes;
      const r = await mutate();
      bytes = journal(dir);
      assert.deepEqual(bytes.subarray(0, before.length), before);
      const added = parseJournal(bytes).records.slice(-1)[0];
      assert.equal(added.at, before.length);
      assert.equal(added.type, expected[i][0]);
      const [first, next] = str(added.body, added.type === 1 ? 4 : 0);
      assert.deepEqual(added.type === 3 ? [first, str(added.body, next)[0]] : [first], expected[i][1]);
      assert.equal(r.after, `${header.fileId}:${bytes.length}`);
    }
    assert.deepEqual(await names(s), ['Ann', 'cy']);
    assert.deepEqual(readdirSync(dir), [STORE_FILE]);   // no lock or temporary file left behind
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('refused mutations and no-ops leave the file byte-identical', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    await s.addSamples('ann', [sample(1)]);
    await s.addSamples('bob', [sample(2)]);
    const before = journal(dir);
    const token = await s.version();
    await assert.rejects(s.rename('ann', 'bob'));
    await assert.rejects(s.rename('nobody', 'x'));
    await assert.rejects(s.addSpeakers([{ name: 'bob', samples: [sample(5)] }]));
    await s.remove('nobody');
    await s.rename('ann', 'ann');
    assert.deepEqual(journal(dir), before);
    assert.equal(await s.version(), token);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compaction: exactly when dead bytes would exceed live bytes, the journal is rewritten whole with a new file id', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    const other = await opened(dir);
    const speakers = Array.from({ length: 12 }, (_, i) => ({ name: `spk-${i}`, samples: [sample(i), sample(i + 1), sample(i + 2)] }));
    await s.replaceAll(speakers);
    await other.load();   // its view now holds the first file
    const headerLength = 58 + MODEL.id.length;
    const live = (list) => headerLength + (list.length ? 12 + 5 + list.reduce((n, sp) => n + 6 + sp.name.length + 3 * SAMPLE_BYTES, 0) : 0);
    let left = speakers.slice();
    let compactions = 0;
    for (const sp of speakers.slice(0, 10)) {
      const before = journal(dir);
      await s.remove(sp.name);
      left = left.filter((x) => x !== sp);
      const after = journal(dir);
      const appended = before.length + 12 + 1 + 2 + sp.name.length;
      if (appended - live(left) > live(left)) {
        compactions += 1;
        const { header, records } = parseJournal(after);
        assert.equal(after.length, live(left), 'written whole: the header and one ADD record of the live speakers');
        assert.deepEqual(records.map((r) => r.type), [1]);
        assert.notEqual(header.fileId, parseJournal(before).header.fileId);
      } else {
        assert.equal(after.length, appended, `removing ${sp.name} appends`);
        assert.deepEqual(after.subarray(0, before.length), before);
      }
      assert.equal(await s.version(), `${parseJournal(after).header.fileId}:${after.length}`);
    }
    assert.ok(compactions >= 2, `${compactions} compaction(s)`);
    // The content survives, exactly; another adapter that still holds a view of an older file follows.
    const expected = left.map((sp) => [sp.name, sp.samples.map((x) => Array.from(x.embedding))]);
    for (const a of [s, other, await opened(dir)]) {
      const loaded = await a.load();
      assert.deepEqual(loaded.speakers.map((sp) => [sp.name, sp.samples.map((x) => Array.from(x.embedding))]), expected);
      assert.equal(loaded.version, await s.version());
    }
    await other.addSamples('spk-11', [sample(9)]);
    assert.deepEqual((await s.load()).speakers.map((sp) => [sp.name, sp.samples.length]), [['spk-10', 3], ['spk-11', 4]]);
    // A reset leaves only the header: the store stays bound to its model.
    await s.reset();
    assert.equal(journal(dir).length, headerLength);
    assert.equal(await readStoredModelId(dir), MODEL.id);
    assert.deepEqual(readdirSync(dir), [STORE_FILE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn tail (an append cut short) is ignored by readers and truncated by the next writer', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    await s.addSamples('ann', [sample(1)]);
    await s.addSamples('bob', [sample(2)]);
    const good = journal(dir);
    await s.addSamples('cy', [sample(3)]);
    const record = journal(dir).subarray(good.length);   // a whole record, to cut short
    const token = `${parseJournal(good).header.fileId}:${good.length}`;
    for (const tail of [record.subarray(0, 5), record.subarray(0, 8), record.subarray(0, record.length - 1), Buffer.alloc(64)]) {
      writeFileSync(join(dir, STORE_FILE), Buffer.concat([good, tail]));
      const reader = await opened(dir);
      assert.deepEqual(await names(reader), ['ann', 'bob']);
      assert.equal(await reader.version(), token);
      assert.equal(journal(dir).length, good.length + tail.length, 'readers write nothing');
      const writer = await opened(dir);
      const r = await writer.addSamples('dee', [sample(4)]);
      assert.equal(r.before, token);
      const after = journal(dir);
      assert.deepEqual(after.subarray(0, good.length), good);
      assert.equal(parseJournal(after).records.length, 3, 'the tail was truncated, then one record appended');
      assert.deepEqual(await names(reader), ['ann', 'bob', 'dee']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('damage is refused and left as it is: bad checksums, a damaged length or header, a foreign file, a profile export', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir);
    await s.addSamples('ann', [sample(1)]);
    await s.addSamples('bob', [sample(2)]);
    await s.addSamples('cy', [sample(3)]);
    const good = journal(dir);
    const [first, second, last] = parseJournal(good).records;
    const damage = [
      [first.at + 30, /damaged.*record at byte \d+ fails its checksum/],     // a sample value in the middle
      [second.at + 1, /damaged.*record at byte \d+ has a damaged length/],
      [last.at + 20, /damaged.*record at byte \d+ fails its checksum/],      // a complete last record is no torn tail
    ];
    for (const [offset, message] of damage) {
      const bad = Buffer.from(good);
      bad[offset] ^= 0x10;
      writeFileSync(join(dir, STORE_FILE), bad);
      await assert.rejects(s.load(), (e) => e instanceof StoreError && message.test(e.message) && e.message.includes('left as it is'));
      await assert.rejects(s.addSamples('dee', [sample(4)]), message);   // the view was dropped: the writer re-reads
      await assert.rejects((await opened(dir)).remove('ann'), message);
      await assert.rejects((await opened(dir)).reset(), message);          // no compaction replaces a damaged journal
      assert.deepEqual(journal(dir), bad, 'never "repaired" by overwriting');
    }
    const bad = Buffer.from(good);
    bad[56] ^= 0x01;   // in the model id
    writeFileSync(join(dir, STORE_FILE), bad);
    await assert.rejects(opened(dir), /damaged.*header fails its checksum/);
    await assert.rejects(readStoredModelId(dir), /damaged.*header fails its checksum/);

    writeFileSync(join(dir, STORE_FILE), 'hello, world');
    await assert.rejects(readStoredModelId(dir), /not a speaker-id store/);
    await assert.rejects(opened(dir), StoreError);
    writeFileSync(join(dir, STORE_FILE), Buffer.concat([Buffer.from('SIDP'), Buffer.alloc(60)]));
    await assert.rejects(opened(dir), /holds a profile export.*import-profiles/);
    assert.deepEqual(readdirSync(dir), [STORE_FILE]);
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
    writeFileSync(join(dir, '.lock'), `${process.pid} ${hostname()} now\n`);
    await assert.rejects(s.addSamples('bob', [sample(2)]), (e) => e instanceof StoreError && /locked/.test(e.message));
    // Held by a process that is gone, plus a half-written temporary file and a lock draft from its crash.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, '.lock'), `${dead.pid} ${hostname()} then\n`);
    writeFileSync(join(dir, `.${STORE_FILE}.${dead.pid}.1.tmp`), 'SIDJ half');
    writeFileSync(join(dir, `.lock.${hostname()}.${dead.pid}`), `${dead.pid} ${hostname()} then\n`);   // its lock draft
    await s.addSamples('bob', [sample(2)]);
    assert.deepEqual(readdirSync(dir).sort(), [STORE_FILE]);
    assert.deepEqual(await names(s), ['ann', 'bob']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const worker = (dir, body) => `
  import { createFileStore } from '${ROOT}web/src/stores/file-store.mjs';
  const s = createFileStore(${JSON.stringify(dir)});
  await s.open(${JSON.stringify(MODEL)});
  const sample = (i) => ({ embedding: Float32Array.of(1, i, 2, 3), durationSec: 1, speechSec: 1, createdAt: i });
  ${body}`;

test('concurrent writer processes lose nothing', async () => {
  const dir = tmp();
  try {
    const run = (name) => new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', worker(dir, `
        for (let i = 0; i < 20; i++) await s.addSamples(i % 2 ? 'shared' : '${name}', [sample(i)]);
        await s.rename('${name}', '${name}-renamed');
        await s.addSamples('${name}-renamed', [sample(99)]);`)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    });
    await Promise.all([run('a'), run('b'), run('c')]);
    const s = await opened(dir);
    const counts = Object.fromEntries((await s.load()).speakers.map((sp) => [sp.name, sp.samples.length]));
    assert.deepEqual(counts, { 'a-renamed': 11, 'b-renamed': 11, 'c-renamed': 11, shared: 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a writer killed at random moments (appending or compacting) never leaves a corrupt store', async () => {
  const dir = tmp();
  try {
    // Adds samples, and every 15th mutation rewrites the same content with replaceAll, which compacts the journal.
    const loop = worker(dir, `
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        if (i % 15 === 14) await s.replaceAll((await s.load()).speakers);
        else await s.addSamples('spk' + (i % 7), [sample(i)]);
      }`);
    let lastCount = 0;
    for (let round = 0; round < 6; round++) {
      const p = spawn(process.execPath, ['--input-type=module', '-e', loop], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((r) => p.stdout.once('data', r));
      await new Promise((r) => setTimeout(r, 150 + 60 * round));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('exit', r));
      // Whatever moment it died at: the store loads (every checksum intact) and only ever grows.
      const s = await opened(dir, MODEL, { lockTimeoutMs: 2000 });
      const { speakers } = await s.load();
      const count = speakers.reduce((n, sp) => n + sp.samples.length, 0);
      assert.ok(count >= lastCount, `round ${round}: ${count} < ${lastCount}`);
      lastCount = count;
      await s.addSamples('check', [sample(round)]);  // and the next writer gets in (a dead owner's lock is taken over)
      lastCount += 1;
    }
    assert.ok(lastCount > 12, `only ${lastCount} samples written`);
    assert.deepEqual(readdirSync(dir), [STORE_FILE], 'no lock or temporary file left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

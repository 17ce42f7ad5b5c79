// The IndexedDB store adapter (web/src/stores/indexeddb-store.mjs) in real headless Chromium, beyond the store
// contract (store-contract.test.mjs): its layout and transactions, persistence (reload, new page, browser restart),
// several pages writing one database at once, another tab deleting it, an aborted transaction, a module worker.
// The page tests/browser/indexeddb-store-page.html exposes window.idb; see tests/browser/indexeddb-store-page.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, launchPersistentChromium, startServer } from './chromium-harness.mjs';

const MODEL = Object.freeze({ id: 'test-model', sha256: 'a'.repeat(64), dim: 8 });
const DB = (name, model = MODEL) => `${name}/${model.id}`;
let server;
let browser;
let pageUrl;

before(async () => {
  server = await startServer();
  pageUrl = `${server.origin}/tests/browser/indexeddb-store-page.html`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// --- driving the page -------------------------------------------------------------------------------------------

async function openPage(context) {
  const page = await context.newPage();
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.idbReady === true);
  return page;
}
const unwrap = (r) => {
  if (r.error) throw Object.assign(new Error(r.error.message), r.error);
  return r.ok;
};
/** Adapter `handle` in `page`, opened on `model`; returns a proxy whose methods run in the page. */
async function adapter(page, name, model = MODEL, handle = name) {
  unwrap(await page.evaluate(([h, o, m]) => window.idb.open(h, o, m), [handle, { name }, model]));
  return new Proxy({}, {
    get: (_, method) => (method === 'then' ? undefined
      : async (...args) => unwrap(await page.evaluate(([h, m, a]) => window.idb.call(h, m, ...a), [handle, method, args]))),
  });
}
/** Calls of adapter `handle` run inside `page` in `lanes` concurrent chains; resolves to the unwrapped results. */
const concurrently = async (page, handle, calls, lanes, startAt) =>
  (await page.evaluate(([c, l, t]) => window.idb.all(c, l, t), [calls.map((c) => [handle, ...c]), lanes, startAt])).map(unwrap);
const inspect = async (page, dbName) => unwrap(await page.evaluate((n) => window.idb.inspect(n), dbName));

// Sample `id` is recognisable from its embedding (exact in float32) and createdAt, so the tests can count exactly who stored what.
const sample = (id, dim = 8) => ({ embedding: { $f32: Array.from({ length: dim }, (_, i) => id + i / 8) },
  durationSec: 2, speechSec: 1.5, createdAt: id });
const ids = (speaker) => speaker.samples.map((s) => s.createdAt);
const names = (loaded) => loaded.speakers.map((s) => s.name);
const counter = (token) => Number(String(token).split(':')[1]);
const instance = (token) => String(token).split(':')[0];
const rejects = (promise, name, code) => assert.rejects(promise, (err) => {
  assert.equal(err.name, name, err.message);
  assert.equal(err.code, code);
  return true;
});

// --- tests ------------------------------------------------------------------------------------------------------

const T = { timeout: 30000 };   // a blocked or lost transaction fails its test instead of hanging the run

describe('indexeddb store in Chromium', () => {
  test('layout and transactions: a record per sample, rename in place, strict durability, counter tokens, open/close', T, async () => {
    const context = await browser.newContext();
    try {
      const page = await openPage(context);
      // Before open(): refused as StoreError.
      unwrap(await page.evaluate(() => window.idb.create('unopened', { name: 'unopened' })));
      for (const args of [['load'], ['version'], ['addSamples', 'x', [sample(1)]], ['remove', 'x']]) {
        await rejects(page.evaluate((a) => window.idb.call('unopened', ...a), args).then(unwrap), 'StoreError', 'store_error');
      }
      const s = await adapter(page, 'layout');
      assert.deepEqual((await inspect(page, DB('layout'))).meta.model, MODEL, 'open() on a new database records the model');
      assert.equal(counter(await s.version()), 0);
      await s.addSamples('alice', [sample(1), sample(2)]);
      await s.addSamples('bob', [sample(3)]);
      await s.addSamples('alice', [sample(4)]);
      // rename keeps the keys (so the place) and rewrites only the speaker field.
      const before = await inspect(page, DB('layout'));
      assert.equal(before.keys.length, 4, 'one record per sample');
      await s.rename('bob', 'bert');
      const renamed = await inspect(page, DB('layout'));
      assert.deepEqual(renamed.keys, before.keys);
      assert.deepEqual(renamed.speakers, before.speakers.map((n) => (n === 'bob' ? 'bert' : n)));
      assert.deepEqual(renamed.embeddingTypes, ['Float32Array']);
      // The token is `${instance}:${counter}`: one step per commit, none for a no-op or a refusal.
      assert.equal(counter(await s.version()), 4);
      await s.remove('nobody');
      await s.rename('alice', 'alice');
      await rejects(s.rename('alice', 'bert'), 'SpeakerExistsError', 'speaker_exists');
      assert.equal(counter(await s.version()), 4);
      await s.reset();
      assert.deepEqual((await inspect(page, DB('layout'))).meta.model, MODEL, 'reset keeps the model record');
      assert.equal(counter(await s.version()), 5);

      // Every write asked for strict durability ('complete' only once on disk).
      const txs = unwrap(await page.evaluate(() => window.idb.transactions()));
      const writes = txs.filter((t) => t.mode === 'readwrite');
      assert.ok(writes.length >= 5);
      assert.deepEqual([...new Set(writes.map((t) => t.durability))], ['strict']);

      // Another model id is another database; the first keeps its model record.
      const other = await adapter(page, 'layout', { id: 'other-model', sha256: 'c'.repeat(64), dim: 4 }, 'other');
      assert.deepEqual((await other.load()).speakers, []);
      assert.deepEqual((await inspect(page, DB('layout'))).meta.model, MODEL);

      // After close(): refused as StoreError.
      await s.close();
      await rejects(s.load(), 'StoreError', 'store_error');
      await rejects(s.addSamples('x', [sample(1)]), 'StoreError', 'store_error');
    } finally {
      await context.close();
    }
  });

  test('persists across reload, across pages, and across a browser restart', T, async () => {
    const context = await browser.newContext();
    try {
      let page = await openPage(context);
      let s = await adapter(page, 'persist');
      await s.addSamples('alice', [sample(1), sample(2)]);
      await s.addSamples('bob', [sample(3)]);
      const snapshot = await s.load();
      await page.reload();
      await page.waitForFunction(() => window.idbReady === true);
      s = await adapter(page, 'persist');
      assert.deepEqual(await s.load(), snapshot);
      await page.close();
      page = await openPage(context);
      s = await adapter(page, 'persist');
      assert.deepEqual(await s.load(), snapshot);
    } finally {
      await context.close();
    }
    // A persistent profile: the data is in the IndexedDB files on disk, not only in the browser's memory.
    const dir = mkdtempSync(join(tmpdir(), 'sid-idb-'));
    try {
      let ctx = await launchPersistentChromium(dir);
      let page = await openPage(ctx);
      let s = await adapter(page, 'disk');
      await s.addSamples('alice', [sample(1)]);
      await s.rename('alice', 'alicia');
      const snapshot = await s.load();
      await ctx.close();
      ctx = await launchPersistentChromium(dir);
      try {
        page = await openPage(ctx);
        s = await adapter(page, 'disk');
        assert.deepEqual(await s.load(), snapshot);
      } finally {
        await ctx.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two pages enrolling at once lose nothing, and every mutation gets its own version step', T, async () => {
    const context = await browser.newContext();
    try {
      const [pa, pb, pc] = [await openPage(context), await openPage(context), await openPage(context)];
      await adapter(pa, 'concurrent');
      await adapter(pb, 'concurrent');
      // Each page: 40 samples to its own speaker and 40 to the shared one, interleaved, some two at a time.
      const calls = (base, own) => Array.from({ length: 40 }, (_, i) => [
        ['addSamples', own, i % 5 === 0 ? [sample(base + 2 * i), sample(base + 2 * i + 1)] : [sample(base + 2 * i)]],
        ['addSamples', 'shared', [sample(base + 1000 + i)]],
      ]).flat();
      // Both pages start their 4 lanes at the same moment (a margin for a loaded machine: a page that got its call
      // late would run alone, seen once in CI as "did not interleave").
      const startAt = Date.now() + 2000;
      const [ra, rb] = await Promise.all([concurrently(pa, 'concurrent', calls(10000, 'only-a'), 4, startAt),
        concurrently(pb, 'concurrent', calls(20000, 'only-b'), 4, startAt)]);

      // The writes were serialised: the 160 `before` counters are exactly 0..159, each followed by its own +1.
      const steps = [...ra, ...rb].map((r) => [counter(r.before), counter(r.after)]).sort((x, y) => x[0] - y[0]);
      assert.deepEqual(steps, Array.from({ length: 160 }, (_, i) => [i, i + 1]));
      // ... and the two pages really did write in between each other's transactions.
      const writer = [...ra.map((r) => [counter(r.before), 'a']), ...rb.map((r) => [counter(r.before), 'b'])]
        .sort((x, y) => x[0] - y[0]).map(([, w]) => w).join('');
      assert.ok((writer.match(/ab|ba/g) ?? []).length >= 10, `pages did not interleave: ${writer}`);

      const loaded = await (await adapter(pc, 'concurrent')).load();
      assert.equal(counter(loaded.version), 160);
      const byName = Object.fromEntries(loaded.speakers.map((sp) => [sp.name, ids(sp)]));
      assert.deepEqual(Object.keys(byName).sort(), ['only-a', 'only-b', 'shared']);
      const expected = (base) => Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? [base + 2 * i, base + 2 * i + 1] : [base + 2 * i])).flat();
      assert.deepEqual([...byName['only-a']].sort((x, y) => x - y), expected(10000));
      assert.deepEqual([...byName['only-b']].sort((x, y) => x - y), expected(20000));
      const shared = Array.from({ length: 40 }, (_, i) => [11000 + i, 21000 + i]).flat().sort((x, y) => x - y);
      assert.deepEqual([...byName.shared].sort((x, y) => x - y), shared, 'every shared sample exactly once');
      // Samples are listed in commit order: the order of the version steps.
      const commitOrder = [...ra, ...rb].map((r, i) => [counter(r.before), calls(10000, 'only-a').concat(calls(20000, 'only-b'))[i]])
        .filter(([, c]) => c[1] === 'shared').sort((x, y) => x[0] - y[0]).map(([, c]) => c[2][0].createdAt);
      assert.deepEqual(byName.shared, commitOrder);
    } finally {
      await context.close();
    }
  });

  test('a rename in one page while another adds to that speaker loses no sample', T, async () => {
    const context = await browser.newContext();
    try {
      const [pa, pb] = [await openPage(context), await openPage(context)];
      const a = await adapter(pa, 'rename-race');
      const b = await adapter(pb, 'rename-race');
      const seeded = await a.addSamples('shared', [sample(1), sample(2), sample(3)]);
      const base = counter(seeded.after);
      // Page B adds 40 samples one after the other (a few ms apart); page A renames once B has added 10 of them,
      // noticing B's writes through version() (cheap polling).
      const adds = pb.evaluate(async () => {
        const out = [];
        for (let i = 0; i < 40; i++) {
          const r = await window.idb.call('rename-race', 'addSamples', 'shared', [{ embedding: { $f32: Array(8).fill(i) },
            durationSec: 1, speechSec: 1, createdAt: 100 + i }]);
          out.push(r);
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
        return out;
      });
      const rename = pa.evaluate(async ([from, n]) => {
        for (;;) {
          const v = (await window.idb.call('rename-race', 'version')).ok;
          if (Number(v.split(':')[1]) >= n) return window.idb.call('rename-race', 'rename', from, 'renamed');
        }
      }, ['shared', base + 10]);
      const [addResults, renameResult] = await Promise.all([adds, rename]);
      const r = unwrap(renameResult);
      const added = addResults.map(unwrap);
      const loaded = await b.load();
      const byName = Object.fromEntries(loaded.speakers.map((sp) => [sp.name, ids(sp)]));
      // Adds committed before the rename moved with it; later ones re-enrolled 'shared' (at the end).
      const R = counter(r.before);
      const early = added.map((x, i) => [x, 100 + i]).filter(([x]) => counter(x.after) <= R).map(([, id]) => id);
      const late = added.map((x, i) => [x, 100 + i]).filter(([x]) => counter(x.before) > R).map(([, id]) => id);
      assert.equal(early.length + late.length, 40, 'no add straddles the rename');
      assert.ok(early.length >= 10 && late.length >= 1, `the rename landed mid-way (early ${early.length}, late ${late.length})`);
      assert.deepEqual(names(loaded), ['renamed', 'shared']);
      assert.deepEqual(byName.renamed, [1, 2, 3, ...early]);
      assert.deepEqual(byName.shared, late);
      assert.equal(counter(loaded.version), base + 41);
    } finally {
      await context.close();
    }
  });

  test('version tokens: another page\'s write changes version() and the next mutation\'s `before`', T, async () => {
    const context = await browser.newContext();
    try {
      const [pa, pb] = [await openPage(context), await openPage(context)];
      const a = await adapter(pa, 'tokens');
      const b = await adapter(pb, 'tokens');
      const cached = (await a.load()).version;   // what a SpeakerId in page A would keep
      const mine = await a.addSamples('alice', [sample(1)]);
      assert.equal(mine.before, cached, 'nobody wrote in between: apply locally');
      const theirs = await b.addSamples('bob', [sample(2)]);
      assert.equal(theirs.before, mine.after);
      assert.equal(await a.version(), theirs.after);
      const next = await a.addSamples('alice', [sample(3)]);
      assert.notEqual(next.before, mine.after, 'page B wrote in between: page A must reload');
      assert.equal(next.before, theirs.after);
    } finally {
      await context.close();
    }
  });

  test('another tab deleting the database is not blocked; this tab reconnects to a fresh, rebound database', T, async () => {
    const context = await browser.newContext();
    try {
      const [pa, pb] = [await openPage(context), await openPage(context)];
      const a = await adapter(pa, 'deleted');
      await a.addSamples('alice', [sample(1)]);
      const old = await a.version();
      const del = unwrap(await pb.evaluate((n) => window.idb.deleteDb(n), DB('deleted')));
      assert.equal(del.blocked, false, 'page A closed its connection on versionchange');
      const loaded = await a.load();
      assert.deepEqual(loaded.speakers, []);
      assert.notEqual(instance(loaded.version), instance(old), 'a recreated database never reuses old tokens');
      await a.addSamples('bob', [sample(2)]);
      assert.deepEqual((await inspect(pb, DB('deleted'))).meta.model, MODEL);
    } finally {
      await context.close();
    }
  });

  test('an aborted transaction (quota exceeded) rejects with StoreError and writes nothing', T, async () => {
    const context = await browser.newContext();
    try {
      const page = await openPage(context);
      // Chromium applies a quota override only before the origin's first IndexedDB write, so set it first.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.origin, quotaSize: 1024 * 1024 });
      const big = { id: 'big-model', sha256: 'd'.repeat(64), dim: 4096 };   // 16 KiB per sample
      const s = await adapter(page, 'quota', big);
      await s.addSamples('alice', [sample(1, 4096)]);
      const snapshot = await s.load();
      const many = Array.from({ length: 128 }, (_, i) => sample(100 + i, 4096));   // 2 MiB in one transaction
      await rejects(s.addSamples('bob', many), 'StoreError', 'store_error');
      assert.deepEqual(await s.load(), snapshot);
      assert.equal(await s.version(), snapshot.version);
      // With room again the store works (Chromium may keep counting the aborted bytes in the origin's usage).
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.origin });
      await s.addSamples('bob', many.slice(0, 2));
      assert.deepEqual(names(await s.load()), ['alice', 'bob']);
    } finally {
      await context.close();
    }
  });

  test('works in a module worker, sharing the database with the page', T, async () => {
    const context = await browser.newContext();
    try {
      const page = await openPage(context);
      const inWorker = async (...args) => unwrap(await page.evaluate((a) => window.idb.inWorker(...a), args));
      await inWorker('open', 'w', { name: 'worker' }, MODEL);
      const r = await inWorker('call', 'w', 'addSamples', 'alice', [sample(1)]);
      const s = await adapter(page, 'worker');
      const loaded = await s.load();
      assert.equal(loaded.version, r.after);
      assert.deepEqual(loaded.speakers, [{ name: 'alice', samples: [sample(1)] }]);
      const mine = await s.addSamples('bob', [sample(2)]);
      assert.equal(await inWorker('call', 'w', 'version'), mine.after);
      assert.deepEqual(names(await inWorker('call', 'w', 'load')), ['alice', 'bob']);
    } finally {
      await context.close();
    }
  });
});

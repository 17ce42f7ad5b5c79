// Deno: what the Deno KV store does at Deno KV's limits and with its own key layout (tests/js/deno-kv-store.test.mjs).
// Args: DIR (temporary). Prints one JSON line of observations; the Node test asserts on them.
import { createDenoKvStore } from '../../web/src/stores/deno-kv-store.mjs';

const [dir] = Deno.args;
const MODEL = { id: 'limits-model', sha256: 'b1'.repeat(32), dim: 192 };
const sample = (k) => ({ embedding: new Float32Array(MODEL.dim).map((_, i) => Math.fround((k * 31 + i) / 977)),
  durationSec: k, speechSec: k / 2, createdAt: 1700000000000 + k });
const range = (from, n) => Array.from({ length: n }, (_, i) => from + i);
const errorOf = async (promise) => promise.then(() => null, (e) => ({ code: e.code, message: e.message }));
const keysUnder = async (kv, prefix) => {
  const keys = [];
  for await (const e of kv.list({ prefix })) keys.push(e.key.slice(prefix.length).map(String).join('/'));
  return keys;
};

const kv = await Deno.openKv(`${dir}/limits.kv`);
const prefix = ['speaker-id', 'limits'];
const store = createDenoKvStore(kv, { prefix });
await store.open(MODEL);
const out = {};

// A speaker of many samples, added one call at a time and in bulk: chunks of 64 KiB, loaded back in order.
for (const k of range(0, 100)) await store.addSamples('many', [sample(k)]);
await store.addSamples('many', range(100, 250).map(sample));
out.manyCount = (await store.load()).speakers[0].samples.length;
out.manyInOrder = (await store.load()).speakers[0].samples.every((s, i) => s.createdAt === sample(i).createdAt &&
  s.embedding.every((v, j) => v === sample(i).embedding[j]));
out.chunkKeys = (await keysUnder(kv, prefix)).filter((k) => k.includes('/c/')).length;

// Too large for one atomic operation: refused with StoreError, nothing written, the version stays.
let before = await store.version();
out.hugeAddSamples = await errorOf(store.addSamples('huge', range(0, 1200).map(sample)));
out.hugeAddSpeakers = await errorOf(store.addSpeakers(range(0, 600).map((k) => ({ name: `s${k}`, samples: [sample(k)] }))));
out.hugeReplaceAll = await errorOf(store.replaceAll(range(0, 600).map((k) => ({ name: `s${k}`, samples: [sample(k)] }))));
out.versionKept = (await store.version()) === before;
out.namesAfterRefusals = (await store.load()).speakers.map((s) => s.name);

// remove deletes every chunk; reset moves to a new generation and sweeps the old one.
await store.addSamples('other', [sample(1)]);
await store.remove('many');
out.keysAfterRemove = await keysUnder(kv, prefix);
await store.addSpeakers(range(0, 50).map((k) => ({ name: `b${k}`, samples: [sample(k)] })));
await store.reset();
await new Promise((r) => setTimeout(r, 200));   // the sweep runs after reset resolves
out.keysAfterReset = await keysUnder(kv, prefix);

// A prefix that leaves no room for the store's keys.
out.longPrefix = await errorOf((async () => createDenoKvStore(kv, { prefix: ['speaker-id', 'x'.repeat(1900)] }))());
// The longest prefix accepted holds the longest name.
const longest = createDenoKvStore(kv, { prefix: ['speaker-id', 'x'.repeat(1880)] });
await longest.open(MODEL);
await longest.addSamples('é'.repeat(64), [sample(1)]);
await longest.rename('é'.repeat(64), 'ü'.repeat(64));
out.longestName = (await longest.load()).speakers.map((s) => s.name.length);
// Another model's adapter on the same prefix: refused at open(), and at the next call of an adapter opened
// before the other model bound the prefix.
const early = createDenoKvStore(kv, { prefix: ['speaker-id', 'race'] });
await early.open(MODEL);
const other = createDenoKvStore(kv, { prefix: ['speaker-id', 'race'] });
await other.open({ ...MODEL, sha256: 'b2'.repeat(32) });
await other.addSamples('ann', [sample(1)]);
out.otherModelOpen = await errorOf(createDenoKvStore(kv, { prefix: ['speaker-id', 'race'] }).open(MODEL));
out.otherModelLater = await errorOf(early.addSamples('bob', [sample(2)]));
out.badPrefix = await errorOf((async () => createDenoKvStore(kv, { prefix: 'tenant' }))());
out.notKv = await errorOf((async () => createDenoKvStore({}))());
await store.close();
out.afterClose = await errorOf(store.load());
kv.close();
console.log(JSON.stringify(out));

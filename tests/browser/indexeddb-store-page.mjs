// Test driver for web/src/stores/indexeddb-store.mjs, used by tests/js/indexeddb-store.test.mjs through playwright.
// Loaded by the page it exposes `window.idb`; loaded as a module worker it answers the same calls by message,
// so the adapter is exercised in both kinds of global. Values cross page.evaluate as JSON, so Float32Arrays
// travel as { $f32: [...] } both ways, and errors come back as { error: { name, code, message } }.
import { createIndexedDbStore } from '/web/src/stores/indexeddb-store.mjs';

const stores = new Map();

// Records the mode and durability of every transaction the adapter opens (observation only, the call is unchanged).
const transactions = [];
if (globalThis.IDBDatabase) {
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    transactions.push({ mode: tx.mode, durability: tx.durability });
    return tx;
  };
}

const decode = (v) => {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    if ('$f32' in v) return new Float32Array(v.$f32);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  return v;
};
const encode = (v) => {
  if (v instanceof Float32Array) return { $f32: Array.from(v) };
  if (ArrayBuffer.isView(v)) return { $other: Object.prototype.toString.call(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
};
const wrap = async (fn) => {
  try {
    return { ok: encode(await fn()) };
  } catch (err) {
    return { error: { name: err?.name, code: err?.code, message: String(err?.message ?? err) } };
  }
};
const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

const api = {
  /** Creates adapter `handle` and opens it on `model`. */
  open: (handle, options, model) => wrap(async () => {
    const store = createIndexedDbStore(options);
    stores.set(handle, store);
    await store.open(model);
    return true;
  }),
  /** Creates adapter `handle` without opening it. */
  create: (handle, options) => wrap(() => { stores.set(handle, createIndexedDbStore(options)); return true; }),
  /** Calls `method` of adapter `handle`. */
  call: (handle, method, ...args) => wrap(() => stores.get(handle)[method](...decode(args))),
  /**
   * Runs calls [handle, method, ...args] concurrently in `lanes` chains (each chain waits for its previous call),
   * so that the writes of two pages keep interleaving instead of one page queueing all of its work first.
   * Starts at wall-clock time `startAt` (ms), so that two pages driven by one test start together.
   * Resolves to the results in call order.
   */
  all: async (calls, lanes = calls.length, startAt = 0) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
    const results = new Array(calls.length);
    let next = 0;
    const lane = async () => {
      while (next < calls.length) {
        const i = next++;
        const [handle, method, ...args] = calls[i];
        results[i] = await api.call(handle, method, ...args);
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, calls.length) }, lane));
    return results;
  },
  /** The { mode, durability } of every transaction opened in this global so far. */
  transactions: () => wrap(() => transactions),
  /** The raw records, read with plain IndexedDB (no adapter): keys, speaker fields, meta. */
  inspect: (dbName) => wrap(async () => {
    const db = await request(indexedDB.open(dbName));
    try {
      const tx = db.transaction(['samples', 'meta'], 'readonly');
      const [keys, values, metaKeys, metaValues] = await Promise.all([request(tx.objectStore('samples').getAllKeys()),
        request(tx.objectStore('samples').getAll()), request(tx.objectStore('meta').getAllKeys()),
        request(tx.objectStore('meta').getAll())]);
      return { keys, speakers: values.map((v) => v.speaker), embeddingTypes: [...new Set(values.map((v) => v.embedding.constructor.name))],
        meta: Object.fromEntries(metaKeys.map((k, i) => [k, metaValues[i]])) };
    } finally {
      db.close();
    }
  }),
  /** Deletes a database: { blocked: false } once deleted, { blocked: true } at once if an open connection holds it. */
  deleteDb: (dbName) => wrap(() => new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(dbName);
    r.onblocked = () => resolve({ blocked: true });
    r.onsuccess = () => resolve({ blocked: false });
    r.onerror = () => reject(r.error);
  })),
};

if (typeof window === 'undefined') {
  self.onmessage = async ({ data: { id, op, args } }) => self.postMessage({ id, result: await api[op](...args) });
} else {
  let worker = null;
  let next = 0;
  const pending = new Map();
  /** Runs an `api` call inside a module worker (started on first use). */
  api.inWorker = (op, ...args) => {
    if (!worker) {
      worker = new Worker(import.meta.url, { type: 'module' });
      worker.onmessage = ({ data: { id, result } }) => { pending.get(id)(result); pending.delete(id); };
    }
    const id = next++;
    return new Promise((resolve) => { pending.set(id, resolve); worker.postMessage({ id, op, args }); });
  };
  window.idb = api;
  window.idbReady = true;
}

// The IndexedDB store: persists what a SpeakerId's in-wasm gallery holds in the browser's durable storage. It
// implements the adapter interface of store-interface.mjs with the plain IndexedDB API (no DOM, no dependency), so
// it runs in pages, dedicated/shared workers and service workers alike. Usage: README.md in this directory.
//
// Layout: one database per embedding model, named `${name}/${model.id}`, so switching models never mixes profiles.
//   samples  autoIncrement key -> { speaker, embedding: Float32Array, durationSec, speechSec, createdAt }
//            index `speaker`. Samples are listed in key order; speakers in the order of their lowest-key sample.
//   meta     'model'   -> { id, sha256, dim }              written once, when the database is created
//            'version' -> { instance, counter }            the version token is `${instance}:${counter}`
//
// Why one record per sample: two tabs enrolling at once each insert their own records under fresh keys, so neither
// can overwrite the other's samples (a per-speaker or whole-gallery record would need read-modify-write and lose
// the slower tab's write if the read were ever stale). Enrollment order falls out of the keys for free, and a
// rename rewrites only the `speaker` field of the same keys, so the speaker keeps its place.
//
// Guarantees: every mutation is ONE readwrite transaction over `samples` and `meta`. Because every one of them
// writes meta 'version', IndexedDB runs them one at a time across all tabs and workers of the origin, and the
// existence checks (rename, addSpeakers) happen inside that transaction, so they cannot race. The counter is
// bumped in the same transaction, so it moves iff something was committed: a no-op or a refused mutation leaves
// it. A mutation resolves only on the transaction's `complete` event, requested with durability 'strict' (flushed
// to disk, not just to the OS cache; Chrome's default since 121 is 'relaxed'). If the transaction aborts (quota,
// I/O, a refused check) nothing is written and the promise rejects (StoreError, or the refusal's own error).
//
// Version tokens: every mutation returns { before, after }, both read inside its transaction. A SpeakerId that
// caches the token of its last load applies its own change to the wasm gallery when `before` equals its token
// (nobody wrote in between) and then caches `after`; otherwise another tab wrote meanwhile and it reloads. The
// random `instance` part changes when the database is deleted and recreated (site data cleared), so a stale
// counter can never match again by coincidence.
import { InvalidArgumentError, SpeakerIdError, StoreError } from '../errors.mjs';
import { checkModelBinding, modelRecord, speakerExists, unknownSpeaker } from './store-interface.mjs';

const SCHEMA_VERSION = 1;
const SAMPLES = 'samples';
const META = 'meta';
const BY_SPEAKER = 'speaker';

/**
 * An IndexedDB-backed store adapter.
 * @param {{ name?: string, indexedDB?: IDBFactory, blockedTimeoutMs?: number }} [options]
 *   name: database name prefix; indexedDB: the factory (tests, or a worker's own); blockedTimeoutMs: how long open()
 *   waits for connections of another tab that block a schema upgrade before giving up.
 */
export function createIndexedDbStore({ name = 'speaker-id', indexedDB = globalThis.indexedDB,
  blockedTimeoutMs = 10000 } = {}) {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('indexeddb store name must be a non-empty string');
  let model = null;        // set by open()
  let dbName = null;
  let conn = null;         // Promise<IDBDatabase> | null: null after close(), versionchange or a forced close
  let closed = false;

  // (Re)connects lazily: after another tab deleted or upgraded the database we dropped our connection, and the
  // next call reopens it (recreating and rebinding an empty database if it was deleted).
  function connection() {
    if (closed) return Promise.reject(new StoreError('the IndexedDB store is closed'));
    if (!model) return Promise.reject(new StoreError('the IndexedDB store is not open; call open(model) first'));
    if (!conn) {
      conn = connect();
      conn.catch(() => { conn = null; });  // a failed open is retried by the next call
    }
    return conn;
  }

  function connect() {
    return new Promise((resolve, reject) => {
      let request;
      try {
        request = indexedDB.open(dbName, SCHEMA_VERSION);
      } catch (err) {
        reject(storeError(err, 'open'));
        return;
      }
      let timer = null;
      let settled = false;
      const fail = (err) => { if (!settled) { settled = true; clearTimeout(timer); reject(err); } };
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) {
          // Created and bound in the same versionchange transaction: a new database is never seen without its model.
          db.createObjectStore(SAMPLES, { autoIncrement: true }).createIndex(BY_SPEAKER, 'speaker');
          const meta = db.createObjectStore(META);
          meta.put(model, 'model');
          meta.put({ instance: randomId(), counter: 0 }, 'version');
        }
      };
      // Another tab holds an older schema open and does not close it: wait a bit (our own tabs close on
      // versionchange), then report it instead of hanging forever.
      request.onblocked = () => {
        timer ??= setTimeout(() => fail(new StoreError(`IndexedDB database '${dbName}' is held open by another tab ` +
          'running an older version; close or reload the other tabs')), blockedTimeoutMs);
      };
      request.onerror = (event) => {
        event.preventDefault();
        const err = request.error;
        fail(err?.name === 'VersionError'
          ? new StoreError(`IndexedDB database '${dbName}' was upgraded by a newer version of speaker-id; reload the page`)
          : storeError(err, 'open'));
      };
      request.onsuccess = () => {
        const db = request.result;
        if (settled) { db.close(); return; }
        settled = true;
        clearTimeout(timer);
        const mine = conn;
        // Let other tabs upgrade or delete the database: close now, reconnect on our next call.
        db.onversionchange = () => { db.close(); if (conn === mine) conn = null; };
        // The browser closed it (storage cleared, disk error): reconnect on the next call too.
        db.onclose = () => { if (conn === mine) conn = null; };
        resolve(db);
      };
    });
  }

  // Runs `body(stores)` in one transaction and resolves with its result on `complete`. Inside `body`, only await
  // IndexedDB requests (via `req`): awaiting anything else would let the transaction auto-commit half done.
  async function transact(mode, body) {
    // 'strict': resolve only once the data is on disk (Chrome >= 121 defaults to 'relaxed': the OS cache).
    const options = mode === 'readwrite' ? { durability: 'strict' } : undefined;
    const begin = (db) => db.transaction([SAMPLES, META], mode, options);
    let tx;
    try {
      const c = conn;
      try {
        tx = begin(await connection());
      } catch (err) {
        if (err?.name !== 'InvalidStateError') throw err;
        // The connection closed between connection() and here (versionchange, forced close): reconnect once.
        if (conn === c) conn = null;
        tx = begin(await connection());
      }
    } catch (err) {
      throw storeError(err, mode);
    }
    return new Promise((resolve, reject) => {
      let result;
      let refusal = null;  // our own error (unknown speaker, ...), which aborts the transaction
      tx.oncomplete = () => (refusal ? reject(refusal) : resolve(result));
      tx.onabort = () => reject(refusal ?? storeError(tx.error, mode === 'readwrite' ? 'write (nothing was written)' : 'read'));
      (async () => body({ samples: tx.objectStore(SAMPLES), meta: tx.objectStore(META) }))().then(
        (value) => { result = value; },
        (err) => {
          refusal = err instanceof SpeakerIdError ? err : storeError(err, mode);
          try { tx.abort(); } catch { /* already finished or aborting: onabort / oncomplete still fire */ }
        });
    });
  }

  // A mutation: reads the token, runs `change` (which returns false for a no-op, or extra result fields), bumps
  // the counter, all in one transaction.
  function mutate(change) {
    return transact('readwrite', async (stores) => {
      const v = await req(stores.meta.get('version'));
      const before = token(v);
      const out = await change(stores);
      if (out === false) return { before, after: before };
      const next = { instance: v.instance, counter: v.counter + 1 };
      stores.meta.put(next, 'version');
      return { ...(out ?? {}), before, after: token(next) };
    });
  }

  const has = async (samples, speaker) => (await req(samples.index(BY_SPEAKER).getKey(speaker))) !== undefined;

  const putAll = (samples, speaker, list) => {
    for (const s of list) samples.add(record(speaker, s));
  };

  return {
    async open(m) {
      if (closed) throw new StoreError('the IndexedDB store is closed');
      if (!indexedDB) throw new StoreError("IndexedDB is not available here; use the 'memory' store or { file: DIR }");
      if (conn) { const old = conn; conn = null; old.then((db) => db.close(), () => {}); }
      model = modelRecord(m);
      dbName = `${name}/${m.id}`;
      try {
        const stored = await transact('readonly', ({ meta }) => req(meta.get('model')));
        // Every database this adapter creates is bound in its creating transaction: one without a model is not ours.
        if (!stored) throw new StoreError(`IndexedDB database '${dbName}' has no model record; it was left as it is`);
        checkModelBinding(`the IndexedDB database '${dbName}'`, stored, model);
      } catch (err) {
        const c = conn;
        conn = null;
        (await c?.catch(() => null))?.close();
        model = null;
        throw err;
      }
    },

    async load() {
      return transact('readonly', async ({ samples, meta }) => {
        // getAll() returns values in key order: samples in insertion order, speakers by their first sample.
        const [v, values] = await Promise.all([req(meta.get('version')), req(samples.getAll())]);
        const bySpeaker = new Map();  // insertion order = order of each speaker's lowest-key sample
        for (const { speaker, embedding, durationSec, speechSec, createdAt } of values) {
          let list = bySpeaker.get(speaker);
          if (!list) bySpeaker.set(speaker, list = []);
          list.push({ embedding, durationSec, speechSec, createdAt });
        }
        return { version: token(v), speakers: [...bySpeaker].map(([n, s]) => ({ name: n, samples: s })) };
      });
    },

    async version() {
      return token(await transact('readonly', ({ meta }) => req(meta.get('version'))));
    },

    async addSamples(speaker, samples) {
      return mutate(({ samples: store }) => { putAll(store, speaker, samples); });
    },

    async remove(speaker) {
      return mutate(async ({ samples }) => {
        const keys = await req(samples.index(BY_SPEAKER).getAllKeys(speaker));
        if (keys.length === 0) return false;
        for (const key of keys) samples.delete(key);
        return { removed: true };
      }).then((r) => ({ removed: false, ...r }));
    },

    async rename(from, to) {
      return mutate(async ({ samples }) => {
        const index = samples.index(BY_SPEAKER);
        const [keys, values] = await Promise.all([req(index.getAllKeys(from)), req(index.getAll(from))]);
        if (keys.length === 0) throw unknownSpeaker(from);
        if (from === to) return false;
        if (await has(samples, to)) throw speakerExists(to);
        // Same keys, new name: the speaker keeps its place in the enrollment order.
        keys.forEach((key, i) => samples.put({ ...values[i], speaker: to }, key));
      });
    },

    async reset() {
      return mutate(({ samples }) => { samples.clear(); });
    },

    async replaceAll(speakers) {
      return mutate(({ samples }) => {
        samples.clear();
        for (const s of speakers) putAll(samples, s.name, s.samples);
      });
    },

    async addSpeakers(speakers) {
      return mutate(async ({ samples }) => {
        for (const s of speakers) if (await has(samples, s.name)) throw speakerExists(s.name);
        for (const s of speakers) putAll(samples, s.name, s.samples);
      });
    },

    async close() {
      closed = true;
      const c = conn;
      conn = null;
      if (c) (await c.catch(() => null))?.close();
    },
  };
}

// --- helpers ---------------------------------------------------------------------------------------------------

function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const token = (v) => `${v.instance}:${v.counter}`;

function randomId() {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function storeError(err, what) {
  if (err instanceof StoreError) return err;
  if (err?.name === 'QuotaExceededError') {
    return new StoreError(`IndexedDB ${what} failed: the storage quota is exceeded; free space or remove speakers`);
  }
  return new StoreError(`IndexedDB ${what} failed: ${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`);
}

// A copy in its own buffer: structured clone would otherwise store the whole ArrayBuffer behind a view (e.g. all of
// wasm memory), and the caller may reuse its array after we return.
function record(speaker, s) {
  return { speaker, embedding: new Float32Array(s.embedding), durationSec: s.durationSec, speechSec: s.speechSec,
    createdAt: s.createdAt };
}

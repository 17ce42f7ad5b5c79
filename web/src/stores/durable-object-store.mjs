// The Durable Object store (Cloudflare): the adapter interface of store-interface.mjs over a SQLite-backed Durable
// Object's `ctx.storage`, so one object per tenant keeps that tenant's enrollments.
//
// Why the synchronous KV API (`storage.kv` inside `storage.transactionSync`): a mutation's reads, checks and writes
// then run without a single await, so no other request to the object can interleave with them, and a refusal thrown
// half way rolls the transaction back. `await storage.sync()` afterwards resolves once the write is on disk, so a
// mutation resolves only when durable (the object's output gate would otherwise only hold back its next response).
//
// Layout (every key starts with `prefix`, so several stores can share one object's storage):
//   model                 { id, sha256, dim }           written by the first open()
//   version               { instance, counter }         the token is `${instance}:${counter}`; bumped by every commit
//   next                  the next speaker number (never reused, so a removed speaker's keys are never recycled)
//   spk:<number, 12 hex>  { name, count }               one per speaker; key order = enrollment order
//   name:<name>           <number>                      the name index (existence checks without a scan)
//   smp:<number>:<index, 8 hex>  { embedding, durationSec, speechSec, createdAt }
// One key per sample keeps every value far below the 128 KiB value limit whatever a speaker's sample count; a
// rename rewrites two small keys and keeps the speaker's number, hence its place. The random `instance` changes
// when the object's storage is wiped (deleteAll), so a stale cached token cannot match again by coincidence.
import { InvalidArgumentError, StoreError } from '../errors.mjs';
import { checkModelBinding, modelRecord, speakerExists, unknownSpeaker } from './store-interface.mjs';

const hex = (n, width) => n.toString(16).padStart(width, '0');
const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => hex(b, 2)).join('');
const token = (v) => `${v.instance}:${v.counter}`;
// A compact copy: V8's serializer stores a view's whole underlying buffer, and the caller may reuse its array.
const sampleRecord = (s) => ({ embedding: Float32Array.from(s.embedding), durationSec: s.durationSec,
  speechSec: s.speechSec, createdAt: s.createdAt });

/**
 * A store adapter over a SQLite-backed Durable Object's storage (`this.ctx.storage` in the class).
 * @param {DurableObjectStorage} storage
 * @param {{ prefix?: string }} [options] prefix of every key it writes (default 'sid:')
 */
export function createDurableObjectStore(storage, { prefix = 'sid:' } = {}) {
  if (typeof storage?.transactionSync !== 'function' || typeof storage?.kv?.get !== 'function') {
    throw new InvalidArgumentError('createDurableObjectStore(storage): storage must be the `ctx.storage` of a ' +
      'SQLite-backed Durable Object (a `new_sqlite_classes` migration), which has `kv` and `transactionSync`');
  }
  if (typeof prefix !== 'string') throw new InvalidArgumentError('createDurableObjectStore: prefix must be a string');
  const K = {
    model: `${prefix}model`, version: `${prefix}version`, next: `${prefix}next`,
    spk: `${prefix}spk:`, name: `${prefix}name:`, smp: `${prefix}smp:`,
  };
  const where = `the Durable Object store (prefix '${prefix}')`;
  const { kv } = storage;
  let bound = false;
  let closed = false;

  const ready = () => {
    if (closed) throw new StoreError(`${where} is closed`);
    if (!bound) throw new StoreError(`${where} is not open; call open(model) first`);
  };
  const keys = (p) => Array.from(kv.list({ prefix: p }), ([k]) => k);
  const spkKey = (n) => `${K.spk}${hex(n, 12)}`;
  const smpPrefix = (n) => `${K.smp}${hex(n, 12)}:`;

  function append(name, samples) {
    let n = kv.get(K.name + name);
    let entry;
    if (n === undefined) {
      n = kv.get(K.next) ?? 0;
      kv.put(K.next, n + 1);
      kv.put(K.name + name, n);
      entry = { name, count: 0 };
    } else {
      entry = kv.get(spkKey(n));
    }
    for (const s of samples) kv.put(`${smpPrefix(n)}${hex(entry.count++, 8)}`, sampleRecord(s));
    kv.put(spkKey(n), entry);
  }

  function clear() {
    for (const p of [K.spk, K.name, K.smp]) for (const k of keys(p)) kv.delete(k);
  }

  // One synchronous transaction: `change()` throws a refusal (rolled back, nothing written), returns false for a
  // no-op, or extra result fields. The counter moves iff something was committed.
  async function mutate(change) {
    ready();
    let result;
    try {
      result = storage.transactionSync(() => {
        const v = kv.get(K.version);
        const before = token(v);
        const out = change();
        if (out === false) return { before, after: before };
        const next = { instance: v.instance, counter: v.counter + 1 };
        kv.put(K.version, next);
        return { ...(out ?? {}), before, after: token(next) };
      });
    } catch (err) {
      throw err?.code ? err : new StoreError(`${where}: the write failed, nothing was written (${err?.message ?? err})`);
    }
    await storage.sync();
    return result;
  }

  return {
    async open(wanted) {
      if (closed) throw new StoreError(`${where} is closed`);
      const created = storage.transactionSync(() => {
        const stored = kv.get(K.model);
        if (stored) {
          checkModelBinding(where, stored, wanted);
          return false;
        }
        kv.put(K.model, modelRecord(wanted));
        if (kv.get(K.version) === undefined) kv.put(K.version, { instance: randomId(), counter: 0 });
        return true;
      });
      if (created) await storage.sync();
      bound = true;
    },

    async load() {
      ready();
      return storage.transactionSync(() => {
        const bySpeaker = new Map();
        for (const [k, s] of kv.list({ prefix: K.smp })) {
          const n = k.slice(K.smp.length, K.smp.length + 12);
          if (!bySpeaker.has(n)) bySpeaker.set(n, []);
          bySpeaker.get(n).push(s);  // list() is in key order: sample order
        }
        const speakers = Array.from(kv.list({ prefix: K.spk }),
          ([k, e]) => ({ name: e.name, samples: bySpeaker.get(k.slice(K.spk.length)) ?? [] }));
        return { version: token(kv.get(K.version)), speakers };
      });
    },

    async version() {
      ready();
      return token(kv.get(K.version));
    },

    addSamples: (name, samples) => mutate(() => append(name, samples)),

    async remove(name) {
      let removed = false;
      const r = await mutate(() => {
        const n = kv.get(K.name + name);
        if (n === undefined) return false;
        for (const k of keys(smpPrefix(n))) kv.delete(k);
        kv.delete(spkKey(n));
        kv.delete(K.name + name);
        removed = true;
        return undefined;
      });
      return { ...r, removed };
    },

    rename: (from, to) => mutate(() => {
      const n = kv.get(K.name + from);
      if (n === undefined) throw unknownSpeaker(from);
      if (from === to) return false;
      if (kv.get(K.name + to) !== undefined) throw speakerExists(to);
      kv.put(spkKey(n), { ...kv.get(spkKey(n)), name: to });
      kv.delete(K.name + from);
      kv.put(K.name + to, n);
      return undefined;
    }),

    reset: () => mutate(() => clear()),

    replaceAll: (speakers) => mutate(() => {
      clear();
      for (const sp of speakers) append(sp.name, sp.samples);
    }),

    addSpeakers: (speakers) => mutate(() => {
      const clash = speakers.find((sp) => kv.get(K.name + sp.name) !== undefined);
      if (clash) throw speakerExists(clash.name);
      for (const sp of speakers) append(sp.name, sp.samples);
    }),

    async close() {
      closed = true;
    },
  };
}

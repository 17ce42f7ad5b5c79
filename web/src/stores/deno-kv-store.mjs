// The Deno KV store: the adapter interface of store-interface.mjs over a `Deno.Kv` the caller opened
// (`await Deno.openKv(path)` locally, `await Deno.openKv()` on Deno Deploy). One KV may hold many stores, each
// under its own key prefix (e.g. ['speaker-id', tenant]). This module imports nothing Deno-specific: it only
// calls methods of the `kv` it is given, so it loads anywhere and `speaker-id/stores` stays portable.
//
// Keys, under `prefix` (P):
//   P + ['head']                     { format: 1, model: { id, sha256, dim }, gen, next }
//   P + ['g', gen, 's', seq]         { name, count }      a speaker; seq = its place in enrollment order
//   P + ['g', gen, 'n', name]        seq                  the name index (existence checks, addSamples)
//   P + ['g', gen, 'c', seq, k]      Uint8Array           samples k*PER .. of speaker seq, packed (below)
// `gen` (a number) is the generation of the content: reset and replaceAll write a new generation and move the head
// to it in one atomic operation, so they never have to delete a large store inside that operation; the old
// generation's keys are invisible from then on and deleted afterwards, in batches (a crash leaves them to the next
// reset or replaceAll, which sweeps every generation below the current one). `next` is the next free seq.
// A sample is packed as f64 durationSec, f64 speechSec, f64 createdAt, then dim x f32 embedding bits, little-endian
// (24 + 4 dim bytes); a chunk holds PER = floor(65536 / that) samples, the last one of a speaker fewer.
// Packing (not a structured value) keeps sizes exact, so chunks fill the 64 KiB value limit and no more, and the
// float32 bits and float64 numbers come back exactly.
//
// Atomicity and concurrency: every mutation reads the head (and what it needs), then commits ONE
// `kv.atomic()` that checks the head's versionstamp and rewrites the head. So mutations of all processes and
// isolates sharing the KV are serialised by the head: a commit whose reads went stale fails its check, writes
// nothing, and the mutation starts over from a fresh read (optimistic concurrency; up to MAX_ATTEMPTS times, with
// a growing random backoff, then StoreError). Nothing one writer commits is lost by another. A commit resolves
// once Deno KV has made it durable (SQLite commit locally; Deploy's strong consistency). Locally, processes
// sharing one KV file meet SQLite's lock: "database is locked" means the operation did not run, so reads and
// commits that meet it are retried the same way (BUSY_ATTEMPTS times, backoff up to BUSY_BACKOFF_MS).
//
// Version token: the head's versionstamp (a string; Deno KV versionstamps only grow, so no earlier token comes
// back), or EMPTY while the prefix holds no head yet. open() writes nothing: the first mutation binds the model,
// so reads of a tenant that never enrolled leave the KV untouched. load() reads the head, lists the generation and
// re-reads the head: if a commit came in between, it reads again, so a snapshot is always one committed state.
//
// Limits (Deno KV's, as of Deno 2: a value <= 64 KiB, a key <= 2 KiB, one atomic operation <= 1000 mutations,
// 800 KiB of keys + values, 80 KiB of keys, 100 checks):
//   - samples are split over chunks, so a speaker may hold any number of samples; dim may be up to 16,378;
//   - one mutation is one atomic operation, so it must fit in one: addSamples of up to ~800 samples (dim 192) per
//     call, addSpeakers / replaceAll of up to ~330 one-sample speakers per call (3 keys each). A larger one is
//     refused with StoreError ("too large for one Deno KV atomic operation ... import it in parts") and writes
//     nothing: import a large profile blob in parts with mode 'merge'. remove, rename and reset always fit;
//   - a prefix too long to leave room for the store's keys (2 KiB in all; names are at most 128 bytes) is refused
//     by createDenoKvStore with InvalidArgumentError.
// close() ends this adapter only: the caller owns `kv` and closes it.
import { InvalidArgumentError, SpeakerIdError, StoreError } from '../errors.mjs';
import { checkModelBinding, modelRecord, speakerExists, unknownSpeaker } from './store-interface.mjs';

const FORMAT = 1;
export const EMPTY = 'empty';            // the token of a prefix without a head
const MAX_VALUE_BYTES = 65536;
const SAMPLE_HEAD_BYTES = 24;
const MAX_ATTEMPTS = 64;
const BUSY_ATTEMPTS = 200;
const BUSY_BACKOFF_MS = 50;
const SWEEP_BATCH = 500;                 // deletes per atomic operation when sweeping old generations,
const SWEEP_KEY_BYTES = 40000;           // and their keys' bytes (at most 80 KiB per operation)
const KEY_PART_TYPES = ['string', 'number', 'bigint', 'boolean'];

// A key's encoded size in Deno KV (FoundationDB's tuple layer: a type byte, the bytes with every zero byte
// escaped, a terminator; numbers 9 bytes, bigints up to 10 + their bytes, booleans 1).
const escaped = (bytes) => 2 + bytes.length + bytes.filter((b) => b === 0).length;
const keyBytes = (key) => key.reduce((n, p) => n + (typeof p === 'string' ? escaped(new TextEncoder().encode(p))
  : p instanceof Uint8Array ? escaped(p) : typeof p === 'number' ? 9 : typeof p === 'boolean' ? 1
    : 10 + Math.ceil(p.toString(16).length / 2)), 0);
const MAX_KEY_BYTES = 2048;
// The longest key after the prefix: 'g', gen, 'n', a name of 128 bytes.
const LONGEST_SUFFIX = keyBytes(['g', 0, 'n', 'x'.repeat(128)]);
const sampleBytes = (dim) => SAMPLE_HEAD_BYTES + 4 * dim;

/** Packs samples[from, to) into one chunk value. */
function packSamples(samples, dim) {
  const size = sampleBytes(dim);
  const out = new Uint8Array(size * samples.length);
  const dv = new DataView(out.buffer);
  samples.forEach((s, i) => {
    const at = i * size;
    dv.setFloat64(at, s.durationSec, true);
    dv.setFloat64(at + 8, s.speechSec, true);
    dv.setFloat64(at + 16, s.createdAt, true);
    // The bits, not the values: a copy through numbers could canonicalise a NaN.
    const bits = new Uint32Array(s.embedding.buffer, s.embedding.byteOffset, dim);
    for (let j = 0; j < dim; j++) dv.setUint32(at + SAMPLE_HEAD_BYTES + 4 * j, bits[j], true);
  });
  return out;
}

function unpackSamples(bytes, dim, where) {
  const size = sampleBytes(dim);
  if (!(bytes instanceof Uint8Array) || bytes.length % size !== 0) {
    throw new StoreError(`Deno KV store ${where}: a sample chunk is not a whole number of ${size}-byte samples; ` +
      'the store is damaged or was written by something else');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let at = 0; at < bytes.length; at += size) {
    const embedding = new Float32Array(dim);
    const bits = new Uint32Array(embedding.buffer);
    for (let j = 0; j < dim; j++) bits[j] = dv.getUint32(at + SAMPLE_HEAD_BYTES + 4 * j, true);
    out.push({ embedding, durationSec: dv.getFloat64(at, true), speechSec: dv.getFloat64(at + 8, true),
      createdAt: dv.getFloat64(at + 16, true) });
  }
  return out;
}

function checkPrefix(prefix) {
  const ok = Array.isArray(prefix) && prefix.every((p) => KEY_PART_TYPES.includes(typeof p) || p instanceof Uint8Array);
  if (!ok) {
    throw new InvalidArgumentError('Deno KV store prefix must be an array of key parts (string, number, bigint, ' +
      `boolean, Uint8Array), e.g. ['speaker-id', tenant]; got ${String(prefix)}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt, cap) => sleep(Math.random() * Math.min(cap, 2 ** attempt));
const isBusy = (err) => /database is locked|database table is locked|SQLITE_BUSY/i.test(err?.message ?? '');

// Runs `fn` (one KV call) again while another process holds the SQLite lock of a local KV file.
async function unlocked(fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || attempt >= BUSY_ATTEMPTS) {
        throw err instanceof SpeakerIdError ? err : new StoreError(`Deno KV failed (${err?.message ?? err})`);
      }
      await backoff(attempt, BUSY_BACKOFF_MS);
    }
  }
}

/**
 * A store adapter over `kv` (a Deno.Kv, opened and closed by the caller), keeping its keys under `prefix`.
 * @param {Deno.Kv} kv
 * @param {{ prefix?: Deno.KvKey }} [options]
 */
export function createDenoKvStore(kv, { prefix = ['speaker-id'] } = {}) {
  if (!kv || typeof kv.atomic !== 'function' || typeof kv.get !== 'function' || typeof kv.list !== 'function') {
    throw new InvalidArgumentError('createDenoKvStore needs a Deno.Kv (await Deno.openKv(path)) as its first argument');
  }
  checkPrefix(prefix);
  if (keyBytes(prefix) + LONGEST_SUFFIX > MAX_KEY_BYTES) {
    throw new InvalidArgumentError(`Deno KV store prefix is ${keyBytes(prefix)} bytes long encoded; at most ` +
      `${MAX_KEY_BYTES - LONGEST_SUFFIX} leave room for the store's keys (Deno KV keys are at most ${MAX_KEY_BYTES} bytes)`);
  }
  // The reads, retried while another process holds a local KV file's lock; a listing is read whole.
  const db = {
    get: (key) => unlocked(() => kv.get(key)),
    getMany: (keys) => unlocked(() => kv.getMany(keys)),
    list: (selector) => unlocked(async () => {
      const out = [];
      for await (const e of kv.list(selector)) out.push(e);
      return out;
    }),
  };
  const P = [...prefix];
  const where = JSON.stringify(P);
  const HEAD = [...P, 'head'];
  const gKey = (gen, ...rest) => [...P, 'g', gen, ...rest];
  let model = null;
  let closed = false;

  const ready = () => {
    if (closed) throw new StoreError(`Deno KV store ${where} is closed`);
    if (!model) throw new StoreError(`Deno KV store ${where} is not open; call open(model) first`);
  };
  const perChunk = () => Math.floor(MAX_VALUE_BYTES / sampleBytes(model.dim));

  // The head entry, checked against our model: another adapter may have bound the prefix since our open().
  async function readHead() {
    const entry = await db.get(HEAD);
    if (entry.value !== null) {
      if (entry.value?.format !== FORMAT) {
        throw new StoreError(`Deno KV store ${where} has a head of format ${entry.value?.format}, this version reads ` +
          `format ${FORMAT}; use the speaker-id version that wrote it, or another prefix`);
      }
      checkModelBinding(`the Deno KV store ${where}`, entry.value.model, model);
    }
    return entry;
  }
  const tokenOf = (entry) => entry.versionstamp ?? EMPTY;
  const freshHead = () => ({ format: FORMAT, model: { ...model }, gen: 0, next: 0 });

  // Runs `plan(head, headValue)` until its commit lands. `plan` reads what it needs and returns
  // { op: an atomic operation without the head check, head: the new head value, result } to commit, or
  // { result } for a no-op; it throws a refusal (which then writes nothing).
  async function mutate(plan) {
    ready();
    for (let attempt = 0, busy = 0; attempt < MAX_ATTEMPTS;) {
      const head = await readHead();
      const value = head.value ?? freshHead();
      const step = await plan(value);
      if (!step.op) return { before: tokenOf(head), after: tokenOf(head), ...step.result };
      step.op.check({ key: HEAD, versionstamp: head.versionstamp }).set(HEAD, step.head);
      let committed;
      try {
        committed = await step.op.commit();
      } catch (err) {
        if (!isBusy(err) || busy >= BUSY_ATTEMPTS) throw refusedByKv(err);
        await backoff(busy++, BUSY_BACKOFF_MS);   // it did not run: plan it again
        continue;
      }
      if (committed.ok) {
        if (step.after) step.after(step.head).catch(() => {});  // best-effort cleanup; never fails the mutation
        return { before: tokenOf(head), after: committed.versionstamp, ...step.result };
      }
      // Another writer committed since our reads: read again.
      await backoff(attempt++, 100);
    }
    throw new StoreError(`Deno KV store ${where}: ${MAX_ATTEMPTS} attempts in a row lost to concurrent writers; ` +
      'nothing was written, try again');
  }

  // Deno KV refuses an operation over its limits (or a failing backend) with a plain error, having written nothing.
  function refusedByKv(err) {
    if (err instanceof SpeakerIdError) return err;
    const msg = err?.message ?? String(err);
    if (/too large|too many/i.test(msg)) {
      return new StoreError(`Deno KV store ${where}: this change is too large for one Deno KV atomic operation ` +
        `(${msg}); nothing was written. A mutation may hold up to 1000 keys and 800 KiB: import it in parts ` +
        "(mode 'merge'), or enroll fewer samples per call");
    }
    return new StoreError(`Deno KV store ${where}: the commit failed (${msg}); nothing was written`);
  }

  // The speaker entries and chunks of a generation, as Speaker records in enrollment order.
  async function readGeneration(gen) {
    const speakers = new Map();   // seq -> { name, count, chunks: [] }
    const chunks = [];
    for (const e of await db.list({ prefix: gKey(gen) })) {
      const [kind, seq, k] = e.key.slice(P.length + 2);
      if (kind === 's') speakers.set(seq, { name: e.value.name, count: e.value.count, chunks: [] });
      else if (kind === 'c') chunks.push([seq, k, e.value]);
    }
    for (const [seq, , bytes] of chunks) speakers.get(seq)?.chunks.push(bytes);  // keys come in (seq, k) order
    return [...speakers.values()].map((sp) => {
      const samples = sp.chunks.flatMap((c) => unpackSamples(c, model.dim, where));
      if (samples.length !== sp.count) {
        throw new StoreError(`Deno KV store ${where}: speaker '${sp.name}' should hold ${sp.count} samples, ` +
          `${samples.length} were found; the store is damaged`);
      }
      return { name: sp.name, samples };
    });
  }

  // Adds the keys of new speakers at seq next, next+1, ... to `op`; returns the next free seq.
  function putSpeakers(op, gen, next, speakers) {
    const per = perChunk();
    for (const sp of speakers) {
      const seq = next++;
      op.set(gKey(gen, 's', seq), { name: sp.name, count: sp.samples.length });
      op.set(gKey(gen, 'n', sp.name), seq);
      for (let k = 0; k * per < sp.samples.length; k++) {
        op.set(gKey(gen, 'c', seq, k), packSamples(sp.samples.slice(k * per, (k + 1) * per), model.dim));
      }
    }
    return next;
  }

  // Deletes every generation below `gen` (invisible since the head moved past them), a batch per operation.
  async function sweep(head) {
    let batch = [];
    let bytes = 0;
    const flush = async () => {
      const op = kv.atomic();
      for (const key of batch) op.delete(key);
      batch = [];
      bytes = 0;
      await unlocked(() => op.commit());
    };
    for (const e of await db.list({ start: [...P, 'g'], end: gKey(head.gen) })) {
      batch.push(e.key);
      bytes += keyBytes(e.key);
      if (batch.length === SWEEP_BATCH || bytes > SWEEP_KEY_BYTES) await flush();
    }
    if (batch.length) await flush();
  }

  // A new generation holding `speakers`; the old ones are swept once the head points at it.
  const replaceWith = (speakers) => mutate(async (head) => {
    const op = kv.atomic();
    const gen = head.gen + 1;
    const next = putSpeakers(op, gen, 0, speakers);
    return { op, head: { ...head, gen, next }, after: sweep };
  });

  return {
    async open(wanted) {
      if (closed) throw new StoreError(`Deno KV store ${where} is closed`);
      const m = modelRecord(wanted);
      if (!(Number.isInteger(m.dim) && m.dim > 0 && sampleBytes(m.dim) <= MAX_VALUE_BYTES)) {
        throw new StoreError(`Deno KV store ${where}: embeddings of dim ${m.dim} do not fit a Deno KV value ` +
          `(at most ${(MAX_VALUE_BYTES - SAMPLE_HEAD_BYTES) / 4} values)`);
      }
      const previous = model;
      model = m;
      try {
        await readHead();   // refuses another model's store
      } catch (err) {
        model = previous;
        throw err;
      }
    },

    async load() {
      ready();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const head = await readHead();
        if (head.value === null) return { version: EMPTY, speakers: [] };
        const speakers = await readGeneration(head.value.gen);
        const again = await db.get(HEAD);
        if (again.versionstamp === head.versionstamp) return { version: head.versionstamp, speakers };
        await backoff(attempt, 100);   // a commit came in while we listed
      }
      throw new StoreError(`Deno KV store ${where}: no consistent snapshot after ${MAX_ATTEMPTS} reads (writers ` +
        'kept committing); try again');
    },

    async version() {
      ready();
      return tokenOf(await readHead());
    },

    addSamples: (name, samples) => mutate(async (head) => {
      const op = kv.atomic();
      const seq = (await db.get(gKey(head.gen, 'n', name))).value;
      if (seq === null) {
        const next = putSpeakers(op, head.gen, head.next, [{ name, samples }]);
        return { op, head: { ...head, next } };
      }
      // Fill the speaker's last chunk, then new ones.
      const entry = (await db.get(gKey(head.gen, 's', seq))).value;
      const per = perChunk();
      let k = Math.floor(entry.count / per);
      let pending = samples;
      if (entry.count % per !== 0) {
        const last = (await db.get(gKey(head.gen, 'c', seq, k))).value;
        const kept = unpackSamples(last, model.dim, where);
        pending = [...kept, ...samples];
      }
      for (let i = 0; i < pending.length; i += per, k++) {
        op.set(gKey(head.gen, 'c', seq, k), packSamples(pending.slice(i, i + per), model.dim));
      }
      op.set(gKey(head.gen, 's', seq), { name, count: entry.count + samples.length });
      return { op, head };
    }),

    remove: (name) => mutate(async (head) => {
      const seq = (await db.get(gKey(head.gen, 'n', name))).value;
      if (seq === null) return { result: { removed: false } };
      const entry = (await db.get(gKey(head.gen, 's', seq))).value;
      const op = kv.atomic().delete(gKey(head.gen, 'n', name)).delete(gKey(head.gen, 's', seq));
      for (let k = 0; k * perChunk() < entry.count; k++) op.delete(gKey(head.gen, 'c', seq, k));
      return { op, head, result: { removed: true } };
    }),

    rename: (from, to) => mutate(async (head) => {
      const [a, b] = await db.getMany([gKey(head.gen, 'n', from), gKey(head.gen, 'n', to)]);
      if (a.value === null) throw unknownSpeaker(from);
      if (from === to) return {};
      if (b.value !== null) throw speakerExists(to);
      const entry = (await db.get(gKey(head.gen, 's', a.value))).value;
      const op = kv.atomic().delete(gKey(head.gen, 'n', from)).set(gKey(head.gen, 'n', to), a.value)
        .set(gKey(head.gen, 's', a.value), { ...entry, name: to });   // same seq: the speaker keeps its place
      return { op, head };
    }),

    reset: () => replaceWith([]),

    replaceAll: (speakers) => replaceWith(speakers),

    addSpeakers: (speakers) => mutate(async (head) => {
      const names = speakers.map((sp) => gKey(head.gen, 'n', sp.name));
      for (let i = 0; i < names.length; i += 10) {   // getMany reads at most 10 keys
        const found = await db.getMany(names.slice(i, i + 10));
        const clash = found.findIndex((e) => e.value !== null);
        if (clash >= 0) throw speakerExists(speakers[i + clash].name);
      }
      const op = kv.atomic();
      const next = putSpeakers(op, head.gen, head.next, speakers);
      return { op, head: { ...head, next } };
    }),

    async close() { closed = true; },
  };
}

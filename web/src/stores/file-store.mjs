// The file store (Node; the CLI's store): one directory holding one append-only journal, `profiles.sidp`.
//
// Why a journal: a mutation appends one record and fsyncs it, so its cost grows with the change, not with the store
// (rewriting the whole profile blob on every mutation cost ~0.75 s per enrollment at 10,000 speakers). Readers
// replay the records. Pure JS: no wasm core is needed to read or write a store.
//
// Format. Little-endian; embeddings IEEE 754 binary32, the other numbers binary64 (JS numbers, exactly); a string
// is a u16 byte length followed by that many bytes of UTF-8.
//   Header, once per file (58 + N bytes):
//     0     4   magic "SIDJ"
//     4     4   u32 format version: 1
//     8     8   file id: random bytes, new for every file written whole (the first write, each compaction)
//     16    4   u32 dim: values per embedding
//     20    32  the model's sha256, raw bytes
//     52    2   u16 N: byte length of the model id
//     54    N   the model id, UTF-8
//     54+N  4   u32 CRC-32 of bytes [0, 54+N)
//   Then one record per committed mutation (12 + L bytes):
//     0     4   u32 L: byte length of the body
//     4     4   u32 CRC-32 of bytes [0, 4): a damaged length is damage, not mistaken for a torn tail
//     8     L   body: u8 type, then the fields of that type (below)
//     8+L   4   u32 CRC-32 of the body
//   Bodies. A sample is f64 durationSec, f64 speechSec, f64 createdAt, dim x f32 embedding (24 + 4 dim bytes).
//     1 ADD      u32 speaker count; per speaker: string name, u32 sample count, the samples. Appends each speaker's
//                samples, enrolling a new name at the end (addSamples, addSpeakers; a compacted file's one record)
//     2 REMOVE   string name
//     3 RENAME   string from, string to
//     4 REPLACE  as ADD, into an emptied store (replaceAll; reset is a REPLACE of no speaker)
//   Replay applies the records in order; one that does not apply (a rename of an unknown name, ...) is damage.
//   CRC-32 is the IEEE one of src/match/crc32.h (crc32.mjs).
//
// Crash safety:
//   - An append cut short by a crash leaves a torn tail: fewer than 8 bytes, only zero bytes (a file system that
//     grew the file before the data landed), or a record whose checksummed length runs past the end of the file.
//     Readers ignore it; the next writer truncates it under the lock before appending.
//   - Anything else that fails a checksum or does not parse or apply is damage: StoreError "damaged and was left
//     as it is", and no writer touches the file.
//   - A file is written whole (the first write, a compaction) only as a temporary file in the same directory,
//     fsynced and renamed over the journal, then the directory is fsynced: a crash leaves the old or the new file.
//   - Writers (several processes, or hosts sharing a network file system) are serialised by the lock file `.lock`
//     (below). A refused mutation or a no-op writes nothing; an append whose write or fsync fails is truncated away
//     again.
//
// The lock. `.lock` holds its owner record, `pid host nonce proc time\n`: the nonce is 32 random hex digits, new for
// every file created; proc is `<pid namespace>:<boot id>:<start time of the pid>` from /proc (Linux), '-' elsewhere;
// time is when it was created (ISO 8601); an earlier version's `pid host time` has no nonce and its record's hash
// stands in for one. Every file of the protocol (`.lock` and the break markers
// `.lock.break.<nonce>`) is created whole: its record is written to a draft of our own
// (`.lock.draft.<pid>.<nonce>.<host>`), which is then hard-linked under the file's name (EEXIST: it exists). From the
// moment such a file exists it names its owner, so a writer killed at any moment leaves at most a file of an owner
// that is gone, or a draft, and neither blocks anyone.
//   - Gone: the record is of this host and of this pid namespace, and its pid runs no process, or a zombie, or a
//     process started at another time (the pid was reused), or this host booted since. Anything else counts as live,
//     also what this process cannot check: an owner on another host (its pid means nothing here), or in another pid
//     namespace (a container with this host name). A live `.lock` is waited for up to lockTimeoutMs, then StoreError
//     names its owner and since when and says to remove `.lock` if that writer is gone; nothing was written.
//   - Taking over: a file whose owner is gone is removed only by the writer that wins the exclusive creation of the
//     break marker `.lock.break.<the file's nonce>`, and only if, re-read, it still carries that nonce; the winner
//     removes the file, then its marker, and everyone looks again. A marker whose owner is gone is broken by the same
//     rule with the marker's nonce (the recursion only grows with crashes during takeovers).
//   - Release: the owner removes `.lock` if it still carries its nonce (it always does, unless a user removed it by
//     hand meanwhile: then the next owner's lock stays).
//   - Never two owners. Each nonce goes into one creation, which succeeds once at most, so no name ever comes back
//     with a nonce it lost. A file is removed (a) by its owner, or (b) by the winner of its marker right after
//     re-reading that it carries the nonce expected. (a) removes its own file: while the owner is alive nobody
//     judges it gone, so nobody else removes that file. In (b) the owner is gone, and anyone else removing the file
//     would have to hold the same marker at the same time: the marker is created exclusively and, its owner being
//     alive, removed by nobody but that owner, after its unlink. So every unlink removes the file that carried the
//     nonce checked, and the `.lock` of a live owner is removed by nobody but that owner.
//   - Leftovers, removed under a lock we own: drafts of gone writers (names nobody else creates), markers of gone
//     owners (broken by the rule), and compactions' temporary files (only an owner of the lock writes one, so any
//     found under our lock is a dead owner's; a live writer's is never touched).
//   - Network file systems: link() is atomic on NFS, and the re-reads are opens (close-to-open consistency). A link
//     whose reply was lost and resent can answer EEXIST although it was made: the writer then reads its own nonce
//     back and owns the file. Only the host (and pid namespace) of an owner can tell it is gone, and takes it over;
//     writers on other hosts wait for it, then get the StoreError above. Host names must differ between machines
//     sharing a store (a pid of another machine of the same name would be judged here).
//   - Limits: a file system without hard links (FAT, exFAT) gets an exclusive create, then the write, so a kill
//     between the two leaves an empty lock nobody takes over (the StoreError says to remove it). A power loss may
//     leave `.lock` without its record in the same way.
//   - Tests: the environment variable SID_TEST_CRASH_AT=<step> makes a writer SIGKILL itself at that step
//     (lock-draft, lock-linked, locked, break-draft, break-linked, break-claimed, break-removed).
//
// Compaction: when the dead bytes (everything later records overtook) would exceed the live bytes (the size of the
// state written whole), the mutation writes the new state whole (header + one ADD record) instead of appending, after
// re-reading and checking every record, so a damaged journal is never replaced. Dead bytes must grow by the live
// size between two compactions, so their cost is amortised over the appends.
//
// Version token: `${file id}:${end of the last complete record}`; 'empty' before the first write. A commit moves the
// end or, by compacting, changes the file id, so no token ever comes back.
//
// Each adapter keeps a view of the journal (names, where each sample lies, the end): a writer or version() reads
// only what others appended since its last look; load() and compaction read and check the whole file. (Damage to
// bytes a view has already read is found by the next load(), which every SpeakerId does when it opens the store.)
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, SpeakerIdError, StoreError } from '../errors.mjs';
import { crc32 } from './crc32.mjs';
import { checkModelBinding, modelRecord } from './store-interface.mjs';
import { SpeakerRecords } from './speaker-records.mjs';

export const STORE_FILE = 'profiles.sidp';
const LOCK_FILE = '.lock';
const LOCK_DRAFT = `${LOCK_FILE}.draft.`;   // `.lock.draft.<pid>.<nonce>.<host>`: a lock file being created
const LOCK_BREAK = `${LOCK_FILE}.break.`;   // `.lock.break.<nonce>`: the file of that nonce is being taken over
const OLD_DRAFT = `${LOCK_FILE}.`;          // `.lock.<host>.<pid>`: an earlier version's draft
const TMP_PREFIX = `.${STORE_FILE}.`;

const MAGIC = 'SIDJ';
const FORMAT_VERSION = 1;
const HEADER_FIXED = 54;  // header bytes before the model id
const FRAME = 12;         // record bytes besides the body: length, its CRC, the body's CRC
const ADD = 1;
const REMOVE = 2;
const RENAME = 3;
const REPLACE = 4;
const SAMPLE_FIXED = 24;  // durationSec, speechSec, createdAt

const utf8 = new TextEncoder();
// Uninitialised memory as a plain Uint8Array: crc32() and the DataViews then only ever see one array type (mixing
// in Buffers made V8's code for them polymorphic and checksumming 2-3x slower).
const allocBytes = (n) => {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
};
const fromUtf8 = new TextDecoder();
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the lock's owner records (the header's "The lock") -------------------------------------------------------

const HOST = hostname();
const NONCE = /^[0-9a-f]{32}$/;
const PID = /^[1-9][0-9]*$/;

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// A process as /proc shows it (Linux): { state, start (clock ticks after boot) }, or null.
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');   // the fields after the command name: 3, 4, ...
    return { state: f[0], start: f[19] };                         // fields 3 and 22
  } catch {
    return null;
  }
}

// This process: { ns, boot, id: `${ns}:${boot}:${start}` } where /proc tells, else null.
const PROC = (() => {
  try {
    const ns = readlinkSync('/proc/self/ns/pid').replace(/[^0-9]/g, '');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const self = procStat(process.pid);
    return ns && boot && self ? { ns, boot, id: `${ns}:${boot}:${self.start}` } : null;
  } catch {
    return null;
  }
})();

// Tests only: SIGKILL this process on reaching the named step of the lock protocol (tests/js/file-store-lock.test.mjs).
const CRASH_AT = process.env.SID_TEST_CRASH_AT;
const crashPoint = (step) => {
  if (step === CRASH_AT) process.kill(process.pid, 'SIGKILL');
};

const ownerRecord = (nonce) => `${process.pid} ${HOST} ${nonce} ${PROC?.id ?? '-'} ${new Date().toISOString()}\n`;

/** An owner record -> { pid, host, nonce, proc, since }, or null when it names no process. */
function parseOwner(text) {
  const f = text.trim().split(' ');
  if (!PID.test(f[0]) || !f[1]) return null;
  const pid = Number(f[0]);
  if (f.length === 5 && NONCE.test(f[2])) return { pid, host: f[1], nonce: f[2], proc: f[3], since: f[4] };
  // An earlier version's `pid host time`: the record itself stands in for the nonce.
  return { pid, host: f[1], nonce: createHash('sha256').update(text).digest('hex').slice(0, 32), proc: '-',
    since: f.slice(2).join(' ') || 'an unknown time' };
}

/**
 * 'gone' (it will never act again), 'live', or what cannot be checked from here: 'other-host', 'other-ns' (another
 * pid namespace, a container with this host name).
 */
function ownerState(o) {
  if (o.host !== HOST) return 'other-host';
  const known = PROC !== null && o.proc !== '-';
  const [ns, boot, start] = o.proc.split(':');
  if (known && ns !== PROC.ns) return 'other-ns';
  if (known && boot !== PROC.boot) return 'gone';   // written before this host booted
  if (!processAlive(o.pid)) return 'gone';
  const now = procStat(o.pid);
  if (now && (now.state === 'Z' || now.state === 'X')) return 'gone';   // exited, not yet reaped
  if (known && now && now.start !== start) return 'gone';               // the pid now runs another process
  return 'live';
}

function describeOwner(o, state) {
  if (!o) return 'a writer whose owner record cannot be read';
  const who = state === 'other-host' ? `process ${o.pid} on host ${o.host}`
    : state === 'other-ns' ? `process ${o.pid} of another pid namespace (a container) on host ${o.host}`
      : `process ${o.pid} on this host (${o.host})`;
  return `${who}, since ${o.since}`;
}

// ---- encoding ---------------------------------------------------------------------------------------------------

function encodeHeader(model, fileId) {
  const id = utf8.encode(model.id);
  const bytes = new Uint8Array(HEADER_FIXED + id.length + 4);
  const dv = new DataView(bytes.buffer);
  bytes.set(utf8.encode(MAGIC), 0);
  dv.setUint32(4, FORMAT_VERSION, true);
  bytes.set(fileId, 8);
  dv.setUint32(16, model.dim, true);
  for (let i = 0; i < 32; i++) bytes[20 + i] = parseInt(model.sha256.slice(2 * i, 2 * i + 2), 16);
  dv.setUint16(52, id.length, true);
  bytes.set(id, HEADER_FIXED);
  dv.setUint32(HEADER_FIXED + id.length, crc32(bytes.subarray(0, HEADER_FIXED + id.length)), true);
  return bytes;
}

// A record being written: `bytes` holds the frame, the body starts at 8; the writers advance `p`.
class RecordWriter {
  constructor(bodyLength) {
    this.bytes = allocBytes(FRAME + bodyLength);
    this.dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.p = 8;
  }

  u8(v) { this.dv.setUint8(this.p, v); this.p += 1; }
  u32(v) { this.dv.setUint32(this.p, v, true); this.p += 4; }
  string(encoded) { this.dv.setUint16(this.p, encoded.length, true); this.bytes.set(encoded, this.p + 2); this.p += 2 + encoded.length; }

  sample(s, dim) {
    const { dv } = this;
    dv.setFloat64(this.p, s.durationSec, true);
    dv.setFloat64(this.p + 8, s.speechSec, true);
    dv.setFloat64(this.p + 16, s.createdAt, true);
    for (let i = 0, q = this.p + SAMPLE_FIXED; i < dim; i++, q += 4) dv.setFloat32(q, s.embedding[i], true);
    this.p += SAMPLE_FIXED + 4 * dim;
  }

  /** Fills in the length and the checksums; the record's bytes. */
  finish() {
    const body = this.bytes.length - FRAME;
    this.dv.setUint32(0, body, true);
    this.dv.setUint32(4, crc32(this.bytes.subarray(0, 4)), true);
    this.dv.setUint32(8 + body, crc32(this.bytes.subarray(8, 8 + body)), true);
    return this.bytes;
  }
}

const sampleBytes = (dim) => SAMPLE_FIXED + 4 * dim;

/**
 * An ADD or REPLACE record of `speakers` ({ name, samples }). A sample is a Sample record, or (compaction) a number:
 * where its bytes lie, which `copyFrom(offset)` returns.
 */
function speakersRecord(type, speakers, dim, copyFrom) {
  const size = sampleBytes(dim);
  const names = speakers.map((sp) => utf8.encode(sp.name));
  let length = 1 + 4;
  speakers.forEach((sp, i) => { length += 2 + names[i].length + 4 + sp.samples.length * size; });
  const w = new RecordWriter(length);
  w.u8(type);
  w.u32(speakers.length);
  speakers.forEach((sp, i) => {
    w.string(names[i]);
    w.u32(sp.samples.length);
    for (const s of sp.samples) {
      if (typeof s === 'number') {
        w.bytes.set(copyFrom(s), w.p);
        w.p += size;
      } else {
        w.sample(s, dim);
      }
    }
  });
  return w.finish();
}

function namesRecord(type, ...names) {
  const encoded = names.map((n) => utf8.encode(n));
  const w = new RecordWriter(1 + encoded.reduce((n, e) => n + 2 + e.length, 0));
  w.u8(type);
  for (const e of encoded) w.string(e);
  return w.finish();
}

// ---- decoding ---------------------------------------------------------------------------------------------------

class Damage extends Error {}
const damaged = (where, err) => new StoreError(`${where} is damaged and was left as it is: ${err.message}`);

/** The header at the start of `bytes` -> { fileId, model, length }; Damage or StoreError when it is not one. */
function parseHeader(bytes, where) {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'SIDP') {
    throw new StoreError(`${where} holds a profile export (the store format before the journal), not a store; ` +
      'import it into a new store with import-profiles; it was left as it is');
  }
  if (magic !== MAGIC) throw new StoreError(`${where} is not a speaker-id store (bad magic); it was left as it is`);
  if (bytes.length < HEADER_FIXED) throw new Damage('its header is truncated');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = dv.getUint32(4, true);
  if (version !== FORMAT_VERSION) {
    throw new StoreError(`${where} has store format ${version}, this speaker-id reads format ${FORMAT_VERSION}; ` +
      'it was left as it is');
  }
  const idLength = dv.getUint16(52, true);
  const length = HEADER_FIXED + idLength + 4;
  if (bytes.length < length) throw new Damage('its header is truncated');
  if (crc32(bytes.subarray(0, length - 4)) !== dv.getUint32(length - 4, true)) throw new Damage('its header fails its checksum');
  const id = fromUtf8.decode(bytes.subarray(HEADER_FIXED, HEADER_FIXED + idLength));
  return { fileId: hex(bytes.subarray(8, 16)), model: { id, sha256: hex(bytes.subarray(20, 52)), dim: dv.getUint32(16, true) },
    length };
}

/**
 * Checks the records in `bytes` (which hold the file from byte `base` on) and calls onRecord(body, bodyOffset)
 * for each complete one, offsets counted in the file. Returns the end of the last complete record: what follows
 * it is a torn tail. Throws Damage.
 */
function scan(bytes, base, onRecord) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let p = 0;
  while (p < bytes.length) {
    const left = bytes.length - p;
    if (left < 8) break;
    const length = dv.getUint32(p, true);
    if (crc32(bytes.subarray(p, p + 4)) !== dv.getUint32(p + 4, true)) {
      if (bytes.subarray(p).every((b) => b === 0)) break;
      throw new Damage(`the record at byte ${base + p} has a damaged length`);
    }
    if (left < FRAME + length) break;
    const body = bytes.subarray(p + 8, p + 8 + length);
    if (crc32(body) !== dv.getUint32(p + 8 + length, true)) throw new Damage(`the record at byte ${base + p} fails its checksum`);
    onRecord(body, base + p + 8);
    p += FRAME + length;
  }
  return base + p;
}

/**
 * The mutation a record body holds, its samples given as where they lie in the file (`at`: the body's offset):
 * { type, speakers: [{ name, nameBytes, samples }] } | { type: REMOVE, name, nameBytes } |
 * { type: RENAME, from, fromBytes, to, toBytes }. Throws Damage when it does not parse.
 */
function decodeBody(body, at, dim) {
  const dv = new DataView(body.buffer, body.byteOffset, body.length);
  const size = sampleBytes(dim);
  let p = 1;
  const need = (n) => {
    if (p + n > body.length) throw new Damage(`the record at byte ${at - 8} does not parse`);
  };
  const u32 = () => { need(4); p += 4; return dv.getUint32(p - 4, true); };
  const string = () => {
    need(2);
    const n = dv.getUint16(p, true);
    need(2 + n);
    p += 2 + n;
    return [fromUtf8.decode(body.subarray(p - n, p)), n];
  };
  const type = body[0];
  let op;
  if (type === ADD || type === REPLACE) {
    const speakers = [];
    for (let count = u32(); count > 0; count--) {
      const [name, nameBytes] = string();
      const n = u32();
      need(n * size);
      speakers.push({ name, nameBytes, samples: Array.from({ length: n }, (_, i) => at + p + i * size) });
      p += n * size;
    }
    op = { type, speakers };
  } else if (type === REMOVE) {
    const [name, nameBytes] = string();
    op = { type, name, nameBytes };
  } else if (type === RENAME) {
    const [from, fromBytes] = string();
    const [to, toBytes] = string();
    op = { type, from, fromBytes, to, toBytes };
  } else {
    throw new Damage(`the record at byte ${at - 8} has an unknown type ${type}`);
  }
  if (p !== body.length) throw new Damage(`the record at byte ${at - 8} does not parse`);
  return op;
}

function readSample(dv, off, dim) {
  const embedding = new Float32Array(dim);
  for (let i = 0, q = off + SAMPLE_FIXED; i < dim; i++, q += 4) embedding[i] = dv.getFloat32(q, true);
  return { embedding, durationSec: dv.getFloat64(off, true), speechSec: dv.getFloat64(off + 8, true),
    createdAt: dv.getFloat64(off + 16, true) };
}

// ---- the view: what a journal holds, samples as file offsets ----------------------------------------------------

// { fileId, headerLength, end (of the last complete record), size (of the file when last looked at), records
// (SpeakerRecords, samples as offsets), speakerBytes (what the speakers take written whole) }.
const emptyView = () => ({ fileId: null, headerLength: 0, end: 0, size: 0, records: new SpeakerRecords(), speakerBytes: 0 });
const token = (v) => (v.fileId === null ? 'empty' : `${v.fileId}:${v.end}`);
// The size of the state written whole: the header and, unless empty, one ADD record (frame, type, speaker count).
const liveBytes = (v) => v.headerLength + (v.records.size ? FRAME + 5 + v.speakerBytes : 0);

/** Applies a decoded mutation to a view; false when it changed nothing. Refusals throw (store-interface.mjs). */
function apply(v, op, dim) {
  const r = v.records;
  const size = sampleBytes(dim);
  switch (op.type) {
    case REPLACE:
      r.reset();
      v.speakerBytes = 0;
      // falls through: the speakers are then added
    case ADD:
      for (const sp of op.speakers) {
        if (!r.has(sp.name)) v.speakerBytes += 2 + sp.nameBytes + 4;
        v.speakerBytes += sp.samples.length * size;
        r.addSamples(sp.name, sp.samples);
      }
      return true;
    case REMOVE: {
      const n = r.samples(op.name)?.length;
      if (n === undefined) return false;
      r.remove(op.name);
      v.speakerBytes -= 2 + op.nameBytes + 4 + n * size;
      return true;
    }
    case RENAME:
      if (!r.rename(op.from, op.to)) return false;
      v.speakerBytes += op.toBytes - op.fromBytes;
      return true;
  }
}

/** Replays a record found in a journal: one that does not apply was never written by a writer, so it is damage. */
function replay(v, body, at, dim) {
  let applied;
  try {
    applied = apply(v, decodeBody(body, at, dim), dim);
  } catch (err) {
    if (err instanceof Damage) throw err;
    throw new Damage(`the record at byte ${at - 8} does not apply (${err.message})`);
  }
  if (!applied) throw new Damage(`the record at byte ${at - 8} changes nothing`);
}

// ---- files ------------------------------------------------------------------------------------------------------

async function openIfExists(path, flags) {
  try {
    return await open(path, flags);
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

async function readAt(fh, position, length) {
  const bytes = allocBytes(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return bytes.subarray(0, done);
}

async function readHeader(fh, size, where) {
  const fixed = await readAt(fh, 0, Math.min(size, HEADER_FIXED));
  if (fixed.length < 4) throw new StoreError(`${where} is not a speaker-id store (too short); it was left as it is`);
  const full = fixed.length < HEADER_FIXED ? fixed
    : await readAt(fh, 0, Math.min(size, HEADER_FIXED + (fixed[52] | (fixed[53] << 8)) + 4));
  return parseHeader(full, where);
}

function fsyncDir(dir) {
  try {
    const d = openSync(dir, 'r');
    try { fsyncSync(d); } finally { closeSync(d); }
  } catch { /* some file systems cannot fsync a directory; the rename is still atomic */ }
}

// ---- the adapter ------------------------------------------------------------------------------------------------

export function createFileStore(dir, { lockTimeoutMs = 15000 } = {}) {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('file store: { file: DIR } needs a directory path');
  const file = join(dir, STORE_FILE);
  const lockPath = join(dir, LOCK_FILE);
  const where = `the file store ${file}`;
  let model = null;
  let view = null;   // null: unknown, the next look reads the whole file
  let queue = Promise.resolve();

  const ioError = (what, err) => new StoreError(`file store ${dir}: cannot ${what} (${err.code ?? err.message})`);
  // A call at a time: the view is shared by this adapter's calls.
  const serial = (fn) => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };

  // Reads and checks the whole journal -> { bytes, view }.
  async function readAll(fh) {
    const { size } = await fh.stat();
    const bytes = await readAt(fh, 0, size);
    const header = parseHeader(bytes, where);
    checkModelBinding(where, header.model, model);
    const v = { ...emptyView(), fileId: header.fileId, headerLength: header.length, size: bytes.length };
    v.end = scan(bytes.subarray(header.length), header.length, (body, at) => replay(v, body, at, model.dim));
    return { bytes, view: v };
  }

  // Brings `view` up to date with the open journal `fh` (null: there is none), reading as little as possible.
  async function refresh(fh) {
    if (!fh) return (view = emptyView());
    const { size } = await fh.stat();
    const header = await readHeader(fh, size, where);
    checkModelBinding(where, header.model, model);
    if (view?.fileId === header.fileId && size >= view.end) {
      if (size > view.end) {
        const v = view;
        const tail = await readAt(fh, v.end, size - v.end);
        v.end = scan(tail, v.end, (body, at) => replay(v, body, at, model.dim));
      }
      view.size = size;
    } else {
      view = (await readAll(fh)).view;
    }
    return view;
  }

  // Runs fn() with the view reset when it fails: it may have been half updated, or disagree with the file.
  async function guarded(fn) {
    try {
      return await fn();
    } catch (err) {
      view = null;
      if (err instanceof Damage) throw damaged(where, err);
      if (err instanceof SpeakerIdError) throw err;
      throw ioError(`use ${file}`, err);
    }
  }

  // Creates `path` holding a new owner record of ours, all at once: written to a draft of our own, then hard-linked
  // as `path`. -> { nonce, made }: made is false when `path` exists (EEXIST; a caller that reads it back and finds
  // `nonce` made it after all: a resent NFS link). File systems without hard links (FAT, exFAT) get an exclusive create.
  function createOwned(path, kind) {
    const nonce = randomBytes(16).toString('hex');
    const record = ownerRecord(nonce);
    const draft = join(dir, `${LOCK_DRAFT}${process.pid}.${nonce}.${HOST}`);
    try {
      writeFileSync(draft, record);
      crashPoint(`${kind}-draft`);
      try {
        linkSync(draft, path);
      } catch (err) {
        if (err.code !== 'EPERM' && err.code !== 'ENOTSUP') throw err;
        writeFileSync(path, record, { flag: 'wx' });
      }
      crashPoint(`${kind}-linked`);
      return { nonce, made: true };
    } catch (err) {
      if (err.code === 'EEXIST') return { nonce, made: false };
      throw err;
    } finally {
      rmSync(draft, { force: true });
    }
  }

  // -> { owner } (null: no owner record), or null when `path` is not there.
  async function readOwner(path) {
    try {
      return { owner: parseOwner(await readFile(path, 'utf8')) };
    } catch (err) {
      if (err.code === 'ENOENT') return null;
      throw err;
    }
  }

  // Removes `path`, whose owner `owner` is gone, by the header's rule: as the winner of its break marker, if it
  // still carries owner's nonce. -> null: done, or nothing to do, look again now; else { path, owner, state } of the
  // live writer that is taking it over (wait).
  async function breakGone(path, owner, depth = 0) {
    const marker = join(dir, `${LOCK_BREAK}${owner.nonce}`);
    const { nonce, made } = createOwned(marker, 'break');
    if (!made) {
      const found = await readOwner(marker);
      if (!found) return null;   // its taker just finished
      const holder = found.owner;
      if (holder?.nonce !== nonce) {
        const state = holder ? ownerState(holder) : 'unreadable';
        if (state === 'gone' && depth < 16) return breakGone(marker, holder, depth + 1);
        return { path: marker, owner: holder, state };
      }
    }
    try {
      crashPoint('break-claimed');
      if ((await readOwner(path))?.owner?.nonce === owner.nonce) {
        await rm(path, { force: true });
        crashPoint('break-removed');
      }
    } finally {
      await rm(marker, { force: true });
    }
    return null;
  }

  function lockedError({ path, owner, state, takenOverBy }) {
    const unchecked = state === 'other-host' || state === 'other-ns'
      ? '; this host cannot tell whether that writer still runs' : '';
    if (takenOverBy) {
      return new StoreError(`file store ${dir} is locked by ${describeOwner(owner, state)}, which is gone, and ` +
        `${describeOwner(takenOverBy.owner, takenOverBy.state)} has been taking the lock over for more than ` +
        `${lockTimeoutMs} ms; remove ${takenOverBy.path} if that writer is gone`);
    }
    return new StoreError(`file store ${dir} is locked by ${describeOwner(owner, state)} for more than ` +
      `${lockTimeoutMs} ms${unchecked}; remove ${path} if that writer is gone`);
  }

  // Takes the lock (the header's "The lock") -> our nonce.
  async function lock() {
    const deadline = Date.now() + lockTimeoutMs;
    let wait = 5;
    for (;;) {
      let blocker;
      try {
        const { nonce, made } = createOwned(lockPath, 'lock');
        if (made) return nonce;
        const found = await readOwner(lockPath);
        if (!found) continue;   // released meanwhile
        const { owner } = found;
        if (owner?.nonce === nonce) return nonce;
        const state = owner ? ownerState(owner) : 'unreadable';
        blocker = { path: lockPath, owner, state };
        if (state === 'gone') {
          blocker.takenOverBy = await breakGone(lockPath, owner);
          if (!blocker.takenOverBy) continue;
        }
      } catch (err) {
        throw ioError(`create the lock ${lockPath}`, err);
      }
      if (Date.now() > deadline) throw lockedError(blocker);
      await sleep(wait);
      wait = Math.min(wait * 2, 100);
    }
  }

  async function unlock(nonce) {
    try {
      if ((await readOwner(lockPath))?.owner?.nonce === nonce) await rm(lockPath, { force: true });
    } catch (err) {
      throw ioError(`remove the lock ${lockPath}`, err);
    }
  }

  // Under our lock: what dead writers left (the header's "Leftovers").
  async function removeLeftovers() {
    const oldDrafts = `${OLD_DRAFT}${HOST}.`;
    for (const name of await readdir(dir).catch(() => [])) {
      const path = join(dir, name);
      if (name.startsWith(TMP_PREFIX) && name.endsWith('.tmp')) {
        await rm(path, { force: true });
      } else if (name.startsWith(LOCK_DRAFT)) {
        const [pid, nonce, ...host] = name.slice(LOCK_DRAFT.length).split('.');
        if (host.join('.') !== HOST || !PID.test(pid)) continue;
        let gone = !processAlive(Number(pid));
        if (!gone) {   // its pid runs: a complete record tells whether it is still the writer's
          const text = await readFile(path, 'utf8').catch(() => '');
          const o = text.endsWith('\n') ? parseOwner(text) : null;
          gone = o?.nonce === nonce && o.pid === Number(pid) && ownerState(o) === 'gone';
        }
        if (gone) await rm(path, { force: true });
      } else if (name.startsWith(LOCK_BREAK)) {
        const owner = (await readOwner(path))?.owner;
        if (owner && ownerState(owner) === 'gone') await breakGone(path, owner);
      } else if (name.startsWith(oldDrafts) && PID.test(name.slice(oldDrafts.length))
        && !processAlive(Number(name.slice(oldDrafts.length)))) {
        await rm(path, { force: true });
      }
    }
  }

  // Writes a new journal whole: a new file id, then `record` (the whole state; none for an empty store).
  async function writeWhole(record) {
    const header = encodeHeader(model, randomBytes(8));
    const tmp = join(dir, `${TMP_PREFIX}${process.pid}.${Date.now()}.tmp`);
    let fh;
    try {
      fh = await open(tmp, 'wx');
      await fh.writev(record ? [header, record] : [header]);
      await fh.sync();
      await fh.close();
      fh = null;
      await rename(tmp, file);
    } catch (err) {
      await fh?.close().catch(() => {});
      await rm(tmp, { force: true });
      throw err;
    }
    fsyncDir(dir);  // the rename is durable only once the directory entry is on disk
    const v = { ...emptyView(), fileId: hex(header.subarray(8, 16)), headerLength: header.length };
    if (record) apply(v, decodeBody(record.subarray(8, record.length - 4), header.length + 8, model.dim), model.dim);
    v.end = v.size = header.length + (record?.length ?? 0);
    view = v;
    return token(v);
  }

  // Rewrites the journal whole: its checked records plus `record`, the mutation being committed.
  async function compact(fh, record) {
    const { bytes, view: v } = await readAll(fh);
    const at = v.end;
    apply(v, decodeBody(record.subarray(8, record.length - 4), at + 8, model.dim), model.dim);
    const size = sampleBytes(model.dim);
    const copyFrom = (off) => (off < at ? bytes.subarray(off, off + size) : record.subarray(off - at, off - at + size));
    const speakers = v.records.speakers();
    return writeWhole(speakers.length ? speakersRecord(ADD, speakers, model.dim, copyFrom) : null);
  }

  // Commits `record` after the view's last record: appended, or the journal rewritten when that compacts it.
  async function commit(fh, v, record) {
    if (!fh) return writeWhole(record);
    const at = v.end;
    apply(v, decodeBody(record.subarray(8, record.length - 4), at + 8, model.dim), model.dim);
    const end = at + record.length;
    if (end - liveBytes(v) > liveBytes(v)) return compact(fh, record);
    try {
      if (v.size > at) await fh.truncate(at);  // a torn tail a crashed writer left
      await fh.write(record, 0, record.length, at);
      await fh.sync();
    } catch (err) {
      await fh.truncate(at).catch(() => {});  // not committed: readers must not see it
      throw err;
    }
    v.end = v.size = end;
    return token(v);
  }

  // One serialised mutation. `plan(records)` returns the record to commit, or null for a no-op; refusals throw.
  async function mutate(plan) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw ioError('create the directory', err);
    }
    const nonce = await lock();
    try {
      crashPoint('locked');
      return await guarded(async () => {
        await removeLeftovers();
        const fh = await openIfExists(file, 'r+');
        try {
          const v = await refresh(fh);
          const before = token(v);
          const record = plan(v.records);
          if (!record) return { before, after: before };
          return { before, after: await commit(fh, v, record) };
        } finally {
          await fh?.close();
        }
      });
    } finally {
      await unlock(nonce);
    }
  }

  const dim = () => model.dim;
  return {
    open: (wanted) => serial(() => guarded(async () => {
      model = modelRecord(wanted);
      view = null;
      const fh = await openIfExists(file, 'r');  // the directory is created by the first mutation, not by looking
      if (!fh) return;
      try {
        checkModelBinding(where, (await readHeader(fh, (await fh.stat()).size, where)).model, model);
      } finally {
        await fh.close();
      }
    })),
    load: () => serial(() => guarded(async () => {
      const fh = await openIfExists(file, 'r');
      if (!fh) return { version: token(view = emptyView()), speakers: [] };
      try {
        const { bytes, view: v } = await readAll(fh);
        view = v;
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        const speakers = v.records.speakers().map((sp) => ({ name: sp.name,
          samples: sp.samples.map((off) => readSample(dv, off, model.dim)) }));
        return { version: token(v), speakers };
      } finally {
        await fh.close();
      }
    })),
    version: () => serial(() => guarded(async () => {
      const fh = await openIfExists(file, 'r');
      try {
        return token(await refresh(fh));
      } finally {
        await fh?.close();
      }
    })),
    addSamples: (name, samples) => serial(() => mutate(() => speakersRecord(ADD, [{ name, samples }], dim()))),
    async remove(name) {
      let removed = false;
      const r = await serial(() => mutate((records) => {
        removed = records.has(name);
        return removed ? namesRecord(REMOVE, name) : null;
      }));
      return { ...r, removed };
    },
    rename: (from, to) => serial(() => mutate((records) => (records.checkRename(from, to) ? namesRecord(RENAME, from, to) : null))),
    reset: () => serial(() => mutate(() => speakersRecord(REPLACE, [], dim()))),
    replaceAll: (speakers) => serial(() => mutate(() => speakersRecord(REPLACE, speakers, dim()))),
    addSpeakers: (speakers) => serial(() => mutate((records) => {
      records.checkNew(speakers);
      return speakersRecord(ADD, speakers, dim());
    })),
    close: () => serial(async () => { view = null; }),
  };
}

/**
 * The model recorded in DIR's store ({ id, sha256, dim }), or null when DIR holds no store yet. Reads only the
 * header; the records are checked when a SpeakerId opens the store.
 */
export async function readStoredModel(dir) {
  const file = join(dir, STORE_FILE);
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw new StoreError(`file store ${dir}: cannot read ${STORE_FILE} (${err.code ?? err.message})`);
  }
  const where = `the file store ${file}`;
  try {
    return (await readHeader(fh, (await fh.stat()).size, where)).model;
  } catch (err) {
    if (err instanceof Damage) throw damaged(where, err);
    throw err;
  } finally {
    await fh.close();
  }
}

/** The id (a label) of the model recorded in DIR's store, or null when DIR holds no store yet. */
export async function readStoredModelId(dir) {
  return (await readStoredModel(dir))?.id ?? null;
}

// The file store (Node; the CLI's store): one directory holding `profiles.sidp`, the profile blob of
// match/profile_format.h (magic, version, model, speakers, samples, CRC-32).
//
// Why it never leaves a corrupt store: every mutation writes the complete new blob to a temporary file in the same
// directory, fsyncs it, renames it over profiles.sidp (atomic on POSIX) and fsyncs the directory. A crash at any
// point leaves either the old or the new file, never a mix; a leftover temporary file is ignored and removed by the
// next writer. Writers (several processes) are serialised by an exclusive lock file (`.lock`, created with O_EXCL,
// holding the owner's pid; a lock whose process is gone is taken over). A mutation that fails for any reason writes
// nothing, so the store stays byte-identical.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidProfileError, ModelMismatchError, StoreError } from '../errors.mjs';
import { modelMismatchReason } from './store-interface.mjs';
import * as records from './speaker-records.mjs';

export const STORE_FILE = 'profiles.sidp';
const LOCK_FILE = '.lock';
const TMP_PREFIX = `.${STORE_FILE}.`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

export function createFileStore(dir, { lockTimeoutMs = 15000 } = {}) {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('file store: { file: DIR } needs a directory path');
  const file = join(dir, STORE_FILE);
  const lockPath = join(dir, LOCK_FILE);
  let model = null;
  let codec = null;

  const ioError = (what, err) => new StoreError(`file store ${dir}: cannot ${what} (${err.code ?? err.message})`);

  async function token() {
    try {
      const s = await stat(file, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch (err) {
      if (err.code === 'ENOENT') return 'empty';
      throw ioError(`stat ${file}`, err);
    }
  }

  // The stored model and speakers; an absent file is an empty store.
  async function read() {
    let bytes;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if (err.code === 'ENOENT') return { model: null, speakers: [] };
      throw ioError(`read ${file}`, err);
    }
    try {
      return codec.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      if (err instanceof InvalidProfileError) {
        throw new StoreError(`file store ${file} is damaged and was left as it is: ${err.message}`);
      }
      throw err;
    }
  }

  function checkModel(stored) {
    if (!stored) return;
    const reason = modelMismatchReason(stored, model);
    if (reason) throw new ModelMismatchError(`${file}: ${reason}`);
  }

  async function lock() {
    const deadline = Date.now() + lockTimeoutMs;
    const me = `${process.pid} ${hostname()} ${new Date().toISOString()}\n`;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        await writeFile(lockPath, me, { flag: 'wx' });
        return;
      } catch (err) {
        if (err.code !== 'EEXIST') throw ioError(`create the lock ${lockPath}`, err);
      }
      // Take over a lock whose owner died (same host only: a pid means nothing elsewhere).
      const owner = await readFile(lockPath, 'utf8').catch(() => '');
      const [pid, host] = owner.split(' ');
      if (host === hostname() && Number(pid) > 0 && !processAlive(Number(pid))) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreError(`file store ${dir} is locked by another writer (${owner.trim() || 'unknown'}) for more than ` +
          `${lockTimeoutMs} ms; remove ${lockPath} if that process is gone`);
      }
      await sleep(wait);
    }
  }

  async function removeLeftovers() {
    for (const name of await readdir(dir).catch(() => [])) {
      if (name.startsWith(TMP_PREFIX) && name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
    }
  }

  async function writeAtomically(bytes) {
    const tmp = join(dir, `${TMP_PREFIX}${process.pid}.${Date.now()}.tmp`);
    let fh;
    try {
      fh = await open(tmp, 'wx');
      await fh.writeFile(bytes);
      await fh.sync();
      await fh.close();
      fh = null;
      await rename(tmp, file);
    } catch (err) {
      await fh?.close().catch(() => {});
      await rm(tmp, { force: true });
      throw ioError(`write ${file}`, err);
    }
    // The rename itself is durable only once the directory entry is on disk.
    try {
      const d = openSync(dir, 'r');
      try { fsyncSync(d); } finally { closeSync(d); }
    } catch { /* some file systems cannot fsync a directory; the rename is still atomic */ }
  }

  // One serialised read-modify-write. `change(speakers)` returns the new list, or null to write nothing.
  async function mutate(change) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw ioError('create the directory', err);
    }
    await lock();
    try {
      await removeLeftovers();
      const before = await token();
      const current = await read();
      checkModel(current.model);
      const next = change(current.speakers);
      if (next === null) return { before, after: before };
      await writeAtomically(codec.encode(model, next));
      return { before, after: await token() };
    } finally {
      await rm(lockPath, { force: true });
    }
  }

  return {
    kind: 'file',
    dir,
    file,
    async open(wanted, profileCodec) {
      model = { id: wanted.id, sha256: wanted.sha256.toLowerCase(), dim: wanted.dim };
      codec = profileCodec;
      checkModel((await read()).model);  // the directory is created by the first mutation, not by looking
    },
    async load() {
      // Read the token on both sides of the read: equal tokens mean the snapshot is the one the token names.
      for (;;) {
        const version = await token();
        const current = await read();
        checkModel(current.model);
        if (await token() === version) return { version, speakers: current.speakers };
      }
    },
    version: token,
    addSamples: (name, samples) => mutate((sp) => records.addSamples(sp, name, samples)),
    async remove(name) {
      let removed = false;
      const r = await mutate((sp) => {
        const out = records.remove(sp, name);
        removed = out.removed;
        return removed ? out.speakers : null;
      });
      return { ...r, removed };
    },
    rename: (from, to) => mutate((sp) => {
      const next = records.rename(sp, from, to);
      return next === sp ? null : next;  // renaming to the same name writes nothing
    }),
    reset: () => mutate(() => []),
    replaceAll: (speakers) => mutate(() => records.copySpeakers(speakers)),
    addSpeakers: (added) => mutate((sp) => records.addSpeakers(sp, added)),
    async close() {},
  };
}

/**
 * The model id recorded in DIR's store, or null when DIR holds no store yet. Reads only the blob header (magic,
 * version, model id); the full blob is validated when a SpeakerId opens the store.
 */
export async function readStoredModelId(dir) {
  let bytes;
  try {
    bytes = await readFile(join(dir, STORE_FILE));
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw new StoreError(`file store ${dir}: cannot read ${STORE_FILE} (${err.code ?? err.message})`);
  }
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== 'SIDP') {
    throw new StoreError(`file store ${join(dir, STORE_FILE)} is not a speaker-id profile store (bad magic); it was left as it is`);
  }
  const len = bytes.readUInt16LE(6);
  if (bytes.length < 8 + len) throw new StoreError(`file store ${join(dir, STORE_FILE)} is truncated; it was left as it is`);
  return bytes.toString('utf8', 8, 8 + len);
}

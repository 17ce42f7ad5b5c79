// The store-management commands: speakers, remove, rename, reset, export-profiles, import-profiles.
import { fstatSync } from 'node:fs';
import { lstat, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from '../src/errors.mjs';
import { UsageError, fileError, forFile, out, readInput } from './cli-common.mjs';
import { STORE, commandOptions } from './cli-options.mjs';
import { withStore } from './store-session.mjs';

const usage = (line, text) => `usage: speaker-id ${line}\n  ${text}`;

export const speakersCommand = {
  usage: usage('speakers --store DIR [--json]', 'Lists the enrolled speakers (enrollment order).'),
  options: commandOptions(STORE),
  async run(values, positionals) {
    if (positionals.length) throw new UsageError('speakers takes no arguments');
    return withStore(values, async (sid) => {
      const list = await sid.speakers();
      if (values.json) out(JSON.stringify({ model: sid.model.id, speakers: list }));
      else for (const s of list) out(`${s.name}\t${s.samples} sample(s)\t${s.speechSec.toFixed(1)} s speech\t${s.enrollmentPercent}%`);
      return 0;
    });
  },
};

export const removeCommand = {
  usage: usage('remove --store DIR NAME', 'Removes speaker NAME; exit 2 when there is none.'),
  options: commandOptions(STORE),
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('give one speaker NAME');
    return withStore(values, async (sid) => {
      if (!(await sid.remove(positionals[0]))) throw new InvalidArgumentError(`no speaker named '${positionals[0]}' in ${values.store}`);
      out(`removed ${positionals[0]}`);
      return 0;
    });
  },
};

export const renameCommand = {
  usage: usage('rename --store DIR FROM TO', 'Renames a speaker, keeping its samples.'),
  options: commandOptions(STORE),
  async run(values, positionals) {
    if (positionals.length !== 2) throw new UsageError('give FROM and TO');
    return withStore(values, async (sid) => {
      await sid.rename(positionals[0], positionals[1]);
      out(`renamed ${positionals[0]} to ${positionals[1]}`);
      return 0;
    });
  },
};

export const resetCommand = {
  usage: usage('reset --store DIR', 'Removes every speaker (the store keeps its model).'),
  options: commandOptions(STORE),
  async run(values, positionals) {
    if (positionals.length) throw new UsageError('reset takes no arguments');
    return withStore(values, async (sid) => {
      await sid.reset();
      out('reset: no speakers enrolled');
      return 0;
    });
  },
};

// Writes `bytes` to what `file` names. A regular file (or a new name) is replaced atomically, through a temporary
// file beside it, so a crash never leaves half an export under the real name; a symlink is followed (the link
// stays a link); anything else (a device, a pipe, /dev/stdout) is written to as it is, never replaced.
const writeStdout = (bytes) => new Promise((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));

async function writeThrough(file, bytes) {
  let st = null;  // what the name leads to, links followed
  try {
    st = await stat(file);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  if (st && !st.isFile()) {
    // A device or a pipe: write to it, never replace it. Our own standard output (/dev/stdout, /dev/fd/1) may be a
    // socket that cannot be opened by name: write to the descriptor.
    const own = fstatSync(1);
    if (st.dev === own.dev && st.ino === own.ino) await writeStdout(bytes);
    else await writeFile(file, bytes);
    return;
  }
  const link = await lstat(file).then((l) => l.isSymbolicLink(), () => false);
  if (link && !st) {
    await writeFile(file, bytes);  // a dangling link: create its target through it
    return;
  }
  const target = link ? await realpath(file) : file;  // a regular file (st.isFile()) or a new name
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export const exportCommand = {
  usage: usage('export-profiles --store DIR OUT', 'Writes every enrolled speaker to OUT as a profile blob (SIDP, checksummed).\n' +
    '  OUT - writes to standard output (the summary goes to standard error); a device or pipe is written to, a\n' +
    '  symlink is followed, a regular file is replaced atomically.'),
  options: commandOptions(STORE),
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('give one OUT file (- for standard output)');
    const [file] = positionals;
    return withStore(values, async (sid) => {
      const blob = await sid.exportProfiles();
      const summary = `exported ${(await sid.speakers()).length} speaker(s) to ${file === '-' ? 'standard output' : file} ` +
        `(${blob.length} bytes)`;
      if (file === '-') {
        await writeStdout(blob);
        process.stderr.write(`${summary}\n`);
        return 0;
      }
      try {
        await writeThrough(file, blob);
      } catch (err) {
        throw fileError(file, new InvalidArgumentError(`cannot write (${err.code ?? err.message})`));
      }
      out(summary);
      return 0;
    });
  },
};

export const importCommand = {
  usage: usage('import-profiles --store DIR [--merge] IN',
    'Replaces the store\'s speakers with those of IN (--merge: adds them; a name on both sides refuses the import).\n' +
    '  A corrupted, tampered or other-model IN is refused (exit 2) and the store is left byte-identical.'),
  options: commandOptions(STORE, { merge: { type: 'boolean', default: false } }),
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('give one IN file');
    const [file] = positionals;
    const bytes = await readInput(file, InvalidArgumentError);
    return withStore(values, async (sid) => {
      const r = await forFile(file, () => sid.importProfiles(bytes, { mode: values.merge ? 'merge' : 'replace' }));
      out(`imported ${r.speakers} speaker(s), ${r.samples} sample(s) from ${file}${values.merge ? ' (merged)' : ''}`);
      return 0;
    }, { creates: true });
  },
};

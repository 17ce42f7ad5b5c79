// The store-management commands: speakers, remove, rename, reset, export-profiles, import-profiles.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../src/errors.mjs';
import { STORE_HELP, STORE_OPTIONS, out, withStore } from './store-session.mjs';

const usage = (line, text) => `usage: speaker-id ${line}\n  ${text}\n${STORE_HELP}`;

export const speakersCommand = {
  usage: usage('speakers --store DIR [--json]', 'Lists the enrolled speakers (enrollment order).'),
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    if (positionals.length) throw new ctx.UsageError('speakers takes no arguments');
    return withStore(values, ctx, async (sid) => {
      const list = await sid.speakers();
      if (values.json) out(JSON.stringify({ model: sid.model.id, speakers: list }));
      else for (const s of list) out(`${s.name}\t${s.samples} sample(s)\t${s.speechSec.toFixed(1)} s speech\t${s.enrollmentPercent}%`);
      return 0;
    });
  },
};

export const removeCommand = {
  usage: usage('remove --store DIR NAME', 'Removes speaker NAME; exit 2 when there is none.'),
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    if (positionals.length !== 1) throw new ctx.UsageError('give one speaker NAME');
    return withStore(values, ctx, async (sid) => {
      if (!(await sid.remove(positionals[0]))) throw new InvalidArgumentError(`no speaker named '${positionals[0]}' in ${values.store}`);
      out(`removed ${positionals[0]}`);
      return 0;
    });
  },
};

export const renameCommand = {
  usage: usage('rename --store DIR FROM TO', 'Renames a speaker, keeping its samples.'),
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    if (positionals.length !== 2) throw new ctx.UsageError('give FROM and TO');
    return withStore(values, ctx, async (sid) => {
      await sid.rename(positionals[0], positionals[1]);
      out(`renamed ${positionals[0]} to ${positionals[1]}`);
      return 0;
    });
  },
};

export const resetCommand = {
  usage: usage('reset --store DIR', 'Removes every speaker (the store keeps its model).'),
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    if (positionals.length) throw new ctx.UsageError('reset takes no arguments');
    return withStore(values, ctx, async (sid) => {
      await sid.reset();
      out('reset: no speakers enrolled');
      return 0;
    });
  },
};

export const exportCommand = {
  usage: usage('export-profiles --store DIR OUT', 'Writes every enrolled speaker to OUT as a profile blob (SIDP, checksummed).'),
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    if (positionals.length !== 1) throw new ctx.UsageError('give one OUT file');
    const [file] = positionals;
    return withStore(values, ctx, async (sid) => {
      const blob = await sid.exportProfiles();
      const tmp = `${file}.${process.pid}.tmp`;  // never leave a half-written export under the real name
      try {
        await writeFile(tmp, blob);
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw new InvalidArgumentError(`${file}: cannot write (${err.code ?? err.message})`);
      }
      out(`exported ${(await sid.speakers()).length} speaker(s) to ${file} (${blob.length} bytes)`);
      return 0;
    });
  },
};

export const importCommand = {
  usage: usage('import-profiles --store DIR [--merge] IN',
    'Replaces the store\'s speakers with those of IN (--merge: adds them; a name on both sides refuses the import).\n' +
    '  A corrupted, tampered or other-model IN is refused (exit 2) and the store is left byte-identical.'),
  options: { ...STORE_OPTIONS, merge: { type: 'boolean', default: false } },
  async run(values, positionals, ctx) {
    if (positionals.length !== 1) throw new ctx.UsageError('give one IN file');
    const [file] = positionals;
    let bytes;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new InvalidArgumentError(`${file}: cannot read (${err.code ?? err.message})`);
    }
    return withStore(values, ctx, async (sid) => {
      let r;
      try {
        r = await sid.importProfiles(bytes, { mode: values.merge ? 'merge' : 'replace' });
      } catch (err) {
        err.message = `${file}: ${err.message}`;
        throw err;
      }
      out(`imported ${r.speakers} speaker(s), ${r.samples} sample(s) from ${file}${values.merge ? ' (merged)' : ''}`);
      return 0;
    }, { creates: true });
  },
};

#!/usr/bin/env node
// speaker-id command line (Node). Exit codes: 0 ok, 2 bad input or usage (one-line reason on stderr), 1 other.
import { parseArgs } from 'node:util';
import { SpeakerIdError } from '../src/errors.mjs';
import { embedCommand } from './embed-command.mjs';
import { evalCommand } from './eval-command.mjs';
import { featuresCommand } from './features-command.mjs';
import { enrollCommand } from './enroll-command.mjs';
import { identifyCommand, verifyCommand } from './identify-command.mjs';
import { exportCommand, importCommand, removeCommand, renameCommand, resetCommand,
  speakersCommand } from './profiles-commands.mjs';

const USAGE = `usage: speaker-id <command> [options]
commands:
  features --frontend resemblyzer|ecapa --out DIR FILE...   write every front-end stage of each FILE as .npy
  embed [--model M] [--stages DIR] FILE...                  one JSON line with the embedding per FILE
  eval [--model M] [--enroll K] [--json] DIR               EER, minDCF, top-1 on DIR/<speaker>/**/<recording>
  enroll --store DIR [--model M] NAME FILE...               add recordings to a speaker (all or nothing)
  identify --store DIR [--top-k K] [--json] FILE...         who is speaking in each FILE (or unknown)
  verify --store DIR NAME FILE                              is FILE speaker NAME?
  speakers|reset --store DIR                                list / remove all enrolled speakers
  remove --store DIR NAME, rename --store DIR FROM TO       manage one speaker
  export-profiles --store DIR OUT, import-profiles --store DIR [--merge] IN   profile blobs
run 'speaker-id <command> --help' for details`;

const COMMANDS = {
  features: featuresCommand, embed: embedCommand, eval: evalCommand, enroll: enrollCommand, identify: identifyCommand,
  verify: verifyCommand, speakers: speakersCommand, remove: removeCommand, rename: renameCommand, reset: resetCommand,
  'export-profiles': exportCommand, 'import-profiles': importCommand,
};

export class UsageError extends Error {}

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err.message.split('\n')[0]);
  }
  if (parsed.values.help) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  return command.run(parsed.values, parsed.positionals, { UsageError });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const badInput = err instanceof UsageError || err instanceof SpeakerIdError;
  const line = String(err?.message ?? err).split('\n')[0];
  process.stderr.write(`speaker-id: ${line}\n`);
  process.exitCode = badInput ? 2 : 1;
}

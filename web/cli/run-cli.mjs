// The speaker-id command line as a function, for the `speaker-id` bin and `npm start`. Exit codes: 0 ok, 2 bad input
// or usage (one-line reason on stderr), 1 other.
import { SpeakerIdError } from '../src/errors.mjs';
import { UsageError } from './cli-common.mjs';
import { optionsHelp, parseCommandLine } from './cli-options.mjs';
import { embedCommand } from './embed-command.mjs';
import { evalCommand } from './eval-command.mjs';
import { featuresCommand } from './features-command.mjs';
import { enrollCommand } from './enroll-command.mjs';
import { identifyCommand, verifyCommand } from './identify-command.mjs';
import { serveCommand } from './serve-command.mjs';
import { timelineCommand } from './timeline-command.mjs';
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
  timeline --store DIR [--json] FILE                        who spoke when in FILE (streaming identification)
  speakers|reset --store DIR                                list / remove all enrolled speakers
  remove --store DIR NAME, rename --store DIR FROM TO       manage one speaker
  export-profiles --store DIR OUT, import-profiles --store DIR [--merge] IN   profile blobs
  serve --store DIR [--host H] [--port P]                   the Speaker-ID HTTP API (bearer tokens per tenant)
run 'speaker-id <command> --help' for details`;

const COMMANDS = {
  features: featuresCommand, embed: embedCommand, eval: evalCommand, enroll: enrollCommand, identify: identifyCommand,
  timeline: timelineCommand,
  verify: verifyCommand, speakers: speakersCommand, remove: removeCommand, rename: renameCommand, reset: resetCommand,
  'export-profiles': exportCommand, 'import-profiles': importCommand, serve: serveCommand,
};

async function dispatch(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
  const { values, positionals } = parseCommandLine(command.options, rest);
  if (values.help) {
    process.stdout.write([command.usage, optionsHelp(command.options)].filter(Boolean).join('\n') + '\n');
    return 0;
  }
  return command.run(values, positionals);
}

/** Runs `speaker-id ...argv`; resolves to the exit code (what went wrong is already on stderr). */
export async function runCli(argv) {
  try {
    return await dispatch(argv);
  } catch (err) {
    const badInput = err instanceof UsageError || err instanceof SpeakerIdError;
    process.stderr.write(`speaker-id: ${String(err?.message ?? err).split('\n')[0]}\n`);
    return badInput ? 2 : 1;
  }
}

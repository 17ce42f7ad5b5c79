#!/usr/bin/env node
// speaker-id command line (Node); the commands and exit codes are in run-cli.mjs.
import { runCli } from './run-cli.mjs';

// `speaker-id identify ... | head -1`: a reader that goes away is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2));

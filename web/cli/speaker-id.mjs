#!/usr/bin/env node
// speaker-id command line (Node); the commands and exit codes are in run-cli.mjs.
import { runCli } from './run-cli.mjs';

process.exitCode = await runCli(process.argv.slice(2));

#!/usr/bin/env node
// `npm run edge:deno`: runs main.mjs in the project's pinned Deno (node_modules/.bin/deno) with the narrowest
// permissions that work, forwards SIGINT / SIGTERM / SIGHUP to it and exits with its status. No network but the
// listening address: DENO_NO_UPDATE_CHECK=1, and every module comes from the working tree and node_modules.
//   --allow-net=HOST:PORT        listen there, nothing else (PORT 0: any port of HOST)
//   --allow-read=<the package's web/, models/, package.json, node_modules/>[,STATE_DIR]
//                                the wasm core, the embedded model and ONNX Runtime's wasm; the KV file
//   --allow-write=STATE_DIR      the KV file (SQLite with its journal) and nothing else
//   --allow-env=<config.mjs ENV_VARS>   the server's own variables only
// Without SPEAKER_ID_STATE_DIR, Deno.openKv() uses Deno's own per-script location, which needs no permission.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_VARS, serverConfig } from './config.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DENO = resolve(ROOT, 'node_modules/.bin/deno');

let config;
try {
  config = serverConfig((name) => process.env[name]);
} catch (err) {
  console.error(`speaker-id (deno): ${err.message}`);
  process.exit(2);
}
if (!existsSync(DENO)) {
  console.error(`speaker-id (deno): no Deno at ${DENO}: install the dev dependencies (npm install); ` +
    'the package pins Deno as the devDependency "deno"');
  process.exit(2);
}
const host = config.hostname.includes(':') ? `[${config.hostname}]` : config.hostname;
const state = config.stateDir ? resolve(config.stateDir) : null;
// Deno checks permissions on real paths: grant the targets of symlinked folders (a linked node_modules) too.
const readable = [...new Set(['web', 'models', 'package.json', 'node_modules'].map((p) => resolve(ROOT, p))
  .flatMap((p) => (existsSync(p) ? [p, realpathSync(p)] : [])))];
const args = ['run', '--quiet', '--unstable-kv', '--no-prompt',
  `--allow-net=${config.port === 0 ? host : `${host}:${config.port}`}`,
  `--allow-read=${[...readable, ...(state ? [state] : [])].join(',')}`,
  ...(state ? [`--allow-write=${state}`] : []),
  `--allow-env=${ENV_VARS.join(',')}`,
  resolve(ROOT, 'demo/edge/deno/main.mjs')];
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', ...(state ? { SPEAKER_ID_STATE_DIR: state } : {}) };
const child = spawn(DENO, args, { cwd: ROOT, env, stdio: 'inherit' });

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => { if (child.exitCode === null) child.kill(signal); });
}
child.on('error', (err) => {
  console.error(`speaker-id (deno): could not start ${DENO}: ${err.message}`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  // Deno killed by a signal: exit the way a shell reports it (128 + the signal's number).
  process.exit(code ?? 128 + ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 0));
});

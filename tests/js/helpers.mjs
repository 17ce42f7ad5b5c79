// Shared helpers for the JS tests: paths, running the CLI, golden arrays.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../../web/src/npy.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED = process.env.SID_SHARED_DIR ?? `${ROOT}../shared`;
export const GOLDEN = `${SHARED}/golden`;
export const CLI = `${ROOT}web/cli/speaker-id.mjs`;

export function runCli(args, opts = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

export const goldenManifest = () => JSON.parse(readFileSync(`${GOLDEN}/manifest.json`, 'utf8'));

/** Absolute path of a manifest input (paths there are relative to the folder holding shared/). */
export const goldenInputPath = (entry) => `${SHARED}/../${entry.input}`;

export const readNpy = (path) => decodeNpy(readFileSync(path));

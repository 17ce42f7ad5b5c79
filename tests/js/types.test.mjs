// The TypeScript declarations (web/src/index.d.ts) compile under --strict, accept the documented usage and reject
// misuse (tests/types/usage.ts, resolved as the package itself via package.json "exports"/"types").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.mjs';

test('tsc --strict accepts tests/types/usage.ts against the package declarations', () => {
  const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tests/types`],
    { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

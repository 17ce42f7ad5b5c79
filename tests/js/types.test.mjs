// The TypeScript declarations (web/src/index.d.ts, web/src/stores/*.d.mts) compile under --strict without
// skipLibCheck, accept the documented usage and reject misuse (tests/types/*.ts, resolved as the package itself via
// package.json "exports"/"types"), in a DOM project and in Node-only projects (no DOM lib: the declarations must not
// need IDBFactory, WebAssembly or Blob from it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.mjs';

const tsc = (config) => spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tests/types/${config}`],
  { encoding: 'utf8', cwd: ROOT });

for (const [config, what] of [
  ['tsconfig.json', 'DOM project (lib ES2022 + DOM): usage.ts, dom-usage.ts'],
  ['tsconfig.node.json', 'Node project (lib ES2022, types node, no DOM): usage.ts, node-usage.ts'],
  ['tsconfig.es.json', 'bare project (lib ES2022, no DOM, no @types/node): es-usage.ts'],
]) {
  test(`tsc --strict, skipLibCheck off, accepts the package declarations in a ${what}`, () => {
    const r = tsc(config);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  });
}

// `speaker-id export-profiles OUT` writes to what OUT names: a symlink is followed and stays a link, a device is
// written to and never replaced, `-` is standard output, a regular file is replaced atomically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, SHARED, runCli } from './helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'sid-export-'));
const store = join(work, 'store');
const speech = (f) => `${SHARED}/audio/librispeech_test-other/1688/${f}.flac`;

test('export-profiles writes through links and devices, and to standard output', async (t) => {
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const e = runCli(['enroll', '--store', store, 'ann', speech('1688-142285-0000'), speech('1688-142285-0001')]);
  assert.equal(e.code, 0, e.stderr);
  const plain = join(work, 'plain.sidp');
  assert.equal(runCli(['export-profiles', '--store', store, plain]).code, 0);
  const blob = readFileSync(plain);
  assert.equal(blob.subarray(0, 4).toString(), 'SIDP');

  // A regular file is replaced; nothing temporary is left beside it.
  writeFileSync(plain, 'old');
  assert.equal(runCli(['export-profiles', '--store', store, plain]).code, 0);
  assert.deepEqual(readFileSync(plain), blob);
  assert.deepEqual(readdirSync(work).sort(), ['plain.sidp', 'store']);

  // A symlink is followed: the link stays, its target gets the blob.
  const target = join(work, 'target.sidp');
  const link = join(work, 'link.sidp');
  writeFileSync(target, 'old');
  symlinkSync(target, link);
  assert.equal(runCli(['export-profiles', '--store', store, link]).code, 0);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.deepEqual(readFileSync(target), blob);

  // '-' is standard output (bytes), the summary goes to standard error.
  const r = spawnSync(process.execPath, [CLI, 'export-profiles', '--store', store, '-']);
  assert.equal(r.status, 0, String(r.stderr));
  assert.deepEqual(r.stdout, blob);
  assert.match(String(r.stderr), /exported 1 speaker\(s\) to standard output/);

  // /dev/stdout (a pipe here) is written to, not replaced.
  const s = spawnSync(process.execPath, [CLI, 'export-profiles', '--store', store, '/dev/stdout']);
  assert.equal(s.status, 0, String(s.stderr));
  assert.ok(s.stdout.subarray(0, blob.length).equals(blob));
  assert.ok(lstatSync('/dev/stdout').isSymbolicLink(), '/dev/stdout is still the link it was');

  // A device is written to and stays a device: /dev/null takes it, /dev/full refuses it (exit 2, ENOSPC).
  assert.equal(runCli(['export-profiles', '--store', store, '/dev/null']).code, 0);
  assert.ok(statSync('/dev/null').isCharacterDevice());
  const full = runCli(['export-profiles', '--store', store, '/dev/full']);
  assert.equal(full.code, 2);
  assert.match(full.stderr, /\/dev\/full: cannot write \(ENOSPC\)/);
  assert.ok(statSync('/dev/full').isCharacterDevice());
});

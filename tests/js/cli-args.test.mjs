// Command-line parsing details that users hit: negative numbers are values (not "ambiguous" options), empty numbers
// are refused, and a reader that goes away (`| head`) ends the command quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI, SHARED, runCli } from './helpers.mjs';

const speech = (f) => `${SHARED}/audio/librispeech_test-other/1688/${f}.flac`;

test('negative numbers are option values, checked like any other', () => {
  const t = runCli(['identify', '--store', '/nonexistent-sid-store', '--threshold', '-1', 'a.wav']);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /no store in \/nonexistent-sid-store/);  // parsed; refused later, for the store
  const k = runCli(['identify', '--store', '/nonexistent-sid-store', '--top-k', '-1', 'a.wav']);
  assert.equal(k.code, 2);
  assert.match(k.stderr, /--top-k must be an integer >= 0/);
  const th = runCli(['embed', '--threads', '-2', 'a.wav']);
  assert.match(th.stderr, /--threads must be an integer in 1\.\.64/);
  assert.doesNotMatch(k.stderr + th.stderr, /ambiguous/);
});

test('an empty number is refused, not taken as 0', () => {
  const r = runCli(['identify', '--store', '/nonexistent-sid-store', '--top-k', '', 'a.wav']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--top-k must be an integer >= 0/);
  const t = runCli(['identify', '--store', '/nonexistent-sid-store', '--threshold', ' ', 'a.wav']);
  assert.match(t.stderr, /--threshold must be a number/);
});

test('a closed pipe (| head) ends the command without a stack trace', () => {
  const files = ['1688-142285-0000', '1688-142285-0001', '1688-142285-0002'].map(speech).join(' ');
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" embed ${files} | head -c 20`],
    { encoding: 'utf8' });
  assert.equal(r.stdout.length, 20);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
  assert.equal(r.status, 0, r.stderr);
});

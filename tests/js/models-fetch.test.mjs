// models/fetch.mjs (`npm run models:fetch` in a checkout): offline it fails fast with an actionable message; a wrong
// file is refused with the reason; an unfetched manifest model is refused by the CLI with the command that fetches
// it, a command that exists where it is given (a checkout, and a project with the package in node_modules, which has
// no `models:fetch` script).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN, ROOT, runCli } from './helpers.mjs';

const cache = mkdtempSync(join(tmpdir(), 'sid-cache-'));
process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
const fetchModel = (args) => spawnSync(process.execPath, [`${ROOT}models/fetch.mjs`, ...args],
  { encoding: 'utf8', timeout: 60000, cwd: ROOT, env: { ...process.env, SPEAKER_ID_CACHE: cache } });

for (const [family, urls] of [['resemblyzer', ['github.com/resemble-ai/Resemblyzer']],
  ['ecapa', ['speechbrain/spkrec-ecapa-voxceleb/resolve/main/embedding_model.ckpt', 'hyperparams.yaml']]]) {
  test(`models:fetch ${family} offline: exit 1 within 30 s naming the URLs and --weights`, (t) => {
    const started = Date.now();
    const r = fetchModel([family]);
    if (r.status === 0) { t.skip('this machine is online'); return; }
    assert.ok(Date.now() - started < 30000, 'took 30 s or more');
    assert.equal(r.status, 1, r.stderr);
    for (const u of urls) assert.match(r.stderr, new RegExp(u.replace(/[.]/g, '\\.')));
    assert.match(r.stderr, new RegExp(`then run: node models/fetch\\.mjs ${family} --weights`));
  });
}

test('models:fetch refuses a file that is not the upstream checkpoint, saying why', () => {
  const r = fetchModel(['resemblyzer', '--weights', `${GOLDEN}/checkpoints/resemblyzer/pretrained.pt`]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing .*pretrained\.pt: it is not the upstream pretrained\.pt \(17089344 bytes, expected 17090379\)/);
  const missing = fetchModel(['ecapa', '--weights', join(cache, 'nope.ckpt')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read --weights/);
  const unknown = fetchModel(['wav2vec']);
  assert.equal(unknown.status, 2);
});

// The command in `hint` (between backticks) run in `cwd` with a --weights file that does not exist: the fetch script
// itself answers (exit 2, cannot read --weights), without any download.
function runHint(stderr, cwd) {
  const command = /not downloaded yet: run `([^`]+)`/.exec(stderr)?.[1];
  assert.ok(command, stderr);
  const r = spawnSync('bash', ['-c', `${command} --weights ${join(cache, 'nope.ckpt')}`],
    { encoding: 'utf8', cwd, timeout: 60000, env: { ...process.env, SPEAKER_ID_CACHE: cache } });
  assert.equal(r.status, 2, `${command}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /cannot read --weights/, command);
  return command;
}

test('embedding with a manifest model that is not fetched yet exits 2 with the fetch command, which works', () => {
  const r = runCli(['embed', '--model', 'ecapa-voxceleb', `${GOLDEN}/inputs/synth_short_0p6s.wav`],
    { env: { ...process.env, SPEAKER_ID_CACHE: cache } });
  assert.equal(r.code, 2);
  assert.equal(runHint(r.stderr, ROOT), 'node models/fetch.mjs ecapa');
});

test('in a project with the package in node_modules the fetch command is one that exists there', () => {
  // The layout of an install (node_modules/speaker-id), as a link to this checkout; the paths Node sees are kept
  // as they are under node_modules (--preserve-symlinks), as for a real install. package-install.test.mjs does it
  // with the packed tarball.
  const app = join(cache, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sid-app', private: true, type: 'module' }));
  symlinkSync(ROOT, join(app, 'node_modules', 'speaker-id'));
  const r = spawnSync(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main',
    'node_modules/speaker-id/web/cli/speaker-id.mjs', 'embed', '--model', 'resemblyzer',
    `${GOLDEN}/inputs/synth_short_0p6s.wav`], { encoding: 'utf8', cwd: app, env: { ...process.env, SPEAKER_ID_CACHE: cache } });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(runHint(r.stderr, app), 'node node_modules/speaker-id/models/fetch.mjs resemblyzer');
});

test('export.py refuses a checkpoint that does not match the architecture, naming the keys', () => {
  const r = spawnSync('/usr/bin/python3', [`${ROOT}models/export.py`, 'ecapa', '--weights',
    `${GOLDEN}/checkpoints/resemblyzer/pretrained.pt`, '--hparams', `${GOLDEN}/checkpoints/ecapa_small/hyperparams.yaml`,
    '--out', join(cache, 'x.onnx')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /does not match the ECAPA-TDNN of the hyperparams .*missing \['blocks\.0\.conv\.conv\.weight'/);
});

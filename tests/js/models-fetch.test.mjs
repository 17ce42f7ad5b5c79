// `npm run models:fetch`: offline it fails fast with an actionable message; a wrong file is refused with the reason;
// an unfetched manifest model is refused by the CLI with the command that fetches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN, ROOT, runCli } from './helpers.mjs';

const cache = mkdtempSync(join(tmpdir(), 'sid-cache-'));
process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
const fetchModel = (args) => spawnSync(process.execPath, [`${ROOT}models/fetch.mjs`, ...args],
  { encoding: 'utf8', timeout: 60000, env: { ...process.env, SPEAKER_ID_CACHE: cache } });

for (const [family, urls] of [['resemblyzer', ['github.com/resemble-ai/Resemblyzer']],
  ['ecapa', ['speechbrain/spkrec-ecapa-voxceleb/resolve/main/embedding_model.ckpt', 'hyperparams.yaml']]]) {
  test(`models:fetch ${family} offline: exit 1 within 30 s naming the URLs and --weights`, (t) => {
    const started = Date.now();
    const r = fetchModel([family]);
    if (r.status === 0) { t.skip('this machine is online'); return; }
    assert.ok(Date.now() - started < 30000, 'took 30 s or more');
    assert.equal(r.status, 1, r.stderr);
    for (const u of urls) assert.match(r.stderr, new RegExp(u.replace(/[.]/g, '\\.')));
    assert.match(r.stderr, new RegExp(`npm run models:fetch -- ${family} --weights`));
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

test('embedding with a manifest model that is not fetched yet exits 2 with the fetch command', () => {
  const r = runCli(['embed', '--model', 'ecapa-voxceleb', `${GOLDEN}/inputs/synth_short_0p6s.wav`],
    { env: { ...process.env, SPEAKER_ID_CACHE: cache } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not downloaded yet: run `npm run models:fetch -- ecapa`/);
});

test('export.py refuses a checkpoint that does not match the architecture, naming the keys', () => {
  const r = spawnSync('/usr/bin/python3', [`${ROOT}models/export.py`, 'ecapa', '--weights',
    `${GOLDEN}/checkpoints/resemblyzer/pretrained.pt`, '--hparams', `${GOLDEN}/checkpoints/ecapa_small/hyperparams.yaml`,
    '--out', join(cache, 'x.onnx')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /does not match the ECAPA-TDNN of the hyperparams .*missing \['blocks\.0\.conv\.conv\.weight'/);
});

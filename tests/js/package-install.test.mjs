// The package as users get it: `npm pack` of this checkout, installed into a fresh project outside the repository,
// enrolls and identifies through the API and the CLI; a model not fetched yet is refused with a fetch command that
// exists there (no `npm run models:fetch` script in the user's project); the tarball carries the LICENSE and the built core; packing
// a checkout whose core cannot be built is refused with what to do, instead of making a broken package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHARED } from './helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'sid-package-'));
const speech = (spk, utt) => `${SHARED}/audio/librispeech_test-other/${spk}/${spk}-${utt}.flac`;

test('the packed tarball installs into a fresh project and works there', { timeout: 300000 }, async (t) => {
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const files = packed[0].files.map((f) => f.path);
  for (const f of ['LICENSE', 'web/dist/speaker_id_core.wasm', 'web/dist/speaker_id_core.mjs', 'web/src/index.mjs',
    'web/cli/speaker-id.mjs', 'models/manifest.json', 'models/compact/compact-ecapa.onnx',
    'models/compact/compact-ecapa-fp32.onnx', 'web/dist/compact-ecapa-fp32.onnx', 'web/dist/compact-ecapa-fp32.onnx.gz']) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  assert.ok(!files.some((f) => f.startsWith('tests/') || f.startsWith('src/')), 'no tests or C++ sources in the package');

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sid-app', private: true, type: 'module' }));
  // onnxruntime-node comes as the package's optional dependency (the native backend); its install script would
  // download CUDA providers (ONNXRUNTIME_NODE_INSTALL=skip: the CPU build it ships is all speaker-id uses).
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
    join(work, packed[0].filename)], { cwd: app, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  writeFileSync(join(app, 'main.mjs'), `
    import { readFileSync } from 'node:fs';
    import { SpeakerId } from 'speaker-id';
    const sid = await SpeakerId.create();
    await sid.enroll('1688', [readFileSync(${JSON.stringify(speech('1688', '142285-0000'))}), readFileSync(${JSON.stringify(speech('1688', '142285-0001'))})]);
    await sid.enroll('2414', [readFileSync(${JSON.stringify(speech('2414', '128291-0000'))}), readFileSync(${JSON.stringify(speech('2414', '128291-0001'))})]);
    const who = [(await sid.identify(readFileSync(${JSON.stringify(speech('1688', '142285-0005'))}))).speaker,
      (await sid.identify(readFileSync(${JSON.stringify(speech('2414', '128291-0005'))}))).speaker];
    who.push(sid.backend);
    await sid.dispose();
    console.log(JSON.stringify(who));`);
  const unforced = { ...process.env };
  delete unforced.SPEAKER_ID_BACKEND;  // the choice the app gets by default
  const run = spawnSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8', env: unforced });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), ['1688', '2414', 'native'], 'installed with its optional onnxruntime-node');

  const cli = join(app, 'node_modules', '.bin', 'speaker-id');
  const store = join(work, 'store');
  const enroll = spawnSync(cli, ['enroll', '--store', store, '1688', speech('1688', '142285-0000'), speech('1688', '142285-0001')],
    { cwd: app, encoding: 'utf8' });
  assert.equal(enroll.status, 0, enroll.stderr);
  const id = spawnSync(cli, ['identify', '--store', store, '--json', speech('1688', '142285-0005')], { cwd: app, encoding: 'utf8' });
  assert.equal(id.status, 0, id.stderr);
  assert.equal(JSON.parse(id.stdout).speaker, '1688');

  const env = { ...process.env, SPEAKER_ID_CACHE: join(work, 'cache') };
  const unfetched = spawnSync(cli, ['embed', '--model', 'ecapa-voxceleb', speech('1688', '142285-0000')], { cwd: app, encoding: 'utf8', env });
  assert.equal(unfetched.status, 2, unfetched.stderr);
  const command = /not downloaded yet: run `([^`]+)`/.exec(unfetched.stderr)?.[1];
  assert.equal(command, 'node node_modules/speaker-id/models/fetch.mjs ecapa', unfetched.stderr);
  // The command runs there: the fetch script answers (a --weights file that does not exist: no download).
  const fetch = spawnSync('bash', ['-c', `${command} --weights ${join(work, 'nope.ckpt')}`], { cwd: app, encoding: 'utf8', env });
  assert.equal(fetch.status, 2, fetch.stderr);
  assert.match(fetch.stderr, /cannot read --weights/);
});

test('prepack refuses to pack a checkout whose core is missing and cannot be built', () => {
  const checkout = join(mkdtempSync(join(tmpdir(), 'sid-unbuilt-')), 'speaker-id');
  try {
    mkdirSync(checkout);
    execFileSync('bash', ['-c', `git -C "${ROOT}" archive HEAD | tar -x -C "${checkout}"`]);
    // A PATH with the basic tools but no Emscripten / CMake, as on a machine that never ran the setup.
    const bin = join(checkout, '..', 'bin');
    mkdirSync(bin);
    for (const tool of ['bash', 'find', 'dirname']) symlinkSync(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    const r = spawnSync(join(bin, 'bash'), ['.ci/prepack'], { cwd: checkout, encoding: 'utf8', env: { PATH: bin } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /web\/dist\/speaker_id_core\.wasm is missing .* run 'bash \.ci\/setup'/);
  } finally {
    rmSync(join(checkout, '..'), { recursive: true, force: true });
  }
});

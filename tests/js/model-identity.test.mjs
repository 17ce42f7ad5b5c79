// A model is its content: the same .onnx by manifest id, by path, under another name or by file:// URL resolves
// to the same id, sha256 and calibrated threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveModel } from '../../web/src/model-registry.mjs';
import { ROOT } from './helpers.mjs';

test('one threshold and one id per model content, however it is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sid-model-'));
  try {
    const renamed = join(dir, 'my-voice-model.onnx');
    copyFileSync(`${ROOT}models/compact/compact-ecapa.onnx`, renamed);
    const byId = await resolveModel('compact-ecapa');
    for (const other of [`${ROOT}models/compact/compact-ecapa.onnx`, renamed, pathToFileURL(renamed).href]) {
      const m = await resolveModel(other);
      assert.equal(m.id, byId.id, other);
      assert.equal(m.sha256, byId.sha256);
      assert.equal(m.threshold, byId.threshold, `${other}: the manifest's calibrated threshold`);
    }
    assert.equal(byId.threshold, 0.5475);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a model outside the manifest is known by its content: any path or name of the file opens its store', async () => {
  const { SpeakerId } = await import('../../web/src/index.mjs');
  const { readStoredModel } = await import('../../web/src/stores/file-store.mjs');
  const { runCli, SHARED } = await import('./helpers.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'sid-model-store-'));
  try {
    const first = join(dir, 'a', 'model.onnx');
    const moved = join(dir, 'b', 'renamed-model.onnx');
    for (const p of [first, moved]) {
      (await import('node:fs')).mkdirSync(join(p, '..'), { recursive: true });
      copyFileSync(`${ROOT}build/models/ecapa-small-golden.onnx`, p);
    }
    const m = await resolveModel(first);
    assert.match(m.id, /^sha256-[0-9a-f]{16}$/, 'the id comes from the content, not the path');
    assert.equal((await resolveModel(moved)).id, m.id);
    const store = join(dir, 'store');
    const wav = (spk, n) => `${SHARED}/audio/librispeech_test-other/${spk}/${spk}-${n}.flac`;
    const a = await SpeakerId.create({ model: first, store: { file: store } });
    try {
      await a.enroll('ann', (await import('node:fs')).readFileSync(wav('1688', '142285-0000')));
    } finally {
      await a.dispose();
    }
    assert.deepEqual(await readStoredModel(store), { id: m.id, sha256: m.sha256, dim: 192 });
    // The same file, moved and renamed, from another working directory: the same model.
    const b = await SpeakerId.create({ model: moved, store: { file: store } });
    try {
      assert.deepEqual((await b.speakers()).map((s) => s.name), ['ann']);
    } finally {
      await b.dispose();
    }
    const cli = runCli(['speakers', '--store', store, '--model', moved], { cwd: dir });
    assert.equal(cli.code, 0, cli.stderr);
    // Without --model the CLI cannot know where the file is now, and says what to pass.
    const bare = runCli(['speakers', '--store', store], { cwd: dir });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, new RegExp(`model '${m.id}'.*not in the model manifest: pass --model PATH`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

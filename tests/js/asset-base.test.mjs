// setAssetBase (web/src/assets.mjs; README "Using it in a web app"), in Node: the files come from the folder given
// (here the package's own asset folder web/dist/, as a file: URL), a folder without them says which file and where
// to look, and the base is fixed once a file was loaded. The browsers' side is in bundlers.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ASSET_NAMES, InvalidArgumentError, SpeakerId, getAssetBase, loadCore, setAssetBase } from '../../web/src/index.mjs';
import { ROOT } from './helpers.mjs';

test('setAssetBase: checked, used, then fixed', async () => {
  assert.deepEqual([...ASSET_NAMES].sort(), ['compact-ecapa-fp32.onnx', 'compact-ecapa.onnx', 'ort-wasm-simd-threaded.wasm', 'speaker_id_core.wasm']);
  assert.equal(getAssetBase(), null);
  // No page here to be relative to.
  assert.throws(() => setAssetBase('/speaker-id/'), InvalidArgumentError);
  assert.throws(() => setAssetBase(42), InvalidArgumentError);
  // A folder URL gets its trailing slash.
  setAssetBase('https://cdn.example/speaker-id');
  assert.equal(getAssetBase().href, 'https://cdn.example/speaker-id/');
  setAssetBase(null);
  assert.equal(getAssetBase(), null);

  // A folder without the files: the error names the file it looked for.
  const empty = mkdtempSync(join(tmpdir(), 'sid-assets-'));
  try {
    setAssetBase(pathToFileURL(`${empty}/`));
    await assert.rejects(loadCore({}), /could not load file:.*speaker_id_core\.wasm \(ENOENT\)/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  // Nothing was loaded from it: the base can still change, to the package's asset folder.
  const dist = pathToFileURL(join(ROOT, 'web', 'dist', '/'));
  setAssetBase(dist);
  const sid = await SpeakerId.create({ lazy: true });
  assert.equal(sid.model.id, 'compact-ecapa-fp32');
  await sid.dispose();
  // Loaded: the same base again is fine, another is refused with the reason.
  setAssetBase(dist.href);
  assert.throws(() => setAssetBase('https://cdn.example/speaker-id/'), /before the first SpeakerId\.create\(\)/);
});

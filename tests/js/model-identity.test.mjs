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
    assert.equal(byId.threshold, 0.6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

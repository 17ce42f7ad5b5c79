// The default model changed (issue 11: retrained; issue 14: shipped int8, then its fp32 export on the core's own
// network): profiles and stores enrolled with an earlier default model (compact-ecapa v1, v2, the v3 int8 and the v3
// fp32 default, sha256 below) are refused with the model-mismatch message, never matched against the new one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelMismatchError, SpeakerId, loadCore } from '../../web/src/index.mjs';
import { createFileStore } from '../../web/src/stores/file-store.mjs';

const EARLIER = [
  { id: 'compact-ecapa', sha256: '8bc7a44e7b4429b41deeb788f7993e46f444d28d93a8e80b864ebd490c063407', dim: 192 },  // v1
  { id: 'compact-ecapa', sha256: '0646d49d8f9113c83430e9cb995178250805d3fcf25f20815c1bec341b391ca5', dim: 192 },  // v2, fp32
  { id: 'compact-ecapa', sha256: '0fc71ec3980085b0f6baa63c810854c12ab6e4b907609266690087cae53873a1', dim: 192 },  // v3 int8
  { id: 'compact-ecapa-fp32', sha256: 'ebe9963cbf56885ca2109dbdca645bd9ef8ba9eca7c9e416d3a8cffd26305c53', dim: 192 },  // v3 fp32
];
const embedding = () => Float32Array.from({ length: 192 }, (_, i) => Math.sin(i + 1));

for (const prev of EARLIER) test(`a store and a profile blob of an earlier default model (${prev.sha256.slice(0, 12)}…) are refused with the model-mismatch message`, async () => {
  const short = prev.sha256.slice(0, 12);
  const dir = mkdtempSync(join(tmpdir(), 'sid-upgrade-'));
  try {
    const old = createFileStore(dir);
    await old.open(prev);
    await old.addSamples('ann', [{ embedding: embedding(), durationSec: 3, speechSec: 2.5, createdAt: 1 }]);
    await assert.rejects(SpeakerId.create({ store: { file: dir } }),
      (e) => e instanceof ModelMismatchError && e.message.includes(`holds profiles of model '${prev.id}' (sha256 ${short}…`));
    // A blob exported with the previous model (what its export-profiles wrote: id, sha256, dim, samples).
    const core = await loadCore();
    const g = new core.Gallery(prev.id, prev.sha256, prev.dim);
    g.buffer(192).set(embedding());
    g.addSample('ann', 3, 2.5, 1);
    const blob = g.exportProfiles().slice();
    g.delete();
    const sid = await SpeakerId.create();
    try {
      assert.notEqual(sid.model.sha256, prev.sha256, 'the default model is not the previous one');
      await assert.rejects(sid.importProfiles(blob),
        (e) => e instanceof ModelMismatchError && e.message.includes(`the profiles are of model '${prev.id}' (sha256 ${short}…`));
      assert.deepEqual(await sid.speakers(), []);
    } finally {
      await sid.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

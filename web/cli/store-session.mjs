// Opening a SpeakerId on the file store for the store commands. The model is the one recorded in the store (so
// `identify` needs no --model after `enroll --model M`); an empty store takes --model or the embedded default.
// The SpeakerId is lazy: only a command that embeds audio (enroll, identify, verify) creates the ONNX session, so
// speakers / rename / remove / reset / export / import cost no inference runtime.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../src/errors.mjs';
import { loadManifest } from '../src/model-registry.mjs';
import { SpeakerId } from '../src/speaker-id.mjs';
import { readStoredModel, STORE_FILE } from '../src/stores/file-store.mjs';
import { UsageError } from './cli-common.mjs';

// The manifest id of the model a store was enrolled with, found by content (sha256): a store records no path, so a
// model outside the manifest must be given again with --model (any path or name of the same file).
async function storedModel(dir) {
  const stored = await readStoredModel(dir);
  if (!stored) return undefined;
  const { models } = await loadManifest();
  const known = models.find((m) => m.id === stored.id && m.onnx_sha256 === stored.sha256) ??
    models.find((m) => m.onnx_sha256 === stored.sha256);
  if (known) return known.id;
  throw new InvalidArgumentError(`the store ${dir} holds profiles of model '${stored.id}' (sha256 ` +
    `${stored.sha256.slice(0, 12)}…), which is not in the model manifest: pass --model PATH to that .onnx ` +
    '(any path or file name: it is recognised by its content)');
}

/** Runs fn(sid) on the store of values.store and always disposes it. `creates`: the command may start a new store. */
export async function withStore(values, fn, { creates = false } = {}) {
  if (!values.store) throw new UsageError('--store DIR is required');
  // Reading commands on a store that does not exist are most likely a typo in DIR: say so instead of "unknown".
  if (!creates && !existsSync(join(values.store, STORE_FILE))) {
    throw new InvalidArgumentError(`no store in ${values.store} (no ${STORE_FILE}): enroll a speaker first ` +
      `(speaker-id enroll --store ${values.store} NAME FILE...) or import profiles`);
  }
  const model = values.model ?? (await storedModel(values.store));
  if (values.threshold !== undefined && values['min-confidence'] !== undefined) {
    throw new UsageError('give --threshold or --min-confidence, not both');
  }
  const threshold = values['min-confidence'] !== undefined ? { confidence: values['min-confidence'] } : values.threshold;
  const sid = await SpeakerId.create({
    model, store: { file: values.store }, threshold, threads: values.threads, lazy: true,
  });
  try {
    return await fn(sid);
  } finally {
    await sid.dispose();
  }
}

// Opening a SpeakerId on the file store for the store commands. The model is the one recorded in the store (so
// `identify` needs no --model after `enroll --model M`); an empty store takes --model or the embedded default.
// The SpeakerId is lazy: only a command that embeds audio (enroll, identify, verify) creates the ONNX session, so
// speakers / rename / remove / reset / export / import cost no inference runtime.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../src/errors.mjs';
import { SpeakerId } from '../src/speaker-id.mjs';
import { readStoredModelId, STORE_FILE } from '../src/stores/file-store.mjs';
import { UsageError } from './cli-common.mjs';

/** Runs fn(sid) on the store of values.store and always disposes it. `creates`: the command may start a new store. */
export async function withStore(values, fn, { creates = false } = {}) {
  if (!values.store) throw new UsageError('--store DIR is required');
  // Reading commands on a store that does not exist are most likely a typo in DIR: say so instead of "unknown".
  if (!creates && !existsSync(join(values.store, STORE_FILE))) {
    throw new InvalidArgumentError(`no store in ${values.store} (no ${STORE_FILE}): enroll a speaker first ` +
      `(speaker-id enroll --store ${values.store} NAME FILE...) or import profiles`);
  }
  const model = values.model ?? (await readStoredModelId(values.store)) ?? undefined;
  const sid = await SpeakerId.create({
    model, store: { file: values.store }, threshold: values.threshold, threads: values.threads, lazy: true,
  });
  try {
    return await fn(sid);
  } finally {
    await sid.dispose();
  }
}

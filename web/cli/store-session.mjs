// What the store commands share: the --store/--model/--threshold options and opening a SpeakerId on the file store.
// The model is the one recorded in the store (so `identify` needs no --model after `enroll --model M`); an empty
// store takes --model or the embedded default.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../src/errors.mjs';
import { SpeakerId } from '../src/speaker-id.mjs';
import { readStoredModelId, STORE_FILE } from '../src/stores/file-store.mjs';

export const STORE_OPTIONS = {
  store: { type: 'string' },
  model: { type: 'string' },
  threshold: { type: 'string' },
  threads: { type: 'string', default: '1' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export const STORE_HELP = `  --store DIR     the enrollment store (created on first enrollment; one model per store)
  --model M       manifest id or .onnx path; default: the store's model, else the embedded default model
  --threshold T   decision threshold (raw cosine); default: the model's calibrated threshold
  --json          JSON output`;

export async function openStore(values, { UsageError }, { mustExist = true } = {}) {
  if (!values.store) throw new UsageError('--store DIR is required');
  // Reading commands on a store that does not exist are most likely a typo in DIR: say so instead of "unknown".
  if (mustExist && !existsSync(join(values.store, STORE_FILE))) {
    throw new InvalidArgumentError(`no store in ${values.store} (no ${STORE_FILE}): enroll a speaker first ` +
      `(speaker-id enroll --store ${values.store} NAME FILE...) or import profiles`);
  }
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new UsageError('--threads must be 1..64');
  let threshold;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (values.threshold.trim() === '' || !Number.isFinite(threshold)) throw new UsageError('--threshold must be a number');
  }
  const model = values.model ?? (await readStoredModelId(values.store)) ?? undefined;
  return SpeakerId.create({ model, store: { file: values.store }, threshold, threads });
}

/** Runs fn(sid) on an opened store and always disposes it. `creates`: the command may start a new store. */
export async function withStore(values, ctx, fn, { creates = false } = {}) {
  const sid = await openStore(values, ctx, { mustExist: !creates });
  try {
    return await fn(sid);
  } finally {
    await sid.dispose();
  }
}

export const out = (line) => process.stdout.write(line + '\n');

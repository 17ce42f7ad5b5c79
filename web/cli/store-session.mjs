// What the store commands share: the --store/--model/--threshold options and opening a SpeakerId on the file store.
// The model is the one recorded in the store (so `identify` needs no --model after `enroll --model M`); an empty
// store takes --model or the embedded default.
import { SpeakerId } from '../src/speaker-id.mjs';
import { readStoredModelId } from '../src/stores/file-store.mjs';

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

export async function openStore(values, { UsageError }) {
  if (!values.store) throw new UsageError('--store DIR is required');
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

/** Runs fn(sid) on an opened store and always disposes it. */
export async function withStore(values, ctx, fn) {
  const sid = await openStore(values, ctx);
  try {
    return await fn(sid);
  } finally {
    await sid.dispose();
  }
}

export const out = (line) => process.stdout.write(line + '\n');
export const pct = (x) => `${x}%`;

// Compiled by `tsc -p tests/types/tsconfig.es.json` (tests/js/types.test.mjs): the barest configuration, "lib":
// ["ES2022"] and "types": [] (no DOM, no @types/node) with skipLibCheck off. The declarations compile there too.
import { SpeakerId, SpeakerIdError, createDurableObjectStore, createIndexedDbStore, createMemoryStore, loadCore,
  type QualityReport } from 'speaker-id';
import { checkAdapter } from 'speaker-id/stores';
import { createFileStore } from 'speaker-id/stores/file';

export async function esMain(bytes: Uint8Array, samples: Float32Array): Promise<QualityReport[]> {
  await loadCore({ wasmBinary: bytes });
  const sid = await SpeakerId.create({ store: checkAdapter(createMemoryStore()) });
  const r = await sid.enroll('ann', [bytes, { samples, sampleRate: 16000 }]);
  try {
    await sid.identify(new ArrayBuffer(8));
  } catch (err) {
    if (err instanceof SpeakerIdError) return [];
  }
  await SpeakerId.create({ store: createFileStore('/tmp/enrollments') });
  await SpeakerId.create({ store: createIndexedDbStore({ indexedDB: { open: (name: string) => name } }) });
  // Cloudflare: the model as bytes (a Data module is an ArrayBuffer), enrollments in the Durable Object's storage.
  const storage = { kv: { get: (k: string) => k, put: () => {}, delete: () => true, list: () => new Map<string, unknown>() },
    transactionSync: <T>(f: () => T) => f(), sync: async () => {} };
  await SpeakerId.create({ model: bytes, store: createDurableObjectStore(storage, { prefix: 't1:' }) });
  await SpeakerId.create({ model: new ArrayBuffer(8) });
  // @ts-expect-error: a model is an id, a path/URL or bytes
  await SpeakerId.create({ model: 42 });
  // @ts-expect-error: the storage of a SQLite-backed Durable Object, not any object
  createDurableObjectStore({ get: () => undefined });
  return r.quality;
}

// Compiled by `tsc -p tests/types/tsconfig.node.json` (tests/js/types.test.mjs): a Node project's configuration,
// "lib": ["ES2022"] and "types": ["node"], no DOM and no skipLibCheck. The declarations must not need the DOM's
// IDBFactory, WebAssembly or Blob there, and the Node-side things a DOM-less user has are accepted.
import { readFileSync } from 'node:fs';
import { SpeakerId, createIndexedDbStore, loadCore } from 'speaker-id';
import { createFileStore } from 'speaker-id/stores/file';

export async function nodeMain(path: string): Promise<void> {
  const core = await loadCore({ wasmBinary: readFileSync('speaker_id_core.wasm') });
  const sid = await SpeakerId.create({ store: createFileStore('/tmp/enrollments'), wasmBinary: new Uint8Array(8) });
  await sid.enroll('ann', readFileSync(path));
  await sid.identify(new Blob([readFileSync(path)]));
  // An IndexedDB implementation for Node (e.g. fake-indexeddb): a factory with open(), typed by its package.
  const factory = { open: (name: string, version?: number) => ({ name, version }) };
  await SpeakerId.create({ store: createIndexedDbStore({ name: 'app', indexedDB: factory }) });
  // @ts-expect-error: a factory opens databases
  createIndexedDbStore({ indexedDB: { name: 'not a factory' } });
  console.log(core);
}

// The HTTP API in a server of the user's own (Request / Response are Node's globals).
import { createHandler, optionsFromEnv } from 'speaker-id/http';

export async function serveMain(request: Request): Promise<Response> {
  const api = createHandler({
    ...optionsFromEnv((k) => process.env[k]),
    speakerIdFor: (tenant) => SpeakerId.create({ store: createFileStore(`/srv/speakers/${tenant}`) }),
  });
  // @ts-expect-error: tokens are a 'token:tenant,...' string
  createHandler({ speakerIdFor: async () => SpeakerId.create(), tokens: ['a'] });
  const response = await api.fetch(request);
  await api.close();
  return response;
}

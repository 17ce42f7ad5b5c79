// Compiled with usage.ts under the DOM configuration (tests/types/tsconfig.json): there the DOM's own types are what
// the declarations take, as precise as before (nothing a DOM user writes is accepted that was refused).
import { SpeakerId, createIndexedDbStore, loadCore } from 'speaker-id';

export async function domMain(module: WebAssembly.Module, blob: Blob): Promise<void> {
  await loadCore({ wasmModule: module });
  const sid = await SpeakerId.create({ store: createIndexedDbStore({ indexedDB: globalThis.indexedDB }), wasmModule: module });
  await sid.identify(blob);
  // @ts-expect-error: in a DOM project the factory is an IDBFactory, not any object with open()
  createIndexedDbStore({ indexedDB: { open: (name: string) => name } });
  // @ts-expect-error: a Blob is a Blob, not any object with arrayBuffer()
  await sid.identify({ arrayBuffer: async () => new ArrayBuffer(0) });
}

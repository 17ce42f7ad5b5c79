// Resolves SpeakerId.create's `store` option to an adapter:
//   'memory' (default) | 'indexeddb' | { indexeddb: { name } } | { file: DIR } | an object implementing the adapter
//   interface (store-interface.mjs), e.g. the edge stores.
// Backends load lazily, and the file store is reached through `#platform`, so a browser bundle never contains
// node:* and Node never touches IndexedDB.
import { InvalidArgumentError } from '../errors.mjs';
import { checkAdapter } from './store-interface.mjs';

const ACCEPTED = "accepted: 'memory', 'indexeddb', { indexeddb: { name } }, { file: DIR }, or a store adapter object";

export async function openStoreOption(store = 'memory') {
  if (store === 'memory') return (await import('./memory-store.mjs')).createMemoryStore();
  if (store === 'indexeddb' || (store && typeof store === 'object' && 'indexeddb' in store)) {
    if (typeof globalThis.indexedDB === 'undefined' && !store?.indexeddb?.indexedDB) {
      throw new InvalidArgumentError("store 'indexeddb' needs IndexedDB (a browser or a worker); " + ACCEPTED);
    }
    const { createIndexedDbStore } = await import('./indexeddb-store.mjs');
    return createIndexedDbStore(typeof store === 'object' ? store.indexeddb ?? {} : {});
  }
  if (store && typeof store === 'object' && 'file' in store) {
    if (typeof store.file !== 'string' || !store.file) throw new InvalidArgumentError(`{ file: DIR } needs a directory path; ${ACCEPTED}`);
    // Node and Deno only: `#platform` (package.json "imports") is platform/web.mjs in browser builds, which refuses.
    return (await import('#platform')).openFileStore(store.file, store);
  }
  if (store && typeof store === 'object') return checkAdapter(store);
  throw new InvalidArgumentError(`unknown store ${JSON.stringify(store)}; ${ACCEPTED}`);
}

// Declarations of `speaker-id/stores` (index.mjs); the types live with the package's (web/src/index.d.ts).
export { ADAPTER_METHODS, checkAdapter, createMemoryStore, createIndexedDbStore, createDurableObjectStore } from '../index.js';
export type { Committed, DurableObjectStorageLike, DurableObjectStoreOptions, IndexedDbStoreOptions, StoreAdapter, StoreModel, StoredSample, StoredSpeaker, VersionToken } from '../index.js';

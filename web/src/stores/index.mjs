// `speaker-id/stores`: the storage adapters that run anywhere (browsers, workers, Node, edge runtimes) and the
// adapter interface (store-interface.mjs documents it) for writing another one. Nothing here imports node:*; the
// Node-only file store is `speaker-id/stores/file`. The Deno KV store receives the `Deno.Kv` from its caller, so
// importing it needs no Deno.
export { createMemoryStore } from './memory-store.mjs';
export { createIndexedDbStore } from './indexeddb-store.mjs';
export { createDurableObjectStore } from './durable-object-store.mjs';
export { createDenoKvStore } from './deno-kv-store.mjs';
export { ADAPTER_METHODS, checkAdapter } from './store-interface.mjs';

// Declarations of `speaker-id/stores` (index.mjs); the types live with the package's (web/src/index.d.ts), except
// the Deno KV store's, which are here: only this entry exports it.
import type { StoreAdapter } from '../index.js';
export { ADAPTER_METHODS, checkAdapter, createMemoryStore, createIndexedDbStore, createDurableObjectStore } from '../index.js';
export type { Committed, DurableObjectStorageLike, DurableObjectStoreOptions, IndexedDbStoreOptions, StoreAdapter, StoreModel, StoredSample, StoredSpeaker, VersionToken } from '../index.js';

/** A Deno KV key part (Deno.KvKeyPart), spelled out so that no Deno types are needed. */
export type DenoKvKeyPart = Uint8Array | string | number | bigint | boolean;

/**
 * The part of `Deno.Kv` the store uses (a `Deno.Kv` satisfies it); structural, so these declarations compile
 * without Deno's lib.
 */
export interface DenoKvLike {
  get(key: readonly DenoKvKeyPart[]): Promise<{ value: unknown; versionstamp: string | null }>;
  getMany(keys: readonly (readonly DenoKvKeyPart[])[]): Promise<{ value: unknown; versionstamp: string | null }[]>;
  list(selector: object): AsyncIterable<{ key: readonly unknown[]; value: unknown; versionstamp: string }>;
  atomic(): object;
}

export interface DenoKvStoreOptions {
  /** The key prefix this store's keys live under; one KV holds many stores (e.g. ['speaker-id', tenant]). Default ['speaker-id']. */
  prefix?: readonly DenoKvKeyPart[];
}

/**
 * A store adapter over a Deno KV database the caller opened (`await Deno.openKv(path)`) and closes; every mutation
 * is one atomic operation, checked against concurrent writers. Version tokens are strings.
 */
export function createDenoKvStore(kv: DenoKvLike, options?: DenoKvStoreOptions): StoreAdapter;

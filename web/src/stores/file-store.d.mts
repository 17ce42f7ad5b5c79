// Declarations of `speaker-id/stores/file` (file-store.mjs, Node only).
import type { StoreAdapter } from '../index.js';

/** The journal's file name inside a store directory. */
export const STORE_FILE: string;
/** A file store in `dir` (created by the first mutation). */
export function createFileStore(dir: string, options?: { lockTimeoutMs?: number }): StoreAdapter;
/** The model id recorded in `dir`'s store, or null when there is no store yet (reads only the header). */
export function readStoredModelId(dir: string): Promise<string | null>;
/** The model recorded in DIR's store (matched by sha256 and dim; the id is a label), or null when there is none. */
export function readStoredModel(dir: string): Promise<{ id: string; sha256: string; dim: number } | null>;

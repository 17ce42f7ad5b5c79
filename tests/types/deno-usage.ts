// Compiled by tests/js/deno-kv-store.test.mjs with Deno's own declarations (`deno types`, written to
// build/deno-types/deno.d.ts): a real `Deno.Kv` satisfies the store's structural DenoKvLike, and misuse is refused.
import { createDenoKvStore } from 'speaker-id/stores';

export async function main(): Promise<string | number> {
  const kv = await Deno.openKv();
  const s = createDenoKvStore(kv, { prefix: ['speaker-id', 'tenant'] });
  await s.open({ id: 'm', sha256: '0'.repeat(64), dim: 192 });
  // @ts-expect-error a prefix is an array of key parts
  createDenoKvStore(kv, { prefix: 'tenant' });
  // @ts-expect-error the KV comes first
  createDenoKvStore({ prefix: ['x'] });
  return s.version();
}

// Deno: one process of the Deno KV concurrency test (tests/js/deno-kv-store.test.mjs). Several processes run it
// at once on the same KV file, DIR/concurrency.kv.
//   DIR write PROCESS WRITERS ROUNDS: WRITERS concurrent writers, each with its own adapter on its own
//     Deno.openKv of the file, each enrolling ROUNDS new speakers `p<PROCESS>-w<writer>-<round>` and adding one
//     sample per round to the speaker 'shared' that every writer of every process appends to. Prints { ok: true }.
//   DIR read: prints { speakers: [[name, [createdAt...]]...] } as one adapter loads them.
import { createDenoKvStore } from '../../web/src/stores/deno-kv-store.mjs';

const MODEL = { id: 'concurrency-model', sha256: 'c0'.repeat(32), dim: 192 };
const [dir, mode, proc, writers, rounds] = Deno.args;
const path = `${dir}/concurrency.kv`;

// Sample of writer `w`, round `r`: its createdAt says who wrote it, its embedding bits check the payload.
const sample = (tag) => {
  const embedding = new Float32Array(MODEL.dim).map((_, i) => Math.fround(Math.sin(tag + i)));
  return { embedding, durationSec: 1, speechSec: 1, createdAt: tag };
};
const tagOf = (p, w, r) => p * 1e6 + w * 1e3 + r;

async function adapter() {
  const kv = await Deno.openKv(path);
  const store = createDenoKvStore(kv, { prefix: ['speaker-id', 'concurrency'] });
  await store.open(MODEL);
  return { kv, store };
}

if (mode === 'write') {
  const p = Number(proc);
  await Promise.all(Array.from({ length: Number(writers) }, async (_, w) => {
    const { kv, store } = await adapter();
    for (let r = 0; r < Number(rounds); r++) {
      await store.addSamples(`p${p}-w${w}-${r}`, [sample(tagOf(p, w, r))]);
      await store.addSamples('shared', [sample(tagOf(p, w, r))]);
    }
    await store.close();
    kv.close();
  }));
  console.log(JSON.stringify({ ok: true }));
} else {
  const { kv, store } = await adapter();
  const { speakers } = await store.load();
  // Every payload must be the one its createdAt names.
  const damaged = speakers.flatMap((sp) => sp.samples.filter((s) =>
    s.embedding.some((v, i) => v !== sample(s.createdAt).embedding[i])).map(() => sp.name));
  console.log(JSON.stringify({ speakers: speakers.map((sp) => [sp.name, sp.samples.map((s) => s.createdAt)]), damaged }));
  await store.close();
  kv.close();
}

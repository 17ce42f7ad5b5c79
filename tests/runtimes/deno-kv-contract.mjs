// Deno: the store contract (tests/js/store-contract.mjs, unchanged) on the Deno KV store over real KV files.
// Args: DIR (a temporary directory the caller removes). Prints one JSON line: { backend: [{ name, error? }] }.
// Backends:
//   file-per-store  create() opens a new KV file; reopen() opens that file again (a second Deno.openKv) and
//                   builds a new adapter on it, as another process or a restarted server would;
//   shared-kv       every store of every case lives in ONE KV file under its own prefix ['speaker-id', n]
//                   (the tenants of a server): reopen() is a new adapter on the same prefix.
import { CASES } from '../js/store-contract.mjs';
import { createDenoKvStore } from '../../web/src/stores/deno-kv-store.mjs';

const [dir] = Deno.args;
const opened = [];   // every Deno.Kv, closed at the end of its case
const openKv = async (path) => {
  const kv = await Deno.openKv(path);
  opened.push(kv);
  return kv;
};
const closeAll = () => { for (const kv of opened.splice(0)) kv.close(); };

let files = 0;
const pathOf = new WeakMap();
const filePerStore = {
  async create() {
    const path = `${dir}/store-${files++}.kv`;
    const adapter = createDenoKvStore(await openKv(path));
    pathOf.set(adapter, path);
    return adapter;
  },
  async reopen(adapter) {
    const path = pathOf.get(adapter);
    const again = createDenoKvStore(await openKv(path));
    pathOf.set(again, path);
    return again;
  },
};

let shared = null;
let tenants = 0;
const prefixOf = new WeakMap();
const sharedKv = {
  async create() {
    shared ??= await Deno.openKv(`${dir}/shared.kv`);
    const prefix = ['speaker-id', `tenant-${tenants++}`];
    const adapter = createDenoKvStore(shared, { prefix });
    prefixOf.set(adapter, prefix);
    return adapter;
  },
  reopen(adapter) {
    const again = createDenoKvStore(shared, { prefix: prefixOf.get(adapter) });
    prefixOf.set(again, prefixOf.get(adapter));
    return again;
  },
};

const results = {};
for (const [name, backend] of [['file-per-store', filePerStore], ['shared-kv', sharedKv]]) {
  results[name] = [];
  for (const c of CASES) {
    try {
      await c.run(backend);
      results[name].push({ name: c.name });
    } catch (err) {
      results[name].push({ name: c.name, error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` });
    } finally {
      closeAll();
    }
  }
}
// The shared KV holds every tenant of the second backend: each must see only its own speakers. Listed raw, its
// keys all lie under ['speaker-id', tenant].
const stray = [];
for await (const e of shared.list({ prefix: [] })) if (e.key[0] !== 'speaker-id' || !String(e.key[1]).startsWith('tenant-')) stray.push(e.key);
results.sharedKvStray = stray.map(String);
shared.close();
console.log(JSON.stringify(results));

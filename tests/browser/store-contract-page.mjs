// Runs the store contract (tests/js/store-contract.mjs) on the IndexedDB adapter in this page, one case per call,
// for tests/js/store-contract.test.mjs. Every create() gets a database name of its own; reopen() makes another
// adapter on the same database, as a second tab would.
import { contractCase } from '/tests/js/store-contract.mjs';
import { createIndexedDbStore } from '/web/src/stores/indexeddb-store.mjs';

const names = new WeakMap();   // adapter -> its database name prefix
let next = 0;
const backend = {
  create() {
    const name = `contract-${Date.now()}-${next++}`;
    const adapter = createIndexedDbStore({ name });
    names.set(adapter, name);
    return adapter;
  },
  reopen(adapter) {
    const again = createIndexedDbStore({ name: names.get(adapter) });
    names.set(again, names.get(adapter));
    return again;
  },
};

window.contract = {
  /** Runs contract case `name`: { ok: true } or { error: { message, stack } }. */
  async run(name) {
    try {
      await contractCase(name).run(backend);
      return { ok: true };
    } catch (err) {
      return { error: { message: String(err?.message ?? err), stack: String(err?.stack ?? '') } };
    }
  },
};
window.contractReady = true;

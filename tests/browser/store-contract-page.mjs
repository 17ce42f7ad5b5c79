// Runs the store contract (tests/js/store-contract.mjs) on the IndexedDB adapter in this page, one case per call,
// for tests/js/store-contract.test.mjs. Every create() gets a database name of its own; reopen() makes another
// adapter on the same database, as a second tab would.
import { contractCase } from '/tests/js/store-contract.mjs';
import { createIndexedDbStore } from '/web/src/stores/indexeddb-store.mjs';
import { encryptStore } from '/web/src/stores/encrypted-store.mjs';

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

// The same, each adapter wrapped by the encryption layer (one AES-GCM key for the page).
const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const innerOf = new WeakMap();
const encrypted = {
  otherShaCode: 'wrong_key',
  create() {
    const inner = backend.create();
    const a = encryptStore(inner, key);
    innerOf.set(a, inner);
    return a;
  },
  reopen(adapter) {
    const inner = backend.reopen(innerOf.get(adapter));
    const a = encryptStore(inner, key);
    innerOf.set(a, inner);
    return a;
  },
};

window.contract = {
  /** Runs contract case `name` (on the encrypted adapter when `sealed`): { ok: true } or { error: { message, stack } }. */
  async run(name, sealed = false) {
    try {
      await contractCase(name).run(sealed ? encrypted : backend);
      return { ok: true };
    } catch (err) {
      return { error: { message: String(err?.message ?? err), stack: String(err?.stack ?? '') } };
    }
  },
};
window.contractReady = true;

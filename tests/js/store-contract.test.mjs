// Runs the store contract (store-contract.mjs) on every adapter: memory and file (real temporary directories) in
// Node, IndexedDB in headless Chromium (tests/browser/store-contract-page.html runs each case in the page). Each
// case is its own subtest.
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES } from './store-contract.mjs';
import { launchChromium, startServer } from './chromium-harness.mjs';
import { createMemoryStore } from '../../web/src/stores/memory-store.mjs';
import { createFileStore } from '../../web/src/stores/file-store.mjs';
import { encryptStore } from '../../web/src/stores/encrypted-store.mjs';

const T = { timeout: 60000 };
const applies = (c, backend) => !c.persisting || typeof backend.reopen === 'function';

describe('memory store', () => {
  const backend = { create: createMemoryStore };
  for (const c of CASES) test(c.name, { ...T, skip: !applies(c, backend) && 'the memory store does not persist' }, () => c.run(backend));
});

// File stores in real temporary directories (not there yet, as for the CLI); removed after the suite.
function fileBackend(prefix) {
  const dirs = [];
  const dirOf = new WeakMap();
  const make = (dir) => {
    const adapter = createFileStore(dir);
    dirOf.set(adapter, dir);
    return adapter;
  };
  after(() => { for (const d of dirs) rmSync(join(d, '..'), { recursive: true, force: true }); });
  return {
    create() {
      const dir = join(mkdtempSync(join(tmpdir(), prefix)), 'store');
      dirs.push(dir);
      return make(dir);
    },
    reopen: (adapter) => make(dirOf.get(adapter)),
  };
}

describe('file store', () => {
  const backend = fileBackend('sid-contract-');
  for (const c of CASES) test(c.name, T, () => c.run(backend));
});

// Every backend again behind the encryption layer (SpeakerId.create({ encryption })): the contract holds unchanged.
const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
function sealed(backend) {
  const innerOf = new WeakMap();
  const wrap = (inner) => {
    const a = encryptStore(inner, key);
    innerOf.set(a, inner);
    return a;
  };
  return { create: () => wrap(backend.create()), reopen: backend.reopen && ((a) => wrap(backend.reopen(innerOf.get(a)))),
    otherShaCode: 'wrong_key' };
}

describe('memory store, encrypted', () => {
  const backend = sealed({ create: createMemoryStore });
  for (const c of CASES) test(c.name, { ...T, skip: !applies(c, backend) && 'the memory store does not persist' }, () => c.run(backend));
});

describe('file store, encrypted', () => {
  const backend = sealed(fileBackend('sid-contract-sealed-'));
  for (const c of CASES) test(c.name, T, () => c.run(backend));
});

describe('indexeddb store in Chromium', () => {
  let server;
  let browser;
  let page;
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await page.goto(`${server.origin}/tests/browser/store-contract-page.html`);
    await page.waitForFunction(() => window.contractReady === true);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  for (const sealedToo of [false, true]) {
    for (const c of CASES) {
      test(`${sealedToo ? 'encrypted: ' : ''}${c.name}`, T, async () => {
        const r = await page.evaluate(([name, s]) => window.contract.run(name, s), [c.name, sealedToo]);
        if (r.error) throw Object.assign(new Error(r.error.message), { stack: `${r.error.message}\n${r.error.stack}` });
      });
    }
  }
});

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

const T = { timeout: 60000 };
const applies = (c, backend) => !c.persisting || typeof backend.reopen === 'function';

describe('memory store', () => {
  const backend = { create: createMemoryStore };
  for (const c of CASES) test(c.name, { ...T, skip: !applies(c, backend) && 'the memory store does not persist' }, () => c.run(backend));
});

describe('file store', () => {
  const dirs = [];
  const dirOf = new WeakMap();
  const backend = {
    create() {
      const dir = join(mkdtempSync(join(tmpdir(), 'sid-contract-')), 'store');   // not there yet, as for the CLI
      dirs.push(dir);
      const adapter = createFileStore(dir);
      dirOf.set(adapter, dir);
      return adapter;
    },
    reopen(adapter) {
      const again = createFileStore(dirOf.get(adapter));
      dirOf.set(again, dirOf.get(adapter));
      return again;
    },
  };
  after(() => { for (const d of dirs) rmSync(join(d, '..'), { recursive: true, force: true }); });
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
  for (const c of CASES) {
    test(c.name, T, async () => {
      const r = await page.evaluate((name) => window.contract.run(name), c.name);
      if (r.error) throw Object.assign(new Error(r.error.message), { stack: `${r.error.message}\n${r.error.stack}` });
    });
  }
});

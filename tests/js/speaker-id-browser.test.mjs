// SpeakerId with store 'indexeddb' in real headless Chromium: two pages (tabs) of one origin enrolling at the same
// time lose nothing and see each other's speakers; enrollments survive a reload and a browser restart;
// identification on real speech works in the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED } from './helpers.mjs';
import { launchPersistentChromium, startServer } from './chromium-harness.mjs';

const wav = (spk, n) => Array.from(readFileSync(`${SHARED}/audio/speechbrain_tests_ASR/spk${spk}_snt${n}.wav`));
const PAGE = '/tests/browser/speaker-id-page.html';

async function openPage(context, origin) {
  const page = await context.newPage();
  await page.goto(`${origin}${PAGE}`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30000 });
  const call = async (method, ...args) => {
    const r = await page.evaluate(([m, a]) => window.api[m](...a), [method, args]);
    if (r && r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), r.error);
    return r;
  };
  assert.deepEqual(await call('open', { store: 'indexeddb' }), { model: 'compact-ecapa-fp32' });
  return { page, call };
}

test('SpeakerId on IndexedDB: concurrent tabs, reload, restart', { timeout: 120000 }, async () => {
  const server = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'sid-chromium-profile-'));
  try {
    await tabsAndReload(server, profile);
    await afterRestart(server, profile);
  } finally {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

async function tabsAndReload(server, profile) {
  const context = await launchPersistentChromium(profile);
  try {
    const a = await openPage(context, server.origin);
    const b = await openPage(context, server.origin);
    // Both tabs enroll at once: different speakers, and the same speaker from both sides.
    const [ra, rb] = await Promise.all([
      a.call('enroll', 'spk1', [wav(1, 1), wav(1, 2)]),
      b.call('enroll', 'spk2', [wav(2, 1), wav(2, 2)]),
    ]);
    assert.equal(ra.samples, 2);
    assert.equal(rb.samples, 2);
    await Promise.all([a.call('enroll', 'spk1', [wav(1, 3)]), b.call('enroll', 'spk1', [wav(1, 6)])]);
    // Enrollment order is commit order, which the race decides: compare as sets.
    const sorted = async (p) => (await p.call('speakers')).sort();
    assert.deepEqual(await sorted(a), [['spk1', 4], ['spk2', 2]]);
    assert.deepEqual(await b.call('speakers'), await a.call('speakers'));

    // A rename in one tab is what the other identifies with.
    await b.call('rename', 'spk2', 'Bea');
    assert.equal((await a.call('identify', wav(2, 4))).speaker, 'Bea');
    assert.equal((await a.call('identify', wav(1, 4))).speaker, 'spk1');

    // Reload: the enrollments are still there.
    await a.page.reload();
    await a.page.waitForFunction(() => window.ready === true);
    await a.call('open', { store: 'indexeddb' });
    assert.deepEqual(await sorted(a), [['Bea', 2], ['spk1', 4]]);

    // Export, reset from the other tab, import back.
    const blob = await a.call('exportProfiles');
    await b.call('reset');
    assert.deepEqual(await a.call('speakers'), []);
    assert.deepEqual(await a.call('importProfiles', blob), { speakers: 2, samples: 6 });
    assert.deepEqual(await sorted(b), [['Bea', 2], ['spk1', 4]]);
    await a.call('close');
    await b.call('close');
  } finally {
    await context.close();
  }
}

// A browser restart on the same profile directory: IndexedDB on disk.
async function afterRestart(server, profile) {
  const context = await launchPersistentChromium(profile);
  try {
    const c = await openPage(context, server.origin);
    assert.deepEqual((await c.call('speakers')).sort(), [['Bea', 2], ['spk1', 4]]);
    assert.equal((await c.call('identify', wav(1, 5))).speaker, 'spk1');
    assert.equal((await c.call('identify', wav(2, 5))).speaker, 'Bea');
    await c.call('close');
  } finally {
    await context.close();
  }
}

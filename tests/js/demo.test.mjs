// The browser demo (demo/web/, `npm run demo`) in real headless Chromium: a WAV of two unseen speakers (test-other:
// Ann's speech, then Bob's) is the fake microphone. Ann is enrolled from the microphone, Bob from files; live
// identification then labels both; the first visit downloads at most 5 MB (the precompressed web/dist/*.gz); the
// speakers survive a reload, an offline reload works, the page is cross-origin isolated, logs no errors and has no
// serious or critical accessibility violations (axe-core); screenshots at desktop and phone width are written to
// build/test-artifacts/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoServer } from '../../demo/web/server.mjs';
import { decodeAudio } from '../../web/src/audio-decode.mjs';
import { loadCore } from '../../web/src/core.mjs';
import { CHROMIUM } from './chromium-harness.mjs';
import { ROOT, SHARED, concatToLength, wavBytes } from './helpers.mjs';

const ARTIFACTS = join(ROOT, 'build', 'test-artifacts');
const TO = `${SHARED}/audio/librispeech_test-other`;
const ANN = ['1688', ['1688-142285-0000', '1688-142285-0001', '1688-142285-0002']];
const BOB = ['2414', ['2414-128291-0000', '2414-128291-0001', '2414-128291-0002', '2414-128291-0003']];
let server, context, dir, page;
const problems = [];

async function speech(spk, utts, sec) {
  const core = await loadCore();
  const parts = [];
  for (const u of utts) parts.push((await decodeAudio(core, readFileSync(`${TO}/${spk}/${u}.flac`))).interleaved);
  return concatToLength(parts, sec * 16000);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sid-demo-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  // The fake microphone: 14 s of Ann, then 14 s of Bob (Chromium loops the file).
  const ann = await speech(ANN[0], ANN[1], 14);
  const bob = await speech(BOB[0], BOB[1].slice(2), 14);
  const mic = new Float32Array(ann.length + bob.length);
  mic.set(ann);
  mic.set(bob, ann.length);
  writeFileSync(join(dir, 'mic.wav'), wavBytes(mic));
  for (const u of BOB[1].slice(0, 2)) writeFileSync(join(dir, `${u}.wav`), wavBytes(await speech(BOB[0], [u], 8)));
  server = await startDemoServer({ port: 0 });
  const { chromium } = await import('playwright-core');
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${join(dir, 'mic.wav')}`],
    permissions: ['microphone'],
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => d.accept());
});

after(async () => {
  await context?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ready = async () => {
  await page.waitForFunction(() => window.demo, null, { timeout: 60000 });
  await page.evaluate(() => window.demo.ready);
};
const speakers = () => page.$$eval('#speakers tbody tr td:first-child', (tds) => tds.map((td) => td.textContent.replace('● ', '')));
// The speakers table once it lists `n` rows (it is redrawn after the feedback line).
const listed = (n) => page.waitForFunction((k) => document.querySelectorAll('#speakers tbody tr td.actions').length === k, n);

test('enroll from the microphone and from files, identify both live, reload, offline reload', { timeout: 300000 }, async () => {
  // What the first visit downloads, counted where it is sent (the page, its workers and the service worker alike).
  const sent = [];
  server.server.prependListener('request', (req, res) => res.on('finish', () => sent.push({ path: req.url,
    bytes: Number(res.getHeader('content-length') ?? 0), encoding: res.getHeader('content-encoding') })));
  await page.goto(`${server.origin}/`);
  await ready();
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const total = sent.reduce((n, r) => n + r.bytes, 0);
  const big = sent.filter((r) => r.bytes > 500_000);
  assert.ok(big.length >= 1 && big.every((r) => r.encoding === 'gzip'), `the model not sent as its precompressed ` +
    `.gz: ${JSON.stringify(big)}`);
  // The default model runs on the core's own network: nothing of ONNX Runtime is downloaded.
  assert.deepEqual(sent.filter((r) => /ort/.test(r.path)), [], 'ONNX Runtime downloaded for the default model');
  assert.ok(total <= 5e6, `the first visit downloaded ${total} bytes (> 5 MB): ${JSON.stringify(sent)}`);
  console.log(`first visit: ${sent.length} responses, ${(total / 1e6).toFixed(2)} MB`);

  // Ann from the microphone: record ~10 s of the fake mic (her part), stop, enrolled.
  await page.fill('#name', 'Ann');
  await page.click('#record');
  await page.waitForTimeout(10000);
  await page.click('#record');
  await page.waitForFunction(() => /Enrolled Ann/.test(document.querySelector('#enroll-feedback').textContent), null, { timeout: 60000 });

  // Bob from two files.
  await page.fill('#name', 'Bob');
  await page.setInputFiles('#files', BOB[1].slice(0, 2).map((u) => join(dir, `${u}.wav`)));
  await page.waitForFunction(() => /Enrolled Bob/.test(document.querySelector('#enroll-feedback').textContent), null, { timeout: 60000 });
  await listed(2);
  assert.deepEqual(await speakers(), ['Ann', 'Bob']);

  // Live: the fake mic plays Ann then Bob; both are labelled.
  await page.click('#listen');
  await page.waitForFunction(() => {
    const names = new Set(window.demo.state.segments.map((s) => s.speaker));
    return names.has('Ann') && names.has('Bob');
  }, null, { timeout: 120000, polling: 500 });
  await page.click('#listen');
  await page.screenshot({ path: join(ARTIFACTS, 'demo-desktop.png'), fullPage: true });

  // Accessibility: no serious or critical violations.
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axe });
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`));
  assert.deepEqual(violations, []);

  // Phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, 'demo-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways at phone width by ${overflow} px`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Reload: the enrolled speakers are still there; offline reload (service worker) too.
  await page.reload();
  await ready();
  assert.deepEqual(await speakers(), ['Ann', 'Bob']);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  await page.reload();
  await ready();
  assert.deepEqual(await speakers(), ['Ann', 'Bob']);
  await context.setOffline(false);

  assert.deepEqual(problems, []);
});

test('in a page of the demo origin, /speaker-id.js enrolls from WAV bytes and identifies, surviving a reload', { timeout: 180000 }, async () => {
  const bytes = (spk, u) => [...readFileSync(`${TO}/${spk}/${u}.flac`)];
  const p = await context.newPage();
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await p.goto(`${server.origin}/no-such-page`);  // any page of the origin
  const run = (fn, arg) => p.evaluate(fn, arg);
  const enrolled = await run(async ([a, b]) => {
    const { SpeakerId } = await import('/speaker-id.js');
    const sid = await SpeakerId.create({ store: { indexeddb: { name: 'origin-check' } } });
    await sid.enroll('carol', a.map((x) => new Uint8Array(x)));
    await sid.enroll('dave', b.map((x) => new Uint8Array(x)));
    const names = (await sid.speakers()).map((s) => s.name);
    await sid.dispose();
    return names;
  }, [['0000', '0001', '0002'].map((n) => bytes('3005', `3005-163389-${n}`)),
    ['0000', '0001', '0002'].map((n) => bytes('367', `367-130732-${n}`))]);
  assert.deepEqual(enrolled, ['carol', 'dave']);
  await p.reload();
  const who = await run(async ([c, d]) => {
    const { SpeakerId } = await import('/speaker-id.js');
    const sid = await SpeakerId.create({ store: { indexeddb: { name: 'origin-check' } } });
    const r = [(await sid.identify(new Uint8Array(c))).speaker, (await sid.identify(new Uint8Array(d))).speaker];
    await sid.dispose();
    return r;
  }, [bytes('3005', '3005-163389-0005'), bytes('367', '367-130732-0005')]);
  assert.deepEqual(who, ['carol', 'dave']);
  await p.close();
  assert.deepEqual(problems, []);
});

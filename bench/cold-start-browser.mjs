// Cold start in Chromium: a fresh page from navigation to the first embedding with the default model, the way a web
// app without a bundler does it (README "Using it in a web app"): the page imports the prebuilt web/dist/speaker-id.js,
// calls SpeakerId.create() with no options (library defaults, threads included) and embed()s a 3 s 16 kHz WAV of real
// speech (bench/clips.mjs) twice. The WAV is part of the page (an init script holds it as base64, decoded by the page
// before create(): no request), so the clock only covers what the library loads.
//
// The page and web/dist/ are served over node:http on 127.0.0.1 (no network shaping: the transfer is loopback) with
// realistic static-hosting headers: assets `Cache-Control: public, max-age=86400` + ETag, the page `no-cache` + ETag
// (revalidated: 304), `application/wasm` for .wasm (so streaming compilation and V8's code cache apply), gzip where
// the client accepts it: the precompressed web/dist/X.gz where .ci/setup made one (as gzip_static serves it), else
// made once at start (level 6). --isolated adds COOP/COEP (the page is
// then crossOriginIsolated; by default it is not). Each run records crossOriginIsolated, the backend (SpeakerId
// .backend: 'core' when the core's own network runs the model, as it does the default; 'wasm' for ONNX Runtime Web)
// and its thread count. --chromium-arg passes a switch to Chromium (e.g. --js-flags=--liftoff-only, to see where
// compilation time goes); the warm profile's wasm code-cache size after the first visit is printed to stderr.
//
// Modes, interleaved run by run (median (min-max) of --runs each):
//   warm  a returning user: one browser profile (a temp dir) that loaded the page once before (unmeasured, left open
//         a few seconds so V8 can write its code cache); every measured run relaunches Chromium on that profile, so
//         only what a profile keeps on disk carries over (HTTP cache, V8's code cache), nothing from memory
//   cold  a first visit: a fresh profile per run
// Phases are timestamps since navigation start (performance.timeOrigin), observed from outside the library: Resource
// Timing (responseEnd, transferSize per file), and wrappers the init script puts around WebAssembly.compile /
// instantiate(Streaming) (the core's and, for a model ONNX Runtime runs, ORT's .wasm) and crypto.subtle.digest (the
// model's sha256). Nothing of ONNX Runtime is loaded by the page itself.
// Prints a table and, as the last stdout line, JSON { runs, isolated, modes: { warm|cold: { phases, bytes, ... } } }.
//   node bench/cold-start-browser.mjs [--runs N] [--modes warm,cold] [--isolated] [--chromium-arg=--switch ...]
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { clipWav } from './clips.mjs';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '9' }, modes: { type: 'string', default: 'warm,cold' },
  isolated: { type: 'boolean', default: false }, 'chromium-arg': { type: 'string', multiple: true, default: [] },
} });
const RUNS = Number(values.runs);
const MODES = values.modes.split(',');
const DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', ...values['chromium-arg']];

// ---- the page --------------------------------------------------------------------------------------------------
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>speaker-id cold start</title>
<script type="module">
import { SpeakerId } from './speaker-id/speaker-id.js';
performance.mark('bench:module-loaded');
const wav = window.__benchWav();
const result = { crossOriginIsolated: globalThis.crossOriginIsolated === true, userAgent: navigator.userAgent };
try {
  performance.mark('bench:create-start');
  const creating = SpeakerId.create();
  const sid = await creating;
  performance.mark('bench:create-resolved');
  const first = await sid.embed(wav);
  performance.mark('bench:first-embed');
  const second = await sid.embed(wav);
  performance.mark('bench:second-embed');
  result.threads = sid.threads;
  result.backend = sid.backend;
  result.embedding = Array.from(first.slice(0, 8));
  result.sameTwice = first.every((v, i) => v === second[i]);
  result.dim = first.length;
  await sid.dispose();
} catch (err) {
  result.error = String(err?.stack ?? err);
}
result.marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
result.resources = performance.getEntriesByType('resource').map((r) => ({ name: r.name, startTime: r.startTime,
  responseEnd: r.responseEnd, transferSize: r.transferSize, encodedBodySize: r.encodedBodySize,
  decodedBodySize: r.decodedBodySize }));
const nav = performance.getEntriesByType('navigation')[0];
result.navigation = { responseEnd: nav.responseEnd, transferSize: nav.transferSize };
result.wasm = window.__benchWasm;
result.digests = window.__benchDigests;
window.__result = result;
</script>
`;

// Runs in the page before its scripts: the WAV, and wrappers that time wasm compilation and the model's sha256.
const INIT = (wavBase64) => `(() => {
  const b64 = ${JSON.stringify(wavBase64)};
  window.__benchWav = () => {
    const s = atob(b64);
    const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  };
  const wasm = window.__benchWasm = [];
  const size = (x) => x?.byteLength ?? null;
  for (const name of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
    const orig = WebAssembly[name];
    WebAssembly[name] = function (source, ...rest) {
      const e = { name, start: performance.now(), bytes: size(source), module: source instanceof WebAssembly.Module };
      wasm.push(e);
      Promise.resolve(source).then((s) => { if (s && s.url) e.url = s.url; }, () => {});
      const p = orig.call(WebAssembly, source, ...rest);
      p.then(() => { e.end = performance.now(); }, () => { e.failed = true; });
      return p;
    };
  }
  const digests = window.__benchDigests = [];
  const digest = crypto.subtle.digest.bind(crypto.subtle);
  crypto.subtle.digest = function (alg, data) {
    const e = { start: performance.now(), bytes: data.byteLength };
    digests.push(e);
    const p = digest(alg, data);
    p.then(() => { e.end = performance.now(); });
    return p;
  };
})();`;

// ---- the server ------------------------------------------------------------------------------------------------
const MIME = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html',
  '.onnx': 'application/octet-stream', '.map': 'application/json' };
function file(body, type, cache, precompressed) {
  const gz = precompressed ?? (/^(text|application\/(wasm|json|octet-stream))/.test(type) ? gzipSync(body, { level: 6 }) : null);
  return { body, gz, type, cache, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"` };
}
function startServer() {
  const files = new Map([['/', file(Buffer.from(PAGE), 'text/html; charset=utf-8', 'no-cache')]]);
  const names = readdirSync(DIST);
  for (const name of names.filter((n) => !n.endsWith('.gz'))) {
    files.set(`/speaker-id/${name}`, file(readFileSync(join(DIST, name)), MIME[extname(name)] ?? 'application/octet-stream',
      'public, max-age=86400', names.includes(`${name}.gz`) ? readFileSync(join(DIST, `${name}.gz`)) : undefined));
  }
  const counts = { 200: 0, 304: 0, 404: 0 };
  const isolation = values.isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    const f = files.get(new URL(req.url, 'http://x').pathname);
    if (!f) { counts[404]++; res.writeHead(404).end(); return; }
    const headers = { 'Cache-Control': f.cache, ETag: f.etag, Vary: 'Accept-Encoding', ...isolation };
    if (req.headers['if-none-match'] === f.etag) { counts[304]++; res.writeHead(304, headers).end(); return; }
    counts[200]++;
    const gzip = f.gz && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? f.gz : f.body;
    res.writeHead(200, { ...headers, 'Content-Type': f.type, 'Content-Length': body.length,
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`, counts, close: () => new Promise((r) => server.close(r)),
  })));
}

// ---- one run ---------------------------------------------------------------------------------------------------
const { chromium } = await import('playwright-core');
const wavBase64 = clipWav(3, 16000).toString('base64');

// A fresh Chromium on profile `dir`, one page, navigation -> result; `linger` ms more on the page before closing.
async function visit(server, dir, linger = 0) {
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS });
  try {
    await context.addInitScript(INIT(wavBase64));
    const page = context.pages()[0] ?? await context.newPage();
    const before = { ...server.counts };
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 120000, polling: 50 });
    const r = await page.evaluate(() => window.__result);
    if (r.error) throw new Error(`the page failed: ${r.error}`);
    if (linger) await page.waitForTimeout(linger);
    r.served = { 200: server.counts[200] - before[200], 304: server.counts[304] - before[304] };
    return r;
  } finally {
    await context.close();
  }
}

const ASSETS = { 'speaker-id.js': 'module', 'ort.wasm.bundle.min.mjs': 'ortModule', 'speaker_id_core.wasm': 'coreWasm',
  'ort-wasm-simd-threaded.wasm': 'ortWasm', 'compact-ecapa-fp32.onnx': 'model', 'compact-ecapa.onnx': 'model' };

// The page's record -> { phase: ms since navigation start | duration, ... } and { file: transferSize }.
function measures(r) {
  const m = r.marks;
  const res = Object.fromEntries(r.resources.map((e) => [ASSETS[e.name.split('/').pop()], e]).filter(([k]) => k));
  const isCore = (e) => (e.url ?? '').endsWith('speaker_id_core.wasm') || (e.name === 'compile' && e.bytes < 2e6);
  const coreCompiledMs = r.wasm.find((e) => isCore(e) && e.name.startsWith('compile'))?.end;
  const coreReadyMs = r.wasm.find((e) => e.module && e.name === 'instantiate')?.end;  // the core's: from its Module
  const ortWasmReadyMs = r.wasm.find((e) => (e.url ?? '').endsWith('ort-wasm-simd-threaded.wasm') ||
    (e.name === 'instantiate' && e.bytes > 2e6))?.end;
  const digest = r.digests.find((d) => d.bytes > 1e6);  // the model's sha256
  const t = {
    moduleLoadedMs: m['bench:module-loaded'],
    coreFetchedMs: res.coreWasm?.responseEnd,
    coreCompiledMs,
    coreReadyMs,
    modelFetchedMs: res.model?.responseEnd,
    modelHashedMs: digest?.end,
    ortWasmFetchedMs: res.ortWasm?.responseEnd,
    ortWasmReadyMs,
    createResolvedMs: m['bench:create-resolved'],
    firstEmbeddingMs: m['bench:first-embed'],
    createMs: m['bench:create-resolved'] - m['bench:create-start'],
    firstEmbedMs: m['bench:first-embed'] - m['bench:create-resolved'],
    secondEmbedMs: m['bench:second-embed'] - m['bench:first-embed'],
  };
  const bytes = { page: r.navigation.transferSize };
  for (const [k, e] of Object.entries(res)) bytes[k] = e.transferSize;
  bytes.total = Object.values(bytes).reduce((a, b) => a + b, 0);
  return { t, bytes };
}

function dirBytes(dir) {
  let n = 0;
  for (const e of (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])) {
    n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  }
  return n;
}

// ---- main ------------------------------------------------------------------------------------------------------
const server = await startServer();
const warmDir = mkdtempSync(join(tmpdir(), 'sid-bench-browser-warm-'));
const samples = Object.fromEntries(MODES.map((m) => [m, []]));
const info = {};
try {
  if (MODES.includes('warm')) {
    await visit(server, warmDir, 5000);  // the first visit, unmeasured; V8 caches its code
    info.codeCacheBytes = dirBytes(join(warmDir, 'Default', 'Code Cache', 'wasm'));
    console.error(`warm profile: ${info.codeCacheBytes} bytes of wasm code cache after the first visit`);
  }
  for (let i = 0; i < RUNS; i++) {
    for (const mode of MODES) {
      const dir = mode === 'warm' ? warmDir : mkdtempSync(join(tmpdir(), 'sid-bench-browser-cold-'));
      try {
        const r = await visit(server, dir);
        samples[mode].push(r);
        info[mode] ??= { crossOriginIsolated: r.crossOriginIsolated, backend: r.backend, threads: r.threads, dim: r.dim };
        if (r.dim !== 192 || !r.sameTwice) throw new Error(`unexpected embedding (dim ${r.dim}, same twice ${r.sameTwice})`);
        if (samples[mode][0].embedding.some((v, k) => v !== r.embedding[k])) throw new Error('the embedding changed between runs');
      } finally {
        if (mode === 'cold') rmSync(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await server.close();
  rmSync(warmDir, { recursive: true, force: true });
}

const ms = (x) => Math.round(x * 10) / 10;
const stats = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return null;
  return { medianMs: ms(s[s.length >> 1]), minMs: ms(s[0]), maxMs: ms(s[s.length - 1]) };
};
const result = { runs: RUNS, isolated: values.isolated, chromium: null, modes: {} };
for (const mode of MODES) {
  const rows = samples[mode].map(measures);
  const phases = Object.fromEntries(Object.keys(rows[0].t).map((k) => [k, stats(rows.map((r) => r.t[k]))]));
  const bytes = Object.fromEntries(Object.keys(rows[0].bytes).map((k) => [k, stats(rows.map((r) => r.bytes[k]))?.medianMs]));
  const served = { 200: samples[mode].map((r) => r.served[200]).sort((a, b) => a - b)[RUNS >> 1],
    304: samples[mode].map((r) => r.served[304]).sort((a, b) => a - b)[RUNS >> 1] };
  result.modes[mode] = { ...info[mode], phases, bytes, served };
  result.chromium ??= samples[mode][0].userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? null;
}

const LABELS = {
  moduleLoadedMs: 'speaker-id.js loaded (page script runs)', coreFetchedMs: 'core wasm fetched',
  coreCompiledMs: 'core wasm compiled', coreReadyMs: 'core wasm instantiated', modelFetchedMs: 'model fetched', modelHashedMs: 'model sha256 done',
  ortWasmFetchedMs: 'ORT wasm fetched', ortWasmReadyMs: 'ORT wasm compiled + instantiated',
  createResolvedMs: 'SpeakerId.create() resolved',
  firstEmbeddingMs: 'first embedding (the goal)', createMs: 'create() duration', firstEmbedMs: 'first embed()',
  secondEmbedMs: 'second embed() (warm)',
};
const cell = (s) => (s ? `${s.medianMs.toFixed(0)} (${s.minMs.toFixed(0)}-${s.maxMs.toFixed(0)})` : '-').padStart(20);
console.log(`cold start in Chromium, default model, 3 s WAV, median (min-max) of ${RUNS}, ms since navigation start`);
console.log(`${''.padEnd(42)}${MODES.map((m) => `${m} HTTP cache`.padStart(20)).join('')}`);
for (const key of Object.keys(LABELS)) {
  if (key === 'createMs') console.log('durations');
  console.log(`  ${LABELS[key].padEnd(40)}${MODES.map((m) => cell(result.modes[m].phases[key])).join('')}`);
}
console.log('bytes transferred (Resource Timing transferSize, median)');
for (const key of ['page', ...Object.values(ASSETS), 'total']) {
  console.log(`  ${key.padEnd(40)}${MODES.map((m) => String(result.modes[m].bytes[key] ?? '-').padStart(20)).join('')}`);
}
for (const m of MODES) {
  const x = result.modes[m];
  console.log(`${m}: crossOriginIsolated ${x.crossOriginIsolated}, backend ${x.backend}, threads ${x.threads}, server answered ` +
    `${x.served[200]} x 200 and ${x.served[304]} x 304 per run (median)`);
}
console.log(JSON.stringify(result));

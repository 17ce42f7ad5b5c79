// The package in web apps, as a web developer gets it: `npm pack` of this checkout installed into a fresh app
// outside the repository, then
//   - built with Vite (no configuration, nothing copied by hand), served cross-origin isolated, with the defaults
//     (the default model on the core's own network, one thread, nothing of ONNX Runtime fetched);
//   - bundled with esbuild by exactly the steps of the README ("Using it in a web app": the block this test runs),
//     cross-origin isolated, asking for 2 threads (so ONNX Runtime Web runs the model, with its workers);
//   - the prebuilt browser module web/dist/speaker-id.js loaded by a plain HTML page, no bundler, no copy,
//     cross-origin isolated, with the defaults; and once not isolated, where 2 threads asked for are one (ORT);
// each served on 127.0.0.1 and driven in one headless Chromium: enroll two speakers from WAV bytes, identify their
// other recordings from FLAC bytes (WebAudio decodes them in the browser), with the scores Node gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { ROOT, SHARED } from './helpers.mjs';
import { launchChromium } from './chromium-harness.mjs';
import { ASSET_NAMES } from '../../web/src/assets.mjs';
import { loadCore } from '../../web/src/core.mjs';
import { decodeAudio } from '../../web/src/audio-decode.mjs';
import { SpeakerId } from '../../web/src/index.mjs';

const CORPUS = `${SHARED}/audio/librispeech_test-other`;
const clip = (spk, utt) => `${CORPUS}/${spk}/${spk}-${utt}.flac`;
// Short recordings (3-8 s): two to enroll and two to identify per speaker.
const ENROLL = { 1688: ['142285-0003', '142285-0004'], 2414: ['128291-0001', '128291-0007'] };
const IDENTIFY = [['1688', '142285-0005'], ['1688', '142285-0008'], ['2414', '128291-0006'], ['2414', '128291-0003']];
const skip = existsSync(CORPUS) ? false : `${CORPUS} is not here`;

// 16-bit PCM WAV of decoded audio (the FLAC's own integers: decodeAudio gives int / 32768 exactly).
function wavBytes({ sampleRate, channels, interleaved }) {
  const out = Buffer.alloc(44 + interleaved.length * 2);
  out.write('RIFF', 0); out.writeUInt32LE(out.length - 8, 4); out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24); out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32); out.writeUInt16LE(16, 34); out.write('data', 36);
  out.writeUInt32LE(interleaved.length * 2, 40);
  interleaved.forEach((v, i) => out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), 44 + 2 * i));
  return out;
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.map': 'application/json' };

// A static server over one or more folders (the first that has the path wins); `isolated` adds COOP/COEP.
async function serve(roots, { isolated = false } = {}) {
  const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    for (const root of roots) {
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep)) continue;
      let body;
      try { body = readFileSync(file); } catch { continue; }
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', ...headers }).end(body);
      return;
    }
    res.writeHead(404, headers).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

// What every app page exposes to the test (the app's own code around the package's API).
const EXPOSE = `
export function expose(SpeakerId) {
  let sid = null;
  const guard = (fn) => async (...args) => {
    try { return await fn(...args); } catch (err) { return { error: String(err && err.stack || err) }; }
  };
  window.api = {
    open: guard(async (options) => {
      sid = await SpeakerId.create(options);
      return { model: sid.model.id, isolated: globalThis.crossOriginIsolated === true, backend: sid.backend,
        threads: sid.threads, cores: navigator.hardwareConcurrency };
    }),
    enroll: guard(async (name, list) => (await sid.enroll(name, list.map((a) => new Uint8Array(a)))).samples),
    identify: guard(async (audio) => {
      const r = await sid.identify(new Uint8Array(audio));
      return { speaker: r.speaker, score: r.score };
    }),
    close: guard(async () => { await sid.dispose(); return true; }),
  };
  window.ready = true;
}
`;

const page = (script) => `<!doctype html>\n<meta charset="utf-8">\n<title>speaker-id app</title>\n${script}\n`;

// The README's esbuild steps: the bash block after the marker in "Using it in a web app".
function readmeEsbuildSteps() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- esbuild steps[^>]*-->\s*```bash\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README.md has the esbuild steps block');
  return m[1];
}

// No node:* import left in a browser bundle (ONNX Runtime's guarded `require("node:os")` shim is not an import).
function assertNoNodeImports(dir) {
  for (const f of readdirSync(dir, { recursive: true }).filter((f) => /\.m?js$/.test(f))) {
    const code = readFileSync(join(dir, f), 'utf8');
    assert.doesNotMatch(code, /\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\bimport\s*["']node:/, `${f} imports node:*`);
    assert.doesNotMatch(code, /@audio\/decode|FLACDecoder/, `${f} carries a Node audio decoder`);
  }
}

test('the packed package in a Vite app, an esbuild app (README steps) and a plain page, in Chromium',
  { skip, timeout: 480000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'sid-bundlers-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  // The audio, and what Node (this checkout's sources) scores it: the browsers must agree.
  const core = await loadCore();
  const wav = {};
  for (const [spk, utts] of Object.entries(ENROLL)) {
    wav[spk] = await Promise.all(utts.map(async (u) =>
      Array.from(wavBytes(await decodeAudio(core, readFileSync(clip(spk, u)))))));
  }
  const flac = IDENTIFY.map(([spk, utt]) => Array.from(readFileSync(clip(spk, utt))));
  const sid = await SpeakerId.create();
  for (const [spk, list] of Object.entries(wav)) await sid.enroll(spk, list.map((a) => new Uint8Array(a)));
  const expected = [];
  for (const a of flac) expected.push(await sid.identify(new Uint8Array(a)));
  await sid.dispose();
  assert.deepEqual(expected.map((r) => r.speaker), IDENTIFY.map(([spk]) => spk), 'Node identifies them');

  // Pack and install, as package-install.test.mjs does; the bundlers at the versions this checkout pins.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT));
  const files = packed[0].files.map((f) => f.path);
  for (const name of [...ASSET_NAMES, 'speaker-id.js', 'ort.wasm.bundle.min.mjs']) {
    assert.ok(files.includes(`web/dist/${name}`), `web/dist/${name} is in the package`);
  }
  const dev = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies;
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sid-web-app', private: true, type: 'module' }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, packed[0].filename),
    `vite@${dev.vite}`, `esbuild@${dev.esbuild}`], app);
  writeFileSync(join(app, 'src', 'expose.js'), EXPOSE);

  // Vite: an index.html and a module importing the package; `vite build`, nothing else.
  mkdirSync(join(app, 'vite-app'));
  writeFileSync(join(app, 'vite-app', 'index.html'), page('<script type="module" src="./main.js"></script>'));
  writeFileSync(join(app, 'vite-app', 'main.js'),
    "import { SpeakerId } from 'speaker-id';\nimport { expose } from '../src/expose.js';\nexpose(SpeakerId);\n");
  run(join(app, 'node_modules', '.bin', 'vite'), ['build', 'vite-app', '--logLevel', 'warn'], app);
  const viteOut = join(app, 'vite-app', 'dist');
  const emitted = readdirSync(join(viteOut, 'assets'));
  for (const ext of ['.wasm', '.onnx']) {
    assert.ok(emitted.some((f) => f.endsWith(ext)), `Vite emitted the ${ext} files: ${emitted}`);
  }
  assertNoNodeImports(viteOut);

  // esbuild: the README's block, run as it stands in the app (src/main.js -> public/build/, the asset folder copied
  // to public/speaker-id/), with the app's code calling setAssetBase('/speaker-id/') as the README says.
  writeFileSync(join(app, 'src', 'main.js'), "import { SpeakerId, setAssetBase } from 'speaker-id';\n" +
    "import { expose } from './expose.js';\nsetAssetBase('/speaker-id/');\nexpose(SpeakerId);\n");
  mkdirSync(join(app, 'public'));
  writeFileSync(join(app, 'public', 'index.html'), page('<script type="module" src="/build/main.js"></script>'));
  run('bash', ['-euo', 'pipefail', '-c', readmeEsbuildSteps()], app);
  assertNoNodeImports(join(app, 'public', 'build'));

  // A plain page: the installed package's web/dist/ served as it is, the page beside speaker-id.js.
  const plain = join(app, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'index.html'), page(`<script type="module">
  import { SpeakerId } from './speaker-id.js';
  import { expose } from './expose.js';
  expose(SpeakerId);
</script>`));
  cpSync(join(app, 'src', 'expose.js'), join(plain, 'expose.js'));

  const plainRoots = [plain, join(app, 'node_modules', 'speaker-id', 'web', 'dist')];
  // [what, server, isolated, all, threads asked]: `all` false: one identification only. Without `threads` the
  // default model runs on the core's network; 2 threads asked for run it on ONNX Runtime Web (same embeddings).
  const servers = [
    ['vite', await serve([viteOut], { isolated: true }), true, true, undefined],
    ['esbuild', await serve([join(app, 'public')], { isolated: true }), true, true, 2],
    ['plain page', await serve(plainRoots, { isolated: true }), true, true, undefined],
    // Not cross-origin isolated: ONNX Runtime runs on one thread, whatever is asked.
    ['plain page, not isolated', await serve(plainRoots), false, false, 2],
  ];
  const browser = await launchChromium();
  try {
    for (const [what, server, isolated, all, asked] of servers) {
      const tab = await browser.newPage();
      const problems = [];
      const warnings = [];
      let workers = 0;
      tab.on('worker', () => { workers += 1; });
      tab.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
      tab.on('pageerror', (err) => problems.push(String(err)));
      tab.on('requestfailed', (req) => problems.push(`${req.url()} ${req.failure()?.errorText}`));
      const ortWasm = [];
      tab.on('response', (res) => {
        if (res.status() >= 400) problems.push(`${res.url()} HTTP ${res.status()}`);
        if (/ort-wasm-simd-threaded[^/]*\.wasm$/.test(new URL(res.url()).pathname)) ortWasm.push(res.url());
      });
      await tab.goto(`${server.origin}/`);
      await tab.waitForFunction(() => window.ready === true, null, { timeout: 30000 });
      const call = async (method, ...args) => {
        const r = await tab.evaluate(([m, a]) => window.api[m](...a), [method, args]);
        assert.equal(r?.error, undefined, `${what}: ${method}: ${r?.error}\n${problems.join('\n')}`);
        return r;
      };
      const opened = await call('open', asked ? { threads: asked } : {});
      const backend = asked ? 'wasm' : 'core';
      const threads = asked && isolated ? asked : 1;
      assert.deepEqual(opened, { model: 'compact-ecapa-fp32', isolated, backend, threads, cores: opened.cores }, what);
      for (const [spk, list] of Object.entries(all ? wav : {})) assert.equal(await call('enroll', spk, list), 2, what);
      let worst = 0;
      for (const [i, audio] of (all ? flac : flac.slice(0, 1)).entries()) {
        if (!all) {
          assert.equal((await call('identify', audio)).speaker, null, `${what}: nobody enrolled`);
          continue;
        }
        const r = await call('identify', audio);
        assert.equal(r.speaker, IDENTIFY[i][0], `${what}: ${IDENTIFY[i].join('-')}`);
        worst = Math.max(worst, Math.abs(r.score - expected[i].score));
      }
      t.diagnostic(`${what}: ${workers} thread worker(s)` +
        (all ? `, largest score difference to Node ${worst.toExponential(1)}` : ''));
      assert.ok(worst < 1e-3, `${what}: scores differ from Node's by ${worst}`);
      await call('close');
      assert.deepEqual(problems, [], what);
      // Threads: ONNX Runtime's workers on an isolated page (with more than one core); elsewhere none, and no
      // fallback warning, since one thread is all that is asked of it there.
      const fellBack = warnings.some((w) => /Falling back to single-threading/.test(w));
      assert.equal(fellBack, false, `${what}: ${warnings.join('\n')}`);
      assert.equal(workers > 0, threads > 1, `${what}: ${workers} workers for ${threads} threads`);
      // ONNX Runtime's 14 MB .wasm is fetched only where ORT runs the model.
      assert.equal(ortWasm.length > 0, backend === 'wasm', `${what}: ORT's .wasm fetched: ${ortWasm.join(', ') || 'no'}`);
      await tab.close();
    }
  } finally {
    await browser.close();
    for (const [, server] of servers) await server.close();
  }
});

// HTTP load: identify throughput and p50 / p95 latency at concurrency 1, 4 and 16 against each runtime of the
// Speaker-ID API (`speaker-id serve`, Deno, Cloudflare workerd), each started fresh on 127.0.0.1 as users run it,
// with three enrolled speakers and a 3 s WAV probe of real speech. Benchmarks, not tests: compare the ratios.
//   node bench/http-load.mjs [--quick] [--runtimes node,deno,cloudflare]   -> a table, and JSON as the last line
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../web/src/audio-decode.mjs';
import { loadCore } from '../web/src/core.mjs';
import { startHttpRuntime } from '../tests/js/http-runtime.mjs';
import { SHARED, wavBytes } from '../tests/js/helpers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const pick = args.includes('--runtimes') ? args[args.indexOf('--runtimes') + 1].split(',') : ['node', 'deno', 'cloudflare'];
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
const TOKEN = 'bench-token-0123456789abcdef';

const RUNTIMES = {
  node: (env) => startHttpRuntime({ command: process.execPath, args: [`${ROOT}web/cli/speaker-id.mjs`, 'serve'], env, cwd: ROOT }),
  deno: (env) => startHttpRuntime({ command: 'npm', args: ['run', '--silent', 'edge:deno'], env, cwd: ROOT }),
  cloudflare: (env) => startHttpRuntime({ command: 'npm', args: ['run', '--silent', 'edge:cloudflare'], env, cwd: ROOT }),
};
const SCRIPT = { deno: 'edge:deno', cloudflare: 'edge:cloudflare' };

const core = await loadCore();
async function wav(speaker, index, seconds) {
  const dir = `${SHARED}/audio/librispeech_test-other/${speaker}`;
  const d = await decodeAudio(core, readFileSync(join(dir, readdirSync(dir).sort()[index])));
  const mono = new Float32Array(Math.min(d.interleaved.length / d.channels, Math.round(seconds * d.sampleRate)));
  for (let k = 0; k < mono.length; k++) mono[k] = d.interleaved[k * d.channels];
  return wavBytes(mono, d.sampleRate);
}

const post = (origin, path, bytes) => {
  const f = new FormData();
  f.append('file', new Blob([bytes], { type: 'audio/wav' }), 'a.wav');
  return fetch(`${origin}${path}`, { method: 'POST', body: f, headers: { authorization: `Bearer ${TOKEN}` } });
};

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function load(origin, probe, concurrency, total) {
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next += 1;
      const s = performance.now();
      const r = await post(origin, '/api/identify', probe);
      if (r.status !== 200) throw new Error(`identify: HTTP ${r.status} ${await r.text()}`);
      await r.json();
      latencies.push(performance.now() - s);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { concurrency, requests: total, perSecond: total / seconds, p50Ms: quantile(latencies, 0.5), p95Ms: quantile(latencies, 0.95) };
}

const rows = [];
const speakers = ['1688', '1998', '2414'];
const enrollAudio = await Promise.all(speakers.map((s) => wav(s, 0, 10)));
const probe = await wav('1688', 5, 3);
for (const name of pick) {
  if (SCRIPT[name] && !pkg.scripts[SCRIPT[name]]) {
    rows.push({ runtime: name, error: `no npm script ${SCRIPT[name]}` });
    continue;
  }
  const state = mkdtempSync(join(tmpdir(), `sid-load-${name}-`));
  const rt = await RUNTIMES[name]({ SPEAKER_ID_TOKENS: `${TOKEN}:bench`, SPEAKER_ID_STATE_DIR: state });
  try {
    for (const [i, s] of speakers.entries()) {
      const r = await post(rt.origin, `/api/enroll?name=${s}`, enrollAudio[i]);
      if (r.status !== 200) throw new Error(`enroll: HTTP ${r.status} ${await r.text()}`);
    }
    await load(rt.origin, probe, 1, quick ? 10 : 30);  // warm-up: ONNX Runtime's wasm tiers up over ~20 runs
    for (const c of [1, 4, 16]) rows.push({ runtime: name, ...(await load(rt.origin, probe, c, quick ? 16 : Math.max(32, 4 * c))) });
  } finally {
    await rt.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

console.log('runtime      concurrency  requests  identify/s   p50(ms)   p95(ms)');
for (const r of rows) {
  if (r.error) {
    console.log(`${r.runtime.padEnd(12)} (${r.error})`);
    continue;
  }
  console.log(`${r.runtime.padEnd(12)} ${String(r.concurrency).padStart(11)} ${String(r.requests).padStart(9)} ` +
    `${r.perSecond.toFixed(1).padStart(11)} ${r.p50Ms.toFixed(1).padStart(9)} ${r.p95Ms.toFixed(1).padStart(9)}`);
}
console.log('(one identify = upload of a 3 s 16 kHz WAV, decode, features, inference, match against 3 speakers; 1 thread)');
console.log(JSON.stringify({ rows }));

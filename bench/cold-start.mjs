// Cold start in Node: fresh processes from their start to the first embedding with the default model, for each
// backend (SPEAKER_ID_BACKEND=native|core|wasm: onnxruntime-node, the core's own network, ONNX Runtime Web),
// interleaved, after one unmeasured process of each (disk cache).
// Two kinds of process, since each phase can be timed only once per process:
//   api     what an app does: import the package, SpeakerId.create(), embed() twice; `totalMs` is process start
//           to the first embedding (what the <= 0.6 s goal is about)
//   phases  the same work step by step, one after the other, so each phase's own cost shows: process start to our
//           first line, module import, core wasm load, model read + sha256 + parse, session creation (ORT load
//           and init included), first and second inference (embed() of a 3 s WAV: front-end, inference, pooling)
// Prints a table and, as the last stdout line, JSON: { runs, backends: { native|core|wasm: { api, phases } } } with
// { medianMs, minMs, maxMs } per measure.
//   node bench/cold-start.mjs [--runs N] [--backends native,core,wasm]
// (The child: node bench/cold-start.mjs --child api|phases --wav FILE, with SPEAKER_ID_BACKEND set.)
// Everything but node: builtins is imported dynamically, so the child's first line runs before any module of ours.
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '9' }, backends: { type: 'string', default: 'native,core,wasm' },
  child: { type: 'string' }, wav: { type: 'string' },
} });

const INDEX = new URL('../web/src/index.mjs', import.meta.url).href;

async function child(kind, wavFile) {
  const t = { startMs: performance.now() };  // since the process started (performance.timeOrigin)
  const { readFileSync } = await import('node:fs');
  const bytes = () => new Uint8Array(readFileSync(wavFile));  // SpeakerId takes encoded bytes, Embedder { wav }
  let mark = performance.now();
  const lap = (name) => {
    const now = performance.now();
    t[name] = now - mark;
    mark = now;
  };
  let backend;
  if (kind === 'api') {
    const { SpeakerId } = await import(INDEX);
    lap('importMs');
    const sid = await SpeakerId.create();
    lap('createMs');
    await sid.embed(bytes());
    lap('firstEmbedMs');
    t.totalMs = performance.now();
    await sid.embed(bytes());
    lap('secondEmbedMs');
    backend = sid.backend;
    await sid.dispose();
  } else {
    await import(INDEX);
    lap('importMs');
    const [{ loadCore }, { resolveModel }, { Embedder }] = await Promise.all([
      import(new URL('../web/src/core.mjs', import.meta.url).href),
      import(new URL('../web/src/model-registry.mjs', import.meta.url).href),
      import(new URL('../web/src/embedder.mjs', import.meta.url).href),
    ]);
    const core = await loadCore();
    lap('coreMs');
    const model = await resolveModel();
    lap('modelMs');
    const embedder = await Embedder.create(core, model);
    lap('sessionMs');
    const first = await embedder.embed({ wav: bytes() });
    lap('firstEmbedMs');
    t.firstInferenceMs = first.timings.inferenceMs;
    const second = await embedder.embed({ wav: bytes() });
    lap('secondEmbedMs');
    t.secondInferenceMs = second.timings.inferenceMs;
    backend = embedder.backend;
    await embedder.dispose();
  }
  process.stdout.write(JSON.stringify({ backend, ...t }) + '\n');
}

async function parent() {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { clipWav } = await import('./clips.mjs');
  const runs = Number(values.runs);
  const backends = values.backends.split(',');
  const dir = mkdtempSync(join(tmpdir(), 'sid-bench-cold-'));
  const wavFile = join(dir, 'probe-3s.wav');
  writeFileSync(wavFile, clipWav(3, 16000));
  const script = fileURLToPath(import.meta.url);
  const run = (backend, kind) => {
    const r = spawnSync(process.execPath, [script, '--child', kind, '--wav', wavFile],
      { encoding: 'utf8', env: { ...process.env, SPEAKER_ID_BACKEND: backend } });
    if (r.status !== 0) {
      console.error(`bench/cold-start: the ${kind} process with SPEAKER_ID_BACKEND=${backend} failed (exit ${r.status}):\n${r.stderr}`);
      process.exit(1);
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    if (out.backend !== backend) {
      console.error(`bench/cold-start: SPEAKER_ID_BACKEND=${backend} ran on ${out.backend}`);
      process.exit(1);
    }
    return out;
  };
  const samples = Object.fromEntries(backends.map((b) => [b, { api: [], phases: [] }]));
  try {
    for (const b of backends) for (const kind of ['api', 'phases']) run(b, kind);  // unmeasured: disk cache
    for (let i = 0; i < runs; i++) {
      for (const b of backends) for (const kind of ['api', 'phases']) samples[b][kind].push(run(b, kind));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = (x) => Math.round(x * 10) / 10;
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { medianMs: ms(s[s.length >> 1]), minMs: ms(s[0]), maxMs: ms(s[s.length - 1]) };
  };
  const summary = (rows) => Object.fromEntries(Object.keys(rows[0]).filter((k) => k !== 'backend')
    .map((k) => [k, stats(rows.map((r) => r[k]))]));
  const result = { runs, backends: Object.fromEntries(backends.map((b) => [b, {
    api: summary(samples[b].api), phases: summary(samples[b].phases) }])) };

  const cell = (s) => `${s.medianMs.toFixed(1)} (${s.minMs.toFixed(0)}-${s.maxMs.toFixed(0)})`.padStart(22);
  const LABELS = {
    startMs: 'process start -> our first line', importMs: 'import the package', createMs: 'SpeakerId.create()',
    coreMs: 'core wasm load', modelMs: 'model read + sha256 + parse', sessionMs: 'session (ORT load + init, or the core network)',
    firstEmbedMs: 'first embed (3 s WAV)', firstInferenceMs: '  of which inference',
    secondEmbedMs: 'second embed', secondInferenceMs: '  of which inference',
    totalMs: 'process start -> first embedding',
  };
  console.log(`cold start, fresh Node process, default model, median (min-max) of ${runs}, ms`);
  console.log(`${''.padEnd(36)}${backends.map((b) => b.padStart(22)).join('')}`);
  for (const kind of ['api', 'phases']) {
    console.log(kind === 'api' ? 'SpeakerId API' : 'step by step');
    for (const key of Object.keys(result.backends[backends[0]][kind])) {
      console.log(`  ${LABELS[key].padEnd(34)}${backends.map((b) => cell(result.backends[b][kind][key])).join('')}`);
    }
  }
  console.log(JSON.stringify(result));
}

if (values.child) await child(values.child, values.wav);
else await parent();

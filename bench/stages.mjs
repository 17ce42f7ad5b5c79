// Inference milliseconds for 1, 3 and 10 s clips (the stage that dominates; the front-end is bench/frontend.mjs),
// measured against its peers in the same run: the library's wasm paths (the core's own network, `core`, for fp32
// ECAPA-TDNN models, and onnxruntime-web, `wasm`), onnxruntime-node (native) and the Python service's path
// (PyTorch on the project's re-created networks, bench/pytorch-peer.py), each peer a process of its own per thread
// count (bench/inference-peer.mjs), all fed the same model input.
// How the figures are made trustworthy:
//   - warm-up until stable (bench/warm-up.mjs): at least 20 runs at a model's first clip, 10 at its next ones (the
//     code is hot by then); the count is reported.
//   - a sample is the median of back-to-back runs filling ~SAMPLE_MS after one untimed run (bench/warm-up.mjs;
//     1-15 runs, the count is reported): a single run of a few ms is at the mercy of one scheduler hiccup on a
//     2-core machine (a 2-thread run of a 1 s clip ranged 5-20 ms); back to back, these are steady-state figures
//     (the first call is bench/cold-start.mjs's).
//   - interleaved: every round takes one sample of each peer at every thread count, in an order that rotates by
//     round, so drifts of the shared machine hit every peer alike; and every round visits every model and clip
//     (all warmed up first), so one figure's rounds span the whole process (minutes) rather than the half-minute
//     of its model and clip: a slow phase of the machine minutes long then moves every figure a little, not a few
//     a lot; --reps rounds (>= 9), median with min and max.
//   - paired ratios: wasm/native, wasm/pytorch, core/wasm, core/native, core/pytorch and each peer's 2-thread
//     speedup are the median over rounds of the ratio within a round (two samples seconds apart), not the ratio of
//     two medians: a slow phase of the machine then moves both sides of a ratio.
//   - one CPU per round for the 1-thread samples: each round pins the main thread (the one that computes) of every
//     1-thread peer to the same CPU, the next CPU in the next round (`taskset -p`; 2-thread peers stay free). Each
//     vCPU of this VM has phases of its own, tens of seconds long, up to ~1.5x slower than the other (the host's
//     neighbours): a peer whose process the scheduler kept on the slow one lost 1.5x against a peer on the other,
//     within a round (the core's network: 17 ms or 26 ms per 3 s clip in fresh processes, pinned or not, with no
//     migration); sharing the CPU, both sides of a ratio see the same phase. Reported (cpuPinning).
//   - no thread-pool spin in the next peer's measurement: a peer's process is idle while another runs, after a gap
//     (GAP_MS); the CPU time idle peers used during the others' measurements is read from /proc and reported.
// The PyTorch peer runs Debian's torch with Debian's multithreaded OpenBLAS (libopenblas0-openmp, fetched with
// `apt-get download` into build/deps/ and put first on LD_LIBRARY_PATH, so the system's BLAS choice is untouched);
// when that cannot be fetched it runs on the BLAS torch links (reported). Its malloc thresholds are pinned
// (PYTORCH_MALLOC, reported).
//   node bench/stages.mjs [--threads 1,2] [--reps 11] [--peers core,wasm,native,pytorch] [--clips 1,3,10]
//                         [--models LABEL,..]   (SID_BENCH_DEBUG=1: every round's samples on stderr)
// Prints, as its last stdout line, JSON: { peers, gapMs, reps, ratios, runs: [{ label, threads, rows }] } (rows:
// inference per peer, wasmVsNative, wasmVsPytorch, core*, speedup per peer over the first thread count; bench/run.mjs
// prints the tables).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCore } from '../web/src/core.mjs';
import { ModelFrontend } from '../web/src/frontends.mjs';
import { resolveModel } from '../web/src/model-registry.mjs';
import { clipWav } from './clips.mjs';
import { SAMPLE_MS, runsPerSample, warmUp } from './warm-up.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = process.env.SID_SHARED_DIR ?? join(ROOT, '..', 'shared');
// The default model (compact fp32) runs on the core's own network where ORT would be wasm: the `core` peer (one
// thread, so at the first thread count only), against ORT Web (`wasm`, what it replaces), onnxruntime-node and
// PyTorch. The int8 compact-ecapa (QLinearConv: neither PyTorch nor the core runs it) has the two ONNX Runtimes.
const MODELS = [
  { label: 'compact fp32 (default)', onnx: `${ROOT}models/compact/compact-ecapa-fp32.onnx`, family: 'ecapa' },
  { label: 'compact int8', onnx: `${ROOT}models/compact/compact-ecapa.onnx`, family: 'ecapa',
    peers: ['wasm', 'native'] },
  { label: 'resemblyzer', onnx: `${ROOT}build/models/resemblyzer-golden.onnx`, family: 'resemblyzer',
    weights: join(SHARED, 'golden/checkpoints/resemblyzer/pretrained.pt'), peers: ['wasm', 'native', 'pytorch'] },
  { label: 'ecapa (full)', onnx: `${ROOT}build/models/ecapa-full-recipe.onnx`, family: 'ecapa' },
];
const GAP_MS = 50;
// The CPUs the rounds' 1-thread samples take turns on: the ones this process may run on (a container's cpuset need
// not start at 0), or null where the main thread cannot be pinned (not Linux, no taskset, one CPU).
const PIN_CPUS = (() => {
  let list;
  try {
    list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1];
  } catch {
    return null;
  }
  const cpus = list.split(',').flatMap((range) => {
    const [a, b = a] = range.split('-').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
  return cpus.length >= 2 && spawnSync('taskset', ['-V']).status === 0 ? cpus : null;
})();
const pinMainThread = (pid, cpu) => spawnSync('taskset', ['-p', '-c', String(cpu), String(pid)]).status === 0;
// glibc's malloc for the PyTorch peer, pinned: by default it mmaps (and page-faults afresh) every block above a
// threshold that it raises only when such a block is freed, so PyTorch's speed depended on what the process had
// loaded before (compact fp32, 10 s, 1 thread: 70 ms in a process holding that model alone, 22 ms once the full
// ECAPA had been loaded too; the one variable set without the other: 78 / 213 ms). Pinned, it runs at its best
// steady state, the one a long-running service reaches, whatever it loaded first (24 ms both ways). The threshold
// cannot go above 32 MiB, and the full ECAPA at 10 s frees and allocates blocks of 37 MB every call (oneDNN's reorders
// of the MFA's weight and the pooling's input): mmapped afresh, they cost 75-95 ms of page faults each in some
// processes and 2-3 ms in others (2 threads: 152-384 ms per call in five fresh processes), so mmap is off
// (MALLOC_MMAP_MAX_=0: every block from the heap, kept by the trim threshold; 2 threads: 144-149 ms in five).
const PYTORCH_MALLOC = {
  MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(1 << 30), MALLOC_MMAP_MAX_: '0',
};

const { values } = parseArgs({ options: {
  threads: { type: 'string', default: '1,2' }, reps: { type: 'string', default: '11' },
  peers: { type: 'string', default: 'core,wasm,native,pytorch' }, clips: { type: 'string', default: '1,3,10' },
  models: { type: 'string' },  // only the models whose label contains one of these (comma-separated)
} });
const reps = Number(values.reps);
if (!(reps >= 9)) throw new Error('--reps must be >= 9');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  return { medianMs: n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, minMs: s[0], maxMs: s[n - 1], n };
}

// Debian's OpenMP OpenBLAS, unpacked (not installed) into build/deps/openblas-openmp -> its library folder or null.
function openBlasDir() {
  const dest = `${ROOT}build/deps/openblas-openmp`;
  const lib = `${dest}/usr/lib/x86_64-linux-gnu/openblas-openmp`;
  if (existsSync(`${lib}/libblas.so.3`)) return lib;
  const tmp = mkdtempSync(join(tmpdir(), 'sid-openblas-'));
  try {
    const dl = spawnSync('apt-get', ['download', 'libopenblas0-openmp'], { cwd: tmp, encoding: 'utf8' });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (dl.status !== 0 || !deb) return null;
    mkdirSync(dest, { recursive: true });
    if (spawnSync('dpkg-deb', ['-x', join(tmp, deb), dest]).status !== 0) return null;
    return existsSync(`${lib}/libblas.so.3`) ? lib : null;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// CPU time (ms) a process has used so far, from /proc (Linux); null elsewhere.
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;  // utime + stime in clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return null;
  }
}

class Peer {
  static async start(name, threads, blasDir) {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
    let child;
    if (name === 'pytorch') {
      if (blasDir) env.LD_LIBRARY_PATH = [blasDir, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
      Object.assign(env, PYTORCH_MALLOC);
      child = spawn('/usr/bin/python3', [`${ROOT}bench/pytorch-peer.py`, '--threads', String(threads)], { env });
    } else {
      child = spawn(process.execPath, [`${ROOT}bench/inference-peer.mjs`, '--backend', name, '--threads', String(threads)],
        { env });
    }
    const peer = new Peer(name, child);
    peer.hello = await peer.next();
    return peer;
  }

  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.stderr = '';
    child.stderr.on('data', (d) => { this.stderr += d; });
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  async next() {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`bench: peer ${this.name} exited:\n${this.stderr}`);
    const msg = JSON.parse(value);
    if (msg.error) throw new Error(`bench: peer ${this.name}: ${msg.error}`);
    return msg;
  }

  async send(cmd) {
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    return this.next();
  }

  async close() {
    this.child.stdin.end(`${JSON.stringify({ op: 'exit' })}\n`);
    await new Promise((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', r)));
  }
}

const peerNames = values.peers.split(',');
const threadCounts = values.threads.split(',').map(Number);
const blasDir = peerNames.includes('pytorch') ? openBlasDir() : null;
const core = await loadCore();
const tmp = mkdtempSync(join(tmpdir(), 'sid-bench-'));
const out = { peers: {}, gapMs: GAP_MS, sampleMs: SAMPLE_MS, reps, ratios: 'median of per-round ratios',
  cpuPinning: PIN_CPUS ? `1-thread samples: main thread on CPU ${PIN_CPUS.join(', ')} by turns, one per round` : null,
  runs: [] };
const median = (xs) => stats(xs).medianMs;
try {
  // Every peer at every thread count, alive at once; only one of them runs at any time.
  const started = [];
  for (const threads of threadCounts) {
    for (const name of peerNames) {
      if (name === 'core' && threads !== threadCounts[0]) continue;  // one thread whatever is asked
      const p = await Peer.start(name, threads, blasDir);
      p.threads = threads;
      started.push(p);
      out.peers[name] = { ...p.hello, threads: undefined, ...(name === 'pytorch' ? { malloc: PYTORCH_MALLOC } : {}) };
    }
  }
  // One cell per model and clip: every peer gets the model and the clip's model input, warms up, and sizes its
  // samples, before any round.
  const wanted = values.models?.split(',');
  const models = MODELS.filter((x) => !wanted || wanted.some((w) => x.label.includes(w)));
  const cells = [];
  for (const m of models) {
    if (!existsSync(m.onnx)) throw new Error(`bench: ${m.onnx} missing (run .ci/setup, which exports the golden checkpoints)`);
    const model = await resolveModel(m.onnx);
    const fe = new ModelFrontend(core, model.family);
    const peers = started.filter((p) => !m.peers || m.peers.includes(p.name));
    for (const p of peers) {
      const load = p.name === 'pytorch' && m.family === 'resemblyzer'
        ? { family: m.family, weights: m.weights } : { family: m.family, onnx: m.onnx };
      await p.send({ op: 'load', key: m.label, ...load });
    }
    for (const [clip, seconds] of values.clips.split(',').map(Number).entries()) {
      const { data, shape } = fe.run({ wav: new Uint8Array(clipWav(seconds, 16000)) }).modelInput;
      const file = join(tmp, `input-${cells.length}.f32`);
      writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const cell = { m, seconds, shape, input: `${seconds} s`, peers, warm: new Map(), batch: new Map(),
        times: new Map(peers.map((p) => [p, []])), idle: new Map(peers.map((p) => [p, 0])) };
      for (const p of peers) {
        await p.send({ op: 'input', key: m.label, input: cell.input, file, shape });
        const run = async (n) => (await p.send({ op: 'run', key: m.label, input: cell.input, n })).ms;
        cell.warm.set(p, await warmUp(run, clip === 0 ? 20 : 10));
        cell.batch.set(p, runsPerSample(median(await run(5))));
      }
      cells.push(cell);
    }
    fe.dispose();
  }
  // The rounds: each visits every cell, and in it every peer (the order rotating by round), so one figure's rounds
  // are spread over the whole part rather than packed into the half-minute of its cell: a phase of the shared
  // machine (it moved one 2-thread figure by 1.6x for minutes) then falls on every cell alike.
  for (let r = 0; r < reps; r++) {
    const cpu = PIN_CPUS?.[r % PIN_CPUS.length];
    if (PIN_CPUS) {
      for (const p of started.filter((q) => q.threads === 1)) {
        if (!pinMainThread(p.child.pid, cpu)) throw new Error(`bench: cannot pin peer ${p.name} to CPU ${cpu}`);
      }
    }
    for (const cell of cells) {
      const { peers } = cell;
      for (let i = 0; i < peers.length; i++) {
        const p = peers[(r + i) % peers.length];
        await sleep(GAP_MS);
        const others = peers.filter((q) => q !== p);
        const before = others.map((q) => cpuMs(q.child.pid));
        // One untimed run first: the peer comes back to this model from another one (caches, the allocator's
        // state: the full ECAPA's first run back on PyTorch took up to 2x its steady time).
        const { ms } = await p.send({ op: 'run', key: cell.m.label, input: cell.input, n: 1 + cell.batch.get(p) });
        ms.shift();
        const after = others.map((q) => cpuMs(q.child.pid));
        before.forEach((b, j) => {
          if (b !== null && after[j] !== null) cell.idle.set(others[j], cell.idle.get(others[j]) + after[j] - b);
        });
        cell.times.get(p).push(median(ms));
      }
    }
    process.stderr.write(`bench: round ${r + 1} of ${reps} done\n`);
  }
  for (const m of models) {
    const rows = new Map(threadCounts.map((t) => [t, []]));
    for (const { seconds, shape, peers, warm, batch, times, idle } of cells.filter((c) => c.m === m)) {
      if (process.env.SID_BENCH_DEBUG) {
        for (const p of peers) process.stderr.write(`${m.label} ${seconds} s ${p.name} ${p.threads}: ${times.get(p).map((t) => t.toFixed(1)).join(' ')}\n`);
      }
      const at = (name, threads) => peers.find((p) => p.name === name && p.threads === threads);
      const paired = (x, y) => median(times.get(x).map((t, r) => t / times.get(y)[r]));
      for (const threads of threadCounts) {
        const mine = peers.filter((p) => p.threads === threads);
        const row = { seconds, threads, modelInput: shape,
          warmupRuns: Object.fromEntries(mine.map((p) => [p.name, warm.get(p)])),
          runsPerSample: Object.fromEntries(mine.map((p) => [p.name, batch.get(p)])),
          inference: Object.fromEntries(mine.map((p) => [p.name, stats(times.get(p))])),
          idlePeerCpuMs: Object.fromEntries(mine.map((p) => [p.name, idle.get(p)])) };
        if (at('wasm', threads) && at('native', threads)) row.wasmVsNative = paired(at('wasm', threads), at('native', threads));
        if (at('wasm', threads) && at('pytorch', threads)) row.wasmVsPytorch = paired(at('wasm', threads), at('pytorch', threads));
        if (at('core', threads) && at('wasm', threads)) row.coreVsWasm = paired(at('core', threads), at('wasm', threads));
        if (at('core', threads) && at('native', threads)) row.coreVsNative = paired(at('core', threads), at('native', threads));
        if (at('core', threads) && at('pytorch', threads)) row.coreVsPytorch = paired(at('core', threads), at('pytorch', threads));
        if (threads !== threadCounts[0]) {  // each peer's speedup over its run at the first thread count, paired
          row.speedup = Object.fromEntries(mine.filter((p) => at(p.name, threadCounts[0]))
            .map((p) => [p.name, paired(at(p.name, threadCounts[0]), p)]));
        }
        rows.get(threads).push(row);
      }
    }
    for (const threads of threadCounts) out.runs.push({ label: m.label, threads, rows: rows.get(threads) });
  }
  for (const p of started) await p.close();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(out));

// ONNX Runtime behind a two-method session object: in Node its native build (onnxruntime-node) when installed, else,
// and everywhere else, ONNX Runtime Web (wasm backend, SIMD; threads when the platform allows).
// With wasm, ort.env.wasm.numThreads is global to the ORT runtime and fixed once its wasm is initialised: the first
// session created decides it for the process/page. Natively `threads` is the session's intra-op thread count.
// Sessions of one model are shared (openSharedSession): a server with a SpeakerId per tenant holds the model once,
// not once per tenant (~35 MB each), and runs of the shared session are serialised as one SpeakerId's are.
// Which ORT, and where its files are, is `#ort` (package.json "imports"): platform/ort-node.mjs in Node and Deno,
// platform/ort-web.mjs in browser builds, platform/ort-workerd.mjs in Cloudflare workerd.
import { coreNetworkPolicy, loadOrt, sessionThreads } from '#ort';

export { coreNetworkPolicy };

/** Which ONNX Runtime this process/page runs models with: 'native' (onnxruntime-node) or 'wasm'. Loads it. */
export async function inferenceBackend() {
  return (await loadOrt()).backend;
}

// Full graph optimisation on both (natively that adds x86 layout transforms; the embeddings still agree to
// 1 - cos <= 1e-6), except for a model that is already ORT's optimised graph (preOptimized: models/quantize.py
// --ort-optimize) on wasm, where optimising it again is about half of the session creation and changes nothing in
// the result. One inter-op thread: these graphs are one chain of nodes.
let wasmThreads = null;  // ORT Web's thread count, fixed by the first session of the process/page

// A one-node ONNX (Identity, float[1]; made with onnx.helper, 83 bytes): a session of it makes ORT Web initialise.
const INIT_MODEL = 'CAgSCnNwZWFrZXItaWQ6PQoQCgF4EgF5IghJZGVudGl0eRIHd2FybS11cFoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEA4=';
let started = null;

/**
 * Loads ONNX Runtime and, for ORT Web, starts its own initialisation now (its 14 MB .wasm fetched and compiled, only
 * done by the first session otherwise), with the thread count `threads` gives, so that it overlaps the model's
 * fetch and hash (bench/cold-start-browser.mjs). Resolves when done; never rejects (a failure is the session's).
 */
export function startRuntime({ threads } = {}) {
  started ??= (async () => {
    const { ort, backend } = await loadOrt();
    if (backend !== 'wasm') return;
    const n = wasmThreads ??= sessionThreads(threads, backend);
    const bytes = Uint8Array.from(atob(INIT_MODEL), (c) => c.charCodeAt(0));
    const session = await ort.InferenceSession.create(bytes, sessionOptions(ort, backend, n));
    await session.release();
  })().catch(() => {});
  return started;
}

function sessionOptions(ort, backend, threads, preOptimized = false) {
  if (backend === 'native') {
    return { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  }
  ort.env.wasm.numThreads = threads;
  return { executionProviders: ['wasm'], graphOptimizationLevel: preOptimized ? 'disabled' : 'all' };
}

/**
 * Create a session from .onnx bytes. Options: threads (default: the platform's, `#ort` sessionThreads: every core
 * up to 4 in Node and in cross-origin isolated pages, else 1; browsers run 1 unless cross-origin isolated, Deno and
 * workerd always 1); preOptimized (the bytes are ORT's optimised graph already). Returns { inputNames,
 * outputNames, threads (the count it runs with),
 * run(feeds) -> Promise<{ name: { data: Float32Array, dims } }>, dispose() }.
 */
export async function createSession(modelBytes, { threads, preOptimized } = {}) {
  const { ort, backend } = await loadOrt();
  let n = sessionThreads(threads, backend);
  if (backend === 'wasm') n = wasmThreads ??= n;  // what ORT Web really runs with
  const session = await ort.InferenceSession.create(modelBytes, sessionOptions(ort, backend, n, preOptimized));
  return {
    threads: n,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const tensors = {};
      for (const [name, { data, shape }] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', data, shape);
      const out = await session.run(tensors);
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data, dims: t.dims }]));
    },
    async dispose() {
      await session.release();
    },
  };
}

const shared = new Map();  // `${sha256}:${threads}` -> { session: Promise, refs, tail: Promise }

/**
 * The session of model `sha256` (created from `modelBytes` by the first caller), shared by every caller until the
 * last one disposes it. Same object shape as createSession's; run() calls of all holders run one at a time.
 */
export async function openSharedSession(sha256, modelBytes, { threads, preOptimized } = {}) {
  const { backend } = await loadOrt();
  const key = `${sha256}:${wasmThreads ?? sessionThreads(threads, backend)}`;
  let entry = shared.get(key);
  if (!entry) {
    entry = { session: createSession(modelBytes, { threads, preOptimized }), refs: 0, tail: Promise.resolve() };
    shared.set(key, entry);
    entry.session.catch(() => { if (shared.get(key) === entry) shared.delete(key); });
  }
  entry.refs += 1;
  let s;
  try {
    s = await entry.session;
  } catch (err) {
    entry.refs -= 1;
    throw err;
  }
  let released = false;
  return {
    threads: s.threads,
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    run(feeds) {
      const result = entry.tail.then(() => s.run(feeds));
      entry.tail = result.catch(() => {});
      return result;
    },
    async dispose() {
      if (released) return;
      released = true;
      entry.refs -= 1;
      if (entry.refs === 0) {
        if (shared.get(key) === entry) shared.delete(key);
        await entry.tail;
        await s.dispose();
      }
    },
  };
}

// `#ort` in Node and Deno: which ONNX Runtime runs the model there.
// Node: onnxruntime-node (ONNX Runtime's native build, speaker-id's optional dependency: faster, and with no
// tier-up of a 14 MB wasm on the first calls) when it can be imported, else ONNX Runtime Web's Node build of the wasm
// backend (worker_threads for threads). SPEAKER_ID_BACKEND=native|wasm forces one; it is read once, when the first
// session is created, since a process runs one ORT. Both are ORT 1.30 on the same graph: their embeddings agree to
// 1 - cos <= 1e-6 (tests/js/native-backend.test.mjs).
// Deno: the wasm-only bundle (not the default entry, which pulls in the 28 MB JSEP build), whatever the variable says
// (onnxruntime-node is a Node-API addon, and reading the environment there needs --allow-env). Each build finds its
// own binary next to its script in node_modules.
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from '../errors.mjs';
import { isNode } from '../runtime.mjs';

export const BACKENDS = ['native', 'wasm', 'core'];
const NATIVE_PACKAGE = 'onnxruntime-node@1.30.0';

/**
 * SPEAKER_ID_BACKEND's value -> 'native' | 'wasm' | 'core', or null (unset or empty: native when installed, else the
 * core's network for the models it runs, else wasm).
 */
export function forcedBackend(value) {
  if (value === undefined || value === '') return null;
  if (BACKENDS.includes(value)) return value;
  throw new InvalidArgumentError(`SPEAKER_ID_BACKEND must be ${BACKENDS.map((b) => `'${b}'`).join(', ')} (or unset: ` +
    `native when onnxruntime-node is installed, else the core's network or wasm), got '${value}'`);
}

async function importNative() {
  const mod = await import('onnxruntime-node');
  return mod.default ?? mod;  // a CommonJS package: its exports are the default export
}

async function choose() {
  if (!isNode) return { backend: 'wasm', ort: await import('onnxruntime-web/wasm') };
  const forced = forcedBackend(process.env.SPEAKER_ID_BACKEND);
  if (forced !== 'wasm' && forced !== 'core') {
    try {
      return { backend: 'native', ort: await importNative() };
    } catch (err) {
      // Not installed (or its binary does not load on this platform): the wasm build, unless native was asked for.
      if (forced === 'native') {
        const why = err?.code === 'ERR_MODULE_NOT_FOUND' ? 'it is not installed' :
          `it does not load here (${String(err?.message ?? err).split('\n')[0]})`;
        throw new InvalidArgumentError(`SPEAKER_ID_BACKEND=native needs the onnxruntime-node package, but ${why}: ` +
          `install it next to speaker-id (npm install ${NATIVE_PACKAGE}), or unset SPEAKER_ID_BACKEND to use the ` +
          'wasm build');
      }
    }
  }
  return { backend: 'wasm', ort: await import('onnxruntime-web') };
}

// Threads by default (bench/stages.mjs: 2 threads vs 1 on 2 cores, README "Benchmarks"): in Node every core up to
// MAX_DEFAULT_THREADS, natively and on wasm (worker_threads). 1, whatever is asked, where ORT Web's workers cannot
// start: in Deno (ORT Web starts them from blob: URLs, which Deno's module loader refuses) and, on wasm, in a Node
// process started with --input-type (`node --input-type=module -e ...`): workers inherit the flag and Node refuses
// it outside --eval, which would kill the process.
const MAX_DEFAULT_THREADS = 4;
const workersRefused = () => process.execArgv.some((a) => a === '--input-type' || a.startsWith('--input-type='));

/** The thread count a `backend` session runs with when `requested` (a positive integer, or undefined: the default). */
export function sessionThreads(requested, backend) {
  if (!isNode || (backend === 'wasm' && workersRefused())) return 1;
  return requested ?? Math.min(MAX_DEFAULT_THREADS, availableParallelism());
}

let loaded = null;

/**
 * Whether fp32 ECAPA-TDNN models run on the core's own network (network-session.mjs) instead of ONNX Runtime:
 * 'require' (SPEAKER_ID_BACKEND=core), 'never' (onnxruntime-node is loaded, or SPEAKER_ID_BACKEND=wasm|native
 * asks for an ONNX Runtime), 'prefer' (where ORT would be its wasm build: the core when it runs the model).
 */
export async function coreNetworkPolicy() {
  if (!isNode) return 'prefer';
  const forced = forcedBackend(process.env.SPEAKER_ID_BACKEND);
  if (forced === 'core') return 'require';
  if (forced) return 'never';
  return (await loadOrt()).backend === 'native' ? 'never' : 'prefer';
}

/** -> { backend: 'native' | 'wasm', ort: the ONNX Runtime module }, chosen and loaded on first use. */
export function loadOrt() {
  loaded ??= choose().catch((err) => {
    loaded = null;  // a refused SPEAKER_ID_BACKEND is refused again, not remembered as a broken ORT
    throw err;
  });
  return loaded;
}

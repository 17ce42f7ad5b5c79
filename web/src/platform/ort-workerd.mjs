// `#ort` in Cloudflare workerd (package.json "imports", condition "workerd", which wrangler's bundler sets).
// workerd forbids compiling WebAssembly from bytes at run time ("Wasm code generation disallowed by embedder"), and
// ONNX Runtime Web always compiles its .wasm from bytes it fetched or was given. So the worker bundle imports ORT's
// .wasm as a module (wrangler: a CompiledWasm rule; workerd compiles it when the worker is loaded), ORT is handed a
// placeholder as its wasmBinary (so it fetches nothing), and WebAssembly.instantiate, called by ORT with that
// placeholder, instantiates the precompiled module instead. Every other call passes through unchanged.
// The wasm-only ORT build carries its Emscripten glue inside (ort.wasm.bundle.min.mjs): no second module to import.
// Threads: workerd has no Web Workers, so ORT runs single-threaded here whatever `threads` asks.
// The package's asset folder (web/dist/: the .wasm of the onnxruntime-web it depends on, copied by .ci/setup). By a
// relative path: wrangler's module rules do not resolve package specifiers.
import ortWasmModule from '../../dist/ort-wasm-simd-threaded.wasm';

// ORT hands its wasmBinary to Emscripten, which calls WebAssembly.instantiate(new Uint8Array(binary), imports):
// a view over this very buffer, so it is recognised by identity, never by content.
const PLACEHOLDER = new ArrayBuffer(8);

function installInstantiate() {
  const original = WebAssembly.instantiate;
  WebAssembly.instantiate = function instantiate(source, imports) {
    if (source === PLACEHOLDER || (ArrayBuffer.isView(source) && source.buffer === PLACEHOLDER)) {
      // A Module gives an Instance; bytes give { module, instance }, which is what the caller expects.
      return original.call(WebAssembly, ortWasmModule, imports).then((instance) => ({ module: ortWasmModule, instance }));
    }
    return original.call(WebAssembly, source, imports);
  };
}

/** Always 1: workerd has no Web Workers for ORT's threads (see loadOrt). */
export function sessionThreads() {
  return 1;
}

let ort = null;

/** fp32 ECAPA-TDNN models run on the core's own network (network-session.mjs); ONNX Runtime Web runs the rest. */
export async function coreNetworkPolicy() {
  return 'prefer';
}

/**
 * -> { backend: 'wasm', ort: the ONNX Runtime module }, loaded on first use, set up to instantiate the bundled
 * precompiled .wasm.
 */
export async function loadOrt() {
  if (!ort) {
    installInstantiate();
    const loaded = await import('onnxruntime-web/wasm');
    loaded.env.wasm.wasmBinary = PLACEHOLDER;
    // Fixed at 1 (createSession sets it from `threads`): with more, ORT would start Web Workers workerd lacks.
    Object.defineProperty(loaded.env.wasm, 'numThreads', { get: () => 1, set: () => {}, configurable: true });
    loaded.env.wasm.proxy = false;
    ort = loaded;
  }
  return { backend: 'wasm', ort };
}

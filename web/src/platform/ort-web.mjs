// `#ort` in browsers (and anything else that is not Node or Deno): ONNX Runtime Web's wasm-only build (its
// Emscripten glue inside), told where its .wasm is.
//
// ORT is imported dynamically so that bundlers give it a chunk of its own. With threads, ORT starts its pthread
// workers from the script it is in (its import.meta.url); in a chunk of its own that is ORT alone, where inlined
// into the app's bundle it would be the app, run again in every worker. Its .wasm is located like the package's
// other files (assets.mjs: bundled, or under the asset base), not by ORT's own import.meta.url, which bundlers move.
import { assetLoaded, assetUrl } from '../assets.mjs';

// Threads need cross-origin isolation (SharedArrayBuffer): then every core up to MAX_DEFAULT_THREADS by default
// (bench/stages.mjs, bench/cold-start-browser.mjs), else 1 (ORT would fall back to 1 with a console warning).
const MAX_DEFAULT_THREADS = 4;

/** The thread count a session runs with when `requested` (a positive integer, or undefined: the default). */
export function sessionThreads(requested, _backend) {
  if (!globalThis.crossOriginIsolated) return 1;
  return requested ?? Math.min(MAX_DEFAULT_THREADS, globalThis.navigator?.hardwareConcurrency || 1);
}

let ort = null;

/** fp32 ECAPA-TDNN models run on the core's own network (network-session.mjs); ONNX Runtime Web runs the rest. */
export async function coreNetworkPolicy() {
  return 'prefer';
}

/**
 * -> { backend: 'wasm', ort: the ONNX Runtime module }, loaded on first use, with its .wasm's location (unless the app
 * set wasmPaths itself).
 */
export async function loadOrt() {
  if (!ort) {
    const loaded = await import('onnxruntime-web/wasm');
    if (loaded.env.wasm.wasmPaths === undefined) {
      loaded.env.wasm.wasmPaths = { wasm: assetUrl('ort-wasm-simd-threaded.wasm').href };
      assetLoaded();  // ORT keeps it
    }
    ort = loaded;
  }
  return { backend: 'wasm', ort };
}

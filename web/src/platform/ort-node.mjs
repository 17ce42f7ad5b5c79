// `#ort` in Node and Deno: ONNX Runtime's Node build of the wasm backend in Node (worker_threads for threads);
// the wasm-only bundle in Deno (not the default entry, which pulls in the 28 MB JSEP build). Each finds its own
// .wasm next to its script in node_modules.
import { isNode } from '../runtime.mjs';

let ort = null;

/** The ONNX Runtime module, loaded on first use. */
export async function loadOrt() {
  ort ??= isNode ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
  return ort;
}

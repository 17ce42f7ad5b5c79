// ONNX Runtime Web (wasm backend, SIMD; threads when the platform allows) behind a two-method session object.
// ort.env.wasm.numThreads is global to the ORT runtime and fixed once its wasm is initialised: the first session
// created decides it for the process/page.
// Which build of ORT, and where its files are, is `#ort` (package.json "imports"): platform/ort-node.mjs in Node
// and Deno, platform/ort-web.mjs in browser builds.
import { loadOrt } from '#ort';

/**
 * Create a session from .onnx bytes. Options: threads (default 1; >1 needs cross-origin isolation in browsers).
 * Returns { inputNames, outputNames, run(feeds) -> Promise<{ name: { data: Float32Array, dims } }>, dispose() }.
 */
export async function createSession(modelBytes, { threads = 1 } = {}) {
  const ort = await loadOrt();
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create(modelBytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  return {
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

// The core's own ECAPA-TDNN (src/network/ecapa_tdnn.h) behind the same session object as onnx-session.mjs: where
// ONNX Runtime would be ORT Web (browsers, Deno, workerd, Node without onnxruntime-node), fp32 ECAPA-TDNN exports
// run in the core's wasm instead (embedder.mjs decides). Its embeddings equal ONNX Runtime's on the same file
// (1 - cos <= 1e-6: tests/js/native-backend.test.mjs; upstream's: tests/native/test_ecapa_network.cpp), so profiles
// are the same model's; but nothing of ORT is downloaded, compiled or initialised, which is most of a browser's
// cold start (bench/cold-start-browser.mjs). One thread. Models it cannot run (int8 QLinearConv exports,
// Resemblyzer's LSTM) stay with ONNX Runtime.
import { InvalidArgumentError } from './errors.mjs';
import { coreNetworkPolicy } from './onnx-session.mjs';

const shared = new WeakMap();  // core instance -> Map(sha256 -> { network, info, refs })

/**
 * Whether fp32 ECAPA-TDNN models go to the core's network here when `threads` are asked for: 'required'
 * (SPEAKER_ID_BACKEND=core), 'preferred' (where ORT would be its wasm build, and at most one thread is asked for:
 * the network has one) or null (ONNX Runtime runs them).
 */
export async function coreNetworkChoice(threads) {
  const policy = await coreNetworkPolicy();
  if (policy === 'require') return 'required';
  return policy === 'prefer' && !(threads > 1) ? 'preferred' : null;
}

function buildNetwork(core, bytes) {
  const network = new core.Network();
  try {
    network.byteBuffer(bytes.length).set(bytes);
    const info = network.load();
    return { network, info };
  } catch (err) {
    network.delete();
    throw err;
  }
}

/**
 * A session of model `{ sha256, bytes, inputName, outputName }` (a resolveModel() result) on the core's network, or
 * null when the core does not run that graph (then use ONNX Runtime). Shared by sha256 within one core instance,
 * like openSharedSession. Same object shape as onnx-session.mjs createSession's, with engine: 'core'.
 */
export function openNetworkSession(core, { sha256, bytes: modelBytes, inputName = 'feats', outputName = 'embedding' }) {
  let byModel = shared.get(core);
  if (!byModel) shared.set(core, byModel = new Map());
  let entry = sha256 ? byModel.get(sha256) : undefined;
  if (!entry) {
    let built;
    try {
      built = buildNetwork(core, modelBytes);
    } catch (err) {
      if (err instanceof InvalidArgumentError) return null;  // not an fp32 ECAPA-TDNN export: ONNX Runtime's
      throw err;
    }
    entry = { ...built, refs: 0 };
    if (sha256) byModel.set(sha256, entry);
  }
  entry.refs += 1;
  const { network, info } = entry;
  let released = false;
  return {
    engine: 'core',
    threads: 1,
    inputNames: [inputName],
    outputNames: [outputName],
    async run(feeds) {
      const { data, shape } = feeds[inputName];
      if (shape.length !== 3 || shape[0] !== 1 || shape[2] !== info.bands) {
        throw new InvalidArgumentError(`the core's network takes features [1, frames, ${info.bands}], got [${shape.join(', ')}]`);
      }
      network.buffer(data.length).set(data);
      const embedding = network.embed(shape[1]).slice();
      return { [outputName]: { data: embedding, dims: [1, 1, embedding.length] } };
    },
    async dispose() {
      if (released) return;
      released = true;
      entry.refs -= 1;
      if (entry.refs === 0) {
        if (byModel.get(sha256) === entry) byModel.delete(sha256);
        network.delete();
      }
    },
  };
}

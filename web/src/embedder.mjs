// Audio -> embedding: C++ front-end (wasm) -> ONNX Runtime Web -> C++ pooling.
//  resemblyzer: partial mels [P,160,40] -> partial embeddings [P,256] (L2 inside the model) -> L2(mean)
//  ecapa:       fbank_norm [1,T,80] -> [1,(1,)192], returned raw as upstream's encode_batch (cosine scoring)
import { InvalidAudioError } from './errors.mjs';
import { runFrontend } from './frontends.mjs';
import { createSession } from './onnx-session.mjs';
import { withFloats } from './wasm-buffers.mjs';

// ECAPA's widest "same" reflect padding is 4 frames (k3, dilation 4): fewer frames cannot be padded.
export const ECAPA_MIN_FRAMES = 5;

function meanL2(core, rows, count, dim) {
  const pool = new core.Pooling();
  try {
    const err = withFloats(core, rows, (buf) => pool.meanL2(buf, count, dim));
    if (err) throw new Error(err);
    return pool.output().slice();
  } finally {
    pool.delete();
  }
}

export class Embedder {
  /** model: a resolveModel() result. */
  static async create(core, model, { threads = 1 } = {}) {
    const session = await createSession(model.bytes, { threads });
    return new Embedder(core, model, session);
  }

  constructor(core, model, session) {
    this.core = core;
    this.model = model;
    this.session = session;
  }

  /**
   * Embed decoded audio; returns { embedding, partials?, stages, durationSec, measurements?, timings }.
   * `before(fe)` runs after the front-end and before inference (quality checks refuse audio there, cheaply).
   */
  async embed(audio, { quality, before } = {}) {
    const { core, model } = this;
    const t0 = performance.now();
    const fe = runFrontend(core, model.frontend, audio, quality);
    before?.(fe);
    const t1 = performance.now();
    const { data, shape } = fe.modelInput;
    if (model.frontend === 'ecapa' && shape[1] < ECAPA_MIN_FRAMES) {
      throw new InvalidAudioError(`audio too short: ${fe.durationSec.toFixed(3)} s gives ${shape[1]} frames, ` +
        `the ECAPA model needs at least ${ECAPA_MIN_FRAMES} (50 ms)`);
    }
    const out = await this.session.run({ [model.inputName]: { data, shape } });
    const raw = out[model.outputName].data;
    const t2 = performance.now();
    let embedding, partials;
    if (model.frontend === 'resemblyzer') {
      partials = { data: raw, shape: [shape[0], model.dim] };
      embedding = meanL2(core, raw, shape[0], model.dim);
    } else {
      embedding = raw.slice(0, model.dim);
    }
    const t3 = performance.now();
    return {
      embedding, partials, stages: fe.stages, durationSec: fe.durationSec, measurements: fe.measurements,
      timings: { featuresMs: t1 - t0, inferenceMs: t2 - t1, poolingMs: t3 - t2 },
    };
  }

  async dispose() {
    await this.session.dispose();
  }
}

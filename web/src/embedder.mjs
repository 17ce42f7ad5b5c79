// Audio -> embedding: the core's front-end (one ModelFrontend per Embedder, reused) -> ONNX Runtime Web -> the
// core's pooling (Resemblyzer: L2(mean of partial embeddings); ECAPA: the raw row, as upstream's encode_batch).
// The inference session is created by ready() (Embedder.create awaits it; a lazy owner calls embed() directly).
import { AudioTooShortError, InternalError, InvalidArgumentError } from './errors.mjs';
import { ModelFrontend } from './frontends.mjs';
import { createSession } from './onnx-session.mjs';

export class Embedder {
  /** model: a resolveModel() result. The session is created before this resolves. */
  static async create(core, model, options) {
    const e = new Embedder(core, model, options);
    try {
      await e.ready();
    } catch (err) {
      await e.dispose();
      throw err;
    }
    return e;
  }

  /** Creates the front-end now and the inference session on ready() or the first embed(). */
  constructor(core, model, { threads = 1 } = {}) {
    try {
      this.frontend = new ModelFrontend(core, model.family);
    } catch (err) {
      if (err instanceof InvalidArgumentError) err.message = `model ${model.id}: ${err.message} (export models with models/export.py)`;
      throw err;
    }
    this.spec = this.frontend.spec;
    if (model.dim !== undefined && model.dim !== this.spec.embeddingDim) {
      this.frontend.dispose();
      throw new InvalidArgumentError(`model ${model.id}: declares ${model.dim}-dimensional embeddings, a ${model.family} ` +
        `model produces ${this.spec.embeddingDim}`);
    }
    this.model = { ...model, dim: this.spec.embeddingDim };
    this.threads = threads;
    this.session = null;
  }

  async ready() {
    this.session ??= createSession(this.model.bytes, { threads: this.threads });
    return this.session;
  }

  /**
   * Embed audio ({ wav } or decoded PCM); -> { embedding, partials?, stages?, durationSec, measurements?, timings }.
   * Options: quality (measure it), stages (keep every front-end stage), preprocess, and `before(fe)`, run after the
   * front-end and before inference (quality checks refuse audio there, cheaply).
   */
  async embed(audio, { quality, stages = false, preprocess, before } = {}) {
    const t0 = performance.now();
    const fe = this.frontend.run(audio, { quality, stages, preprocess });
    before?.(fe);
    if (fe.frames < this.spec.minFrames) {
      throw new AudioTooShortError(`audio too short: ${fe.durationSec.toFixed(3)} s gives ${fe.frames} feature frames, ` +
        `the ${this.spec.family} model needs at least ${this.spec.minFrames}`, fe.measurements);
    }
    const t1 = performance.now();
    const session = await this.ready();
    const { data, shape } = fe.modelInput;
    let out;
    try {
      out = await session.run({ [this.model.inputName]: { data, shape } });
    } catch (err) {
      // ONNX Runtime's own failures (e.g. std::bad_alloc on a very long recording) as the library's typed error.
      throw new InternalError(`inference failed on ${fe.durationSec.toFixed(1)} s of audio (input ${shape.join('x')}): ` +
        `${String(err?.message ?? err).split('\n')[0]}`);
    }
    const raw = out[this.model.outputName].data;
    const t2 = performance.now();
    const rows = raw.length / this.spec.embeddingDim;
    const embedding = this.frontend.pool(raw, rows);
    const t3 = performance.now();
    return {
      embedding, stages: fe.stages, durationSec: fe.durationSec, measurements: fe.measurements,
      partials: this.spec.pooling === 'mean_l2' ? { data: raw, shape: [rows, this.spec.embeddingDim] } : undefined,
      timings: { featuresMs: t1 - t0, inferenceMs: t2 - t1, poolingMs: t3 - t2 },
    };
  }

  async dispose() {
    const session = this.session;
    this.session = null;
    this.frontend?.dispose();
    this.frontend = null;
    if (session) await (await session.catch(() => null))?.dispose();
  }
}

// Audio -> embedding: the core's front-end (one ModelFrontend per Embedder, reused) -> ONNX Runtime (onnx-session.mjs:
// native in Node when installed, else wasm) -> the core's pooling (Resemblyzer: L2(mean of partial embeddings);
// ECAPA: the raw row, as upstream's encode_batch).
// The inference session is created by ready() (Embedder.create starts it before it has the core and awaits it; a
// lazy owner calls embed() directly).
// Recordings longer than EXACT_MAX_SEC are embedded in windows (audio-windows.mjs) and the window embeddings pooled,
// so memory stays bounded whatever the length.
import { EXACT_MAX_SEC, planWindows } from './audio-windows.mjs';
import { AudioTooShortError, InternalError, InvalidArgumentError, NoVoiceError } from './errors.mjs';
import { ModelFrontend } from './frontends.mjs';
import { createSession, inferenceBackend, openSharedSession } from './onnx-session.mjs';
import { coreNetworkChoice, openNetworkSession } from './network-session.mjs';
import { combineMeasurements } from './quality.mjs';

// One session per model content, shared by every Embedder of it (onnx-session.mjs). ECAPA-TDNN fp32 exports run on
// the core's own network where ONNX Runtime would be its wasm build (network-session.mjs), unless more than one
// thread is asked for (the core's network has one; ORT Web has threads where the platform allows); the rest on ONNX
// Runtime. SPEAKER_ID_BACKEND=core (Node) insists on the core.
async function openModelSession(model, threads, core) {
  const choice = await coreNetworkChoice(threads);
  if (choice) {
    const session = model.family === 'ecapa' ? openNetworkSession(await core, model) : null;
    if (session) return session;
    if (choice === 'required') {
      throw new InvalidArgumentError(`SPEAKER_ID_BACKEND=core runs fp32 ECAPA-TDNN exports on the core's network; ` +
        `model ${model.id} (${model.family}) is not one: unset ` +
        'SPEAKER_ID_BACKEND, or set it to native or wasm (ONNX Runtime)');
    }
  }
  const { bytes, sha256, preOptimized } = model;
  const options = { threads, preOptimized };
  return sha256 ? openSharedSession(sha256, bytes, options) : createSession(bytes, options);
}

export class Embedder {
  /**
   * model: a resolveModel() result; core: the core, or a promise of it. The session is created before this
   * resolves; its creation starts first, so that ONNX Runtime's load and the model's parse overlap the core's.
   */
  static async create(core, model, options = {}) {
    const opening = openModelSession(model, options.threads, core);
    opening.catch(() => {});  // reported by ready() below, or dropped with a front-end that failed first
    let e;
    try {
      e = new Embedder(await core, model, options, opening);
    } catch (err) {
      opening.then((s) => s.dispose(), () => {});
      throw err;
    }
    try {
      await e.ready();
    } catch (err) {
      await e.dispose();
      throw err;
    }
    return e;
  }

  /**
   * Creates the front-end now and the inference session on ready() or the first embed(), unless `opening` (the
   * session's promise, Embedder.create) is given.
   */
  constructor(core, model, { threads } = {}, opening = undefined) {
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
    this.requestedThreads = threads;  // undefined: the platform's default (onnx-session.mjs)
    this.session = null;
    this.backend = null;  // 'native' | 'wasm' (ONNX Runtime, onnx-session.mjs) | 'core' (network-session.mjs), once the session exists
    this.threads = null;  // the session's thread count, once it exists
    if (opening) this.#adopt(opening);
  }

  // The .onnx bytes are not kept once the session exists (a server holds one SpeakerId per tenant).
  #adopt(opening) {
    this.session = opening.then(async (session) => {
      this.backend = session.engine === 'core' ? 'core' : await inferenceBackend();  // loaded already: it made the session
      this.threads = session.threads;
      this.model.bytes = undefined;
      return session;
    });
  }

  async ready() {
    if (!this.session) this.#adopt(openModelSession(this.model, this.requestedThreads, this.frontend.core));
    return this.session;
  }

  /**
   * Embed audio ({ wav } or decoded PCM); -> { embedding, partials?, stages?, durationSec, measurements?, windows,
   * timings }. Options: quality (measure it), stages (keep every front-end stage; the recording is then one window
   * whatever its length), preprocess, and `before(fe)`, run with the front-end's result before inference (quality
   * checks refuse audio there, cheaply; for a recording in windows, once, with the measurements of all of them,
   * after the windows were embedded). A `before` that returns false skips the inference: embed() resolves to null
   * (one window only; the stream's voice gate).
   */
  async embed(audio, { quality, stages = false, preprocess, before } = {}) {
    const plan = stages ? null : planWindows(this.frontend.core, audio);
    if (plan) return this.#embedWindows(plan, { quality, preprocess, before });
    const t0 = performance.now();
    const fe = this.frontend.run(audio, { quality, stages, preprocess });
    if (before?.(fe) === false) return null;  // the caller decided from the front-end's result: no inference
    this.#checkFrames(fe);
    const t1 = performance.now();
    const raw = await this.#infer(fe);
    const t2 = performance.now();
    const rows = raw.length / this.spec.embeddingDim;
    const embedding = this.frontend.pool(raw, rows);
    const t3 = performance.now();
    return {
      embedding, stages: fe.stages, durationSec: fe.durationSec, measurements: fe.measurements, windows: 1,
      partials: this.spec.pooling === 'mean_l2' ? { data: raw, shape: [rows, this.spec.embeddingDim] } : undefined,
      timings: { featuresMs: t1 - t0, inferenceMs: t2 - t1, poolingMs: t3 - t2 },
    };
  }

  #checkFrames(fe) {
    if (fe.frames < this.spec.minFrames) {
      throw new AudioTooShortError(`audio too short: ${fe.durationSec.toFixed(3)} s gives ${fe.frames} feature frames, ` +
        `the ${this.spec.family} model needs at least ${this.spec.minFrames}`, fe.measurements);
    }
  }

  async #infer(fe) {
    const session = await this.ready();
    const { data, shape } = fe.modelInput;
    try {
      return (await session.run({ [this.model.inputName]: { data, shape } }))[this.model.outputName].data;
    } catch (err) {
      // ONNX Runtime's own failures (e.g. std::bad_alloc) as the library's typed error.
      throw new InternalError(`inference failed on ${fe.durationSec.toFixed(1)} s of audio (input ${shape.join('x')}): ` +
        `${String(err?.message ?? err).split('\n')[0]}`);
    }
  }

  // Pooling over windows. Resemblyzer: the mean of every partial embedding of every window, L2-normalised, as
  // upstream pools the partials of one utterance. ECAPA: the mean of the windows' unit-length embeddings weighted
  // by their speech (frames when quality is not measured); windows without voice add nothing.
  async #embedWindows(plan, { quality, preprocess, before }) {
    const dim = this.spec.embeddingDim;
    const sum = new Float64Array(dim);
    const parts = [];
    let weight = 0;
    let featuresMs = 0, inferenceMs = 0;
    for (let i = 0; i < plan.count; i++) {
      const t0 = performance.now();
      const fe = this.frontend.run(plan.window(i), { quality, preprocess });
      parts.push({ measurements: fe.measurements, durationSec: fe.durationSec, sampleRate: fe.sampleRate });
      const t1 = performance.now();
      featuresMs += t1 - t0;
      if ((fe.measurements && fe.measurements.speechWindows === 0) || fe.frames < this.spec.minFrames) continue;
      const raw = await this.#infer(fe);
      inferenceMs += performance.now() - t1;
      if (this.spec.pooling === 'mean_l2') {
        for (let k = 0; k < raw.length; k++) sum[k % dim] += raw[k];
        weight += raw.length / dim;
      } else {
        const w = fe.measurements ? fe.measurements.speechSec : fe.frames;
        const norm = Math.hypot(...raw);
        if (!(norm > 0)) continue;
        for (let k = 0; k < dim; k++) sum[k] += (w * raw[k]) / norm;
        weight += w;
      }
    }
    const durationSec = plan.durationSec;
    const measurements = quality ? combineMeasurements(parts) : undefined;
    before?.({ measurements, durationSec, frames: undefined, windows: plan.count });
    if (weight === 0) {
      throw new NoVoiceError(`no voice found in any of the ${plan.count} windows (${EXACT_MAX_SEC} s at most) of ` +
        `${durationSec.toFixed(1)} s of audio`, measurements);
    }
    const t2 = performance.now();
    const embedding = this.frontend.pool(Float32Array.from(sum, (v) => v / weight), 1);
    return {
      embedding, durationSec, measurements, windows: plan.count,
      timings: { featuresMs, inferenceMs, poolingMs: performance.now() - t2 },
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

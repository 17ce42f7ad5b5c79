// The SpeakerId object users program against. Today: create / embed / dispose on the embedded default model (or
// any manifest id / exported .onnx); enrollment, identification and storage follow (issue 5, DESIGN.md).
import { loadCore } from './core.mjs';
import { Embedder } from './embedder.mjs';
import { toDecodedAudio } from './audio-input.mjs';
import { resolveModel } from './model-registry.mjs';
import { SpeakerIdError } from './errors.mjs';

export class SpeakerId {
  /**
   * Options: model (manifest id or .onnx path/URL; default: the embedded compact model), threads (ORT wasm
   * threads, default 1), wasmModule / wasmBinary (the core's .wasm, e.g. a precompiled module in workerd).
   */
  static async create({ model, threads = 1, wasmModule, wasmBinary } = {}) {
    const core = await loadCore({ wasmModule, wasmBinary });
    const resolved = await resolveModel(model);
    const embedder = await Embedder.create(core, resolved, { threads });
    return new SpeakerId(core, resolved, embedder);
  }

  constructor(core, model, embedder) {
    this.#core = core;
    this.#embedder = embedder;
    const { id, family, frontend, dim, threshold } = model;
    this.model = Object.freeze({ id, family, frontend, dim, threshold });
  }

  #core;
  #embedder;

  /** The utterance embedding (Float32Array, model.dim values) of any supported audio input. */
  async embed(audio) {
    if (!this.#embedder) throw new SpeakerIdError('disposed', 'this SpeakerId was disposed');
    const decoded = await toDecodedAudio(this.#core, audio);
    return (await this.#embedder.embed(decoded)).embedding;
  }

  /** Releases the ONNX Runtime session; the object cannot be used afterwards. */
  async dispose() {
    const e = this.#embedder;
    this.#embedder = null;
    if (e) await e.dispose();
  }
}

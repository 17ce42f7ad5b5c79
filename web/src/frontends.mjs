// The JS face of the core's coarse front-end (bindings `Frontend`, src/pipeline/model_frontend.h): audio in once
// (WAV bytes, or decoded PCM), decode / downmix / resample / quality measurement / the family's front-end in one
// call, the model input out; intermediate stages only when asked. The family facts (shapes, minimum frames,
// pooling, stage names) come from C++ as `spec`.
import { InvalidArgumentError } from './errors.mjs';

export const TARGET_RATE = 16000;
export const PREPROCESS = Object.freeze(['upstream', 'speaker-id']);

/** Family names, for usage messages; the core validates (core.families() has their specs). */
export const FRONTENDS = Object.freeze(['resemblyzer', 'ecapa']);

export function checkPreprocess(preprocess) {
  if (!PREPROCESS.includes(preprocess)) {
    throw new InvalidArgumentError(`preprocess must be one of ${PREPROCESS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(preprocess)}`);
  }
  return preprocess;
}

export class ModelFrontend {
  /** family: 'resemblyzer' | 'ecapa' (InvalidArgumentError otherwise). */
  constructor(core, family) {
    this.core = core;
    this.handle = new core.Frontend(family);
    this.spec = Object.freeze(this.handle.spec());
  }

  /**
   * audio: { wav: Uint8Array } (encoded WAV, decoded in C++), or the same as { wavParts: [Uint8Array...] } whose
   * concatenation is the WAV (audio-windows.mjs), or decoded PCM { sampleRate, channels, interleaved: Float32Array }.
   * Options: quality (quality.mjs options: measure speech / levels / clipping), stages (keep every intermediate
   * stage), preprocess ('upstream' | 'speaker-id').
   * -> { modelInput: { data, shape }, frames, durationSec, sampleRate, channels, measurements?, stages? }, all owned.
   */
  run(audio, { quality, stages = false, preprocess = 'upstream' } = {}) {
    const options = { preprocess: checkPreprocess(preprocess), stages, quality: quality && {
      vadMode: quality.vadMode, minWindowDbfs: quality.minWindowDbfs, clipLevel: quality.clipLevel } };
    let r;
    if (audio.wav || audio.wavParts) {
      const parts = audio.wavParts ?? [audio.wav];
      const buffer = this.handle.byteBuffer(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (buffer.set(p, at), at + p.length), 0);
      r = this.handle.runWav(options);
    } else {
      this.handle.buffer(audio.interleaved.length).set(audio.interleaved);
      r = this.handle.runPcm(audio.channels, audio.sampleRate, options);
    }
    // One copy out: ONNX Runtime runs asynchronously, and any later call into the shared core may grow (and so
    // detach) wasm memory under a view.
    const out = {
      modelInput: { data: r.input.slice(), shape: r.shape }, frames: r.frames, durationSec: r.durationSec,
      sampleRate: r.sampleRate, channels: r.channels, measurements: r.quality,
    };
    if (r.stages) {
      out.stages = Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, { data: v.data.slice(), shape: v.shape }]));
    }
    return out;
  }

  /** Model output rows (Float32Array, count x embeddingDim) -> the utterance embedding (owned). */
  pool(rows, count) {
    this.handle.buffer(rows.length).set(rows);
    return this.handle.pool(count, this.spec.embeddingDim).slice();
  }

  dispose() {
    this.handle?.delete();
    this.handle = null;
  }
}

/**
 * One front-end run with every stage kept (the `features` command, golden checks): `family` 'resemblyzer' | 'ecapa',
 * `audio` decoded PCM ({ sampleRate, channels, interleaved }) or { wav }. -> ModelFrontend#run's result.
 */
export function runFrontend(core, family, audio, { quality, preprocess } = {}) {
  const fe = new ModelFrontend(core, family);
  try {
    return fe.run(audio, { quality, preprocess, stages: true });
  } finally {
    fe.dispose();
  }
}

// Runs the C++ front-ends on decoded PCM and returns every stage as plain, owned typed arrays with shapes
// (names as in ../shared/golden/manifest.json). The model-input arrays are what ONNX Runtime gets later.
import { InvalidAudioError, InvalidArgumentError } from './errors.mjs';
import { withFloats } from './wasm-buffers.mjs';

export const TARGET_RATE = 16000;
export const FRONTENDS = ['resemblyzer', 'ecapa'];

/**
 * Downmix + resample decoded audio ({ sampleRate, channels, interleaved }) -> { raw, wav16k } (owned copies), plus
 * `measurements` (speech seconds, levels, clipping; see quality.mjs) when `quality` options are given.
 */
export function prepareAudio(core, audio, quality) {
  const { sampleRate, channels, interleaved } = audio;
  if (!interleaved || interleaved.length === 0) throw new InvalidAudioError('no audio samples: the input is empty');
  const prep = new core.AudioPrep();
  try {
    return withFloats(core, interleaved, (buf) => {
      const err = prep.run(buf, channels, sampleRate, TARGET_RATE);
      if (err) throw new InvalidAudioError(`cannot use this audio: ${err}`);
      let measurements;
      if (quality) {
        measurements = prep.quality(quality.vadMode, quality.minWindowDbfs, quality.clipLevel);
        if (measurements.error) throw new InvalidArgumentError(`quality options: ${measurements.error}`);
      }
      return { raw: prep.mono().slice(), wav16k: prep.output().slice(), sampleRate, measurements };
    });
  } finally {
    prep.delete();
  }
}

function resemblyzerStages(core, raw, wav16k) {
  const fe = new core.ResemblyzerFrontend();
  try {
    withFloats(core, wav16k, (buf) => fe.run(buf));
    const frames = fe.melFrames();
    const flags = fe.vadFlags().slice();
    const pre = fe.preprocessed().slice();
    const p = fe.numPartials();
    return {
      stages: {
        raw: { data: raw, shape: [raw.length] },
        vad_flags: { data: flags, shape: [flags.length] },
        vad_smoothed: { data: fe.vadSmoothed().slice(), shape: [flags.length] },
        vad_keep: { data: fe.vadKeep().slice(), shape: [flags.length] },
        preprocessed: { data: pre, shape: [pre.length] },
        mel: { data: fe.mel().slice(), shape: [frames, 40] },
        slices: { data: fe.slices().slice(), shape: [p, 4] },
      },
      modelInput: { data: fe.partials().slice(), shape: [p, 160, 40] },
      info: { rmsDbfs: fe.rmsDbfs(), gainDb: fe.gainDb() },
    };
  } finally {
    fe.delete();
  }
}

function ecapaStages(core, raw, wav16k) {
  const fe = new core.EcapaFrontend();
  try {
    withFloats(core, wav16k, (buf) => fe.run(buf));
    const frames = fe.frames();
    const norm = fe.fbankNorm().slice();
    return {
      stages: {
        fbank: { data: fe.fbank().slice(), shape: [frames, 80] },
        fbank_norm: { data: norm, shape: [frames, 80] },
      },
      modelInput: { data: norm, shape: [1, frames, 80] },
      info: {},
    };
  } finally {
    fe.delete();
  }
}

/** Run one front-end ('resemblyzer' | 'ecapa') on decoded audio (`quality`: see prepareAudio). */
export function runFrontend(core, frontend, audio, quality) {
  if (!FRONTENDS.includes(frontend)) {
    throw new InvalidArgumentError(`unknown front-end '${frontend}'; accepted: ${FRONTENDS.join(', ')}`);
  }
  const { raw, wav16k, measurements } = prepareAudio(core, audio, quality);
  const durationSec = raw.length / audio.sampleRate;
  const result = frontend === 'resemblyzer' ? resemblyzerStages(core, raw, wav16k) : ecapaStages(core, raw, wav16k);
  return { ...result, durationSec, measurements, sampleRate: audio.sampleRate, channels: audio.channels };
}

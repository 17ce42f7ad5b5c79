// The same computation in every runtime: both front-ends on a deterministic 1.5 s synthetic signal, summarised
// as a FNV-1a hash of the output bytes. The wasm build is deterministic, so every runtime must print Node's hashes.
import { runFrontend } from '../../web/src/frontends.mjs';

export function probeSignal() {
  const rate = 22050;  // not 16 kHz, so the resampler runs too
  const x = new Float32Array(Math.round(1.5 * rate));
  let seed = 12345;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const t = i / rate;
    x[i] = 0.3 * Math.sin(2 * Math.PI * (150 + 400 * t) * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)) +
      0.01 * ((seed / 2 ** 32) - 0.5);
  }
  return { sampleRate: rate, channels: 1, interleaved: x };
}

function fnv1a(typed) {
  const u8 = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < u8.length; i++) h = Math.imul(h ^ u8[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function probe(core) {
  const audio = probeSignal();
  const r = runFrontend(core, 'resemblyzer', audio);
  const e = runFrontend(core, 'ecapa', audio);
  return {
    resemblyzerMel: fnv1a(r.stages.mel.data),
    resemblyzerShape: r.stages.mel.shape,
    fbankNorm: fnv1a(e.stages.fbank_norm.data),
    fbankShape: e.stages.fbank_norm.shape,
  };
}

// Long recordings in windows, so that memory stays bounded whatever the length: the front-end and ONNX Runtime see
// one window at a time (their wasm memory, which never shrinks, grows to one window's needs), and a WAV is cut from
// its bytes without being decoded whole. Up to EXACT_MAX_SEC a recording is one window: the upstream result exactly.
// Longer ones are cut into equal windows of at most that length, each embedded as an utterance of its own, and the
// window embeddings pooled (embedder.mjs).
export const EXACT_MAX_SEC = 60;
const PROBE_BYTES = 1 << 16;  // the header of any ordinary WAV; more is read when its chunks need it
const PROBE_MAX_BYTES = 1 << 24;

// Where a WAV's samples are ({ sampleRate, channels, containerBits, isFloat, blockAlign, dataOffset, frames }), or
// null when the core cannot tell from the first bytes: the whole-file path then decodes it and reports what is wrong.
function probeWav(core, wav) {
  const decoder = new core.WavDecoder();
  try {
    for (let n = Math.min(wav.length, PROBE_BYTES); ; n = Math.min(wav.length, n * 4)) {
      decoder.buffer(n).set(wav.subarray(0, n));
      try {
        return decoder.probe(wav.length);
      } catch {
        if (n === wav.length || n >= PROBE_MAX_BYTES) return null;
      }
    }
  } finally {
    decoder.delete();
  }
}

// A canonical WAV of `count` frames from `first` on, as [header, samples]: a 44-byte header of the same sample
// format, and a view of the file's bytes (the front-end copies both into wasm memory: no copy of the window here).
function wavWindow(wav, layout, first, count) {
  const { sampleRate, channels, containerBits, isFloat, blockAlign, dataOffset } = layout;
  const data = wav.subarray(dataOffset + first * blockAlign, dataOffset + (first + count) * blockAlign);
  const out = new Uint8Array(44);
  const dv = new DataView(out.buffer);
  const ascii = (at, s) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + data.length, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, isFloat ? 3 : 1, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * blockAlign, true);
  dv.setUint16(32, blockAlign, true);
  dv.setUint16(34, containerBits, true);
  ascii(36, 'data');
  dv.setUint32(40, data.length, true);
  return [out, data];
}

/**
 * A front-end input (toAudioInput's { wav } or decoded PCM) -> null when it is one window (EXACT_MAX_SEC or less,
 * or a WAV whose layout the core cannot probe), else { count, durationSec, window(i) -> the i-th window's input:
 * decoded PCM (a view), or { wavParts: [header, samples] } }.
 */
export function planWindows(core, audio) {
  let frames, rate, cut;
  if (audio.wav) {
    const layout = probeWav(core, audio.wav);
    if (!layout) return null;
    ({ frames, sampleRate: rate } = layout);
    cut = (first, count) => ({ wavParts: wavWindow(audio.wav, layout, first, count) });
  } else {
    const { channels, sampleRate, interleaved } = audio;
    if (!(channels > 0) || interleaved.length % channels !== 0) return null;  // the core says what is wrong
    frames = Math.floor(interleaved.length / channels);
    rate = sampleRate;
    cut = (first, count) => ({ sampleRate, channels, interleaved: interleaved.subarray(first * channels, (first + count) * channels) });
  }
  if (!(rate > 0) || frames <= EXACT_MAX_SEC * rate) return null;
  const count = Math.ceil(frames / (EXACT_MAX_SEC * rate));
  const per = Math.ceil(frames / count);
  return { count, durationSec: frames / rate, window: (i) => cut(i * per, Math.min(per, frames - i * per)) };
}

/**
 * Decoded PCM of a front-end input in pieces of at most `chunkSec` (streaming a recording, SpeakerId#timeline):
 * -> { sampleRate, channels, chunks() -> iterator of interleaved Float32Array }. A WAV is decoded a piece at a time
 * from its bytes (bounded memory); decoded PCM is cut into views.
 */
export function pcmChunks(core, audio, chunkSec = 10) {
  if (audio.wav) {
    const layout = probeWav(core, audio.wav);
    if (!layout) {
      const wav = new core.WavDecoder();  // not probeable: decoded whole, which reports what is wrong
      try {
        wav.buffer(audio.wav.length).set(audio.wav);
        const r = wav.decode();
        return pcmChunks(core, { sampleRate: r.sampleRate, channels: r.channels, interleaved: r.interleaved.slice() }, chunkSec);
      } finally {
        wav.delete();
      }
    }
    const per = Math.max(1, Math.round(chunkSec * layout.sampleRate));
    return {
      sampleRate: layout.sampleRate, channels: layout.channels,
      * chunks() {
        const decoder = new core.WavDecoder();
        try {
          for (let first = 0; first < layout.frames; first += per) {
            const [header, data] = wavWindow(audio.wav, layout, first, Math.min(per, layout.frames - first));
            const buffer = decoder.buffer(header.length + data.length);
            buffer.set(header);
            buffer.set(data, header.length);
            yield decoder.decode().interleaved.slice();
          }
        } finally {
          decoder.delete();
        }
      },
    };
  }
  const { sampleRate, channels, interleaved } = audio;
  const per = Math.max(1, Math.round(chunkSec * sampleRate)) * channels;
  return {
    sampleRate, channels,
    * chunks() {
      for (let at = 0; at < interleaved.length; at += per) yield interleaved.subarray(at, Math.min(interleaved.length, at + per));
    },
  };
}

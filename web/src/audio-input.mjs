// Normalises what callers pass as audio into what the core's front-end takes:
//   encoded WAV bytes -> { wav: Uint8Array }   (decoded in C++ inside the front-end call: one crossing into wasm)
//   other encoded bytes (FLAC, Ogg, MP3, Opus: ArrayBuffer, Uint8Array / other views, Blob) -> decoded PCM
//   { samples: Float32Array, sampleRate }   mono PCM
//   { interleaved: Float32Array, channels, sampleRate }   decoded PCM (what decodeAudio returns)
//   an AudioBuffer (or anything with numberOfChannels, sampleRate, getChannelData)
// Decoded PCM is { sampleRate, channels, interleaved }; the core validates rates, channels and sample values.
import { asBytes, decodeAudio, sniffContainer } from './audio-decode.mjs';
import { InvalidAudioError } from './errors.mjs';

async function fromBytes(core, u8) {
  return sniffContainer(u8) === 'wav' ? { wav: u8 } : decodeAudio(core, u8);
}

export async function toAudioInput(core, audio) {
  if (audio instanceof ArrayBuffer || (ArrayBuffer.isView(audio) && !(audio instanceof Float32Array))) {
    return fromBytes(core, asBytes(audio));
  }
  if (typeof Blob !== 'undefined' && audio instanceof Blob) return fromBytes(core, new Uint8Array(await audio.arrayBuffer()));
  if (audio && typeof audio.getChannelData === 'function') {
    const channels = audio.numberOfChannels;
    const data = Array.from({ length: channels }, (_, c) => audio.getChannelData(c));
    const interleaved = new Float32Array(audio.length * channels);
    for (let c = 0; c < channels; c++) for (let i = 0; i < audio.length; i++) interleaved[i * channels + c] = data[c][i];
    return { sampleRate: audio.sampleRate, channels, interleaved };
  }
  if (audio && audio.interleaved instanceof Float32Array && Number.isInteger(audio.channels)) {
    if (!Number.isInteger(audio.sampleRate) || audio.sampleRate <= 0) {
      throw new InvalidAudioError('{ interleaved, channels, sampleRate }: sampleRate must be a positive integer (Hz)');
    }
    return { sampleRate: audio.sampleRate, channels: audio.channels, interleaved: audio.interleaved };
  }
  if (audio && audio.samples instanceof Float32Array) {
    if (!Number.isInteger(audio.sampleRate) || audio.sampleRate <= 0) {
      throw new InvalidAudioError('{ samples, sampleRate }: sampleRate must be a positive integer (Hz)');
    }
    return { sampleRate: audio.sampleRate, channels: 1, interleaved: audio.samples };
  }
  if (audio instanceof Float32Array) {
    throw new InvalidAudioError('a bare Float32Array has no sample rate: pass { samples, sampleRate }');
  }
  throw new InvalidAudioError('unsupported audio: pass { samples: Float32Array, sampleRate }, an AudioBuffer, ' +
    'or encoded bytes (ArrayBuffer, Uint8Array, Blob)');
}

/** Any supported audio input as decoded PCM { sampleRate, channels, interleaved } (WAV decoded by the core). */
export async function toDecodedAudio(core, audio) {
  const input = await toAudioInput(core, audio);
  return input.wav ? decodeAudio(core, input.wav) : input;
}

// Encoded bytes -> PCM. WAV is decoded by the C++ core everywhere (one code path, strict validation); FLAC by
// @wasm-audio-decoders/flac (re-quantised so samples equal int/2^(bits-1) exactly, as soundfile/librosa give);
// other containers (Ogg, MP3, Opus, ...) by WebAudio where it exists, else the `audio-decode` package.
import { InvalidAudioError } from './errors.mjs';

/** Identify the container from its first bytes: 'wav' | 'flac' | 'ogg' | 'mp3' | 'other' | 'empty'. */
export function sniffContainer(u8) {
  if (u8.length === 0) return 'empty';
  const tag = (o) => String.fromCharCode(...u8.subarray(o, o + 4));
  if (u8.length >= 4 && (tag(0) === 'RIFF' || tag(0) === 'RIFX' || tag(0) === 'RF64')) return 'wav';
  if (u8.length >= 4 && tag(0) === 'fLaC') return 'flac';
  if (u8.length >= 4 && tag(0) === 'OggS') return 'ogg';
  if ((u8.length >= 3 && u8[0] === 0x49 && u8[1] === 0x44 && u8[2] === 0x33) ||
      (u8.length >= 2 && u8[0] === 0xff && (u8[1] & 0xe0) === 0xe0)) return 'mp3';
  return 'other';
}

/** A Uint8Array over `bytes` (ArrayBuffer or any ArrayBufferView, no copy), or null for anything else. */
export function asBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return null;
}

function interleave(channelData) {
  const channels = channelData.length;
  if (channels === 1) return channelData[0];
  const frames = channelData[0].length;
  const out = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++) {
    const ch = channelData[c];
    for (let i = 0; i < frames; i++) out[i * channels + c] = ch[i];
  }
  return out;
}

async function decodeFlac(u8) {
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    const r = await decoder.decodeFile(u8);
    if (r.errors?.length || !r.samplesDecoded) {
      throw new InvalidAudioError(`FLAC decoding failed: ${r.errors?.[0]?.message ?? 'no samples decoded'}`);
    }
    // The decoder scales by 1/(2^(bits-1) - 1); recover the integers and scale by 1/2^(bits-1) like libsndfile.
    const full = 2 ** (r.bitDepth - 1);
    for (const ch of r.channelData) {
      for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i] * (full - 1)) / full;
    }
    return { sampleRate: r.sampleRate, channels: r.channelData.length, interleaved: interleave(r.channelData) };
  } finally {
    decoder.free();
  }
}

async function decodeOther(u8) {
  if (typeof globalThis.OfflineAudioContext === 'function') {
    const ctx = new OfflineAudioContext(1, 1, 48000);
    const buf = await ctx.decodeAudioData(u8.slice().buffer);
    const data = Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c));
    return { sampleRate: buf.sampleRate, channels: data.length, interleaved: interleave(data) };
  }
  const { default: decode } = await import('audio-decode');
  const r = await decode(u8);
  return { sampleRate: r.sampleRate, channels: r.channelData.length, interleaved: interleave(r.channelData) };
}

function decodeWav(core, u8) {
  const wav = new core.WavDecoder();
  try {
    wav.buffer(u8.length).set(u8);
    const r = wav.decode();  // InvalidAudioError "invalid WAV: ..." from the core
    return { sampleRate: r.sampleRate, channels: r.channels, interleaved: r.interleaved.slice() };
  } finally {
    wav.delete();
  }
}

/**
 * Decode encoded audio bytes. Returns { sampleRate, channels, interleaved: Float32Array }.
 * Throws InvalidAudioError with a one-line reason for anything that is not decodable audio.
 */
export async function decodeAudio(core, bytes) {
  const u8 = asBytes(bytes);
  if (!u8) throw new InvalidAudioError('audio bytes must be an ArrayBuffer, Uint8Array or other ArrayBufferView');
  const kind = sniffContainer(u8);
  if (kind === 'empty') throw new InvalidAudioError('empty input: expected WAV, FLAC, Ogg, MP3 or Opus bytes');
  if (kind === 'wav') return decodeWav(core, u8);
  try {
    return kind === 'flac' ? await decodeFlac(u8) : await decodeOther(u8);
  } catch (err) {
    if (err instanceof InvalidAudioError) throw err;
    throw new InvalidAudioError(`could not decode ${kind === 'other' ? 'the input (unrecognised container)' : kind}: ` +
      `${err?.message ?? err}; accepted: WAV, FLAC, Ogg Vorbis/Opus, MP3`);
  }
}

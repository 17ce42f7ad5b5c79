// Encoded bytes -> PCM. WAV is decoded by the C++ core everywhere (one code path, strict validation). In Node and
// Deno, FLAC by @wasm-audio-decoders/flac (re-quantised so samples equal int/2^(bits-1) exactly, as soundfile/librosa
// give) and other containers (Ogg, MP3, Opus, ...) by the `audio-decode` package (platform/node.mjs); in browsers
// everything but WAV by WebAudio's decodeAudioData (platform/web.mjs: those packages do not bundle for browsers).
// The decoders stop at a damaged frame or at the end of a cut file without an error and return what came before;
// where the container declares its length (FLAC STREAMINFO, the last Ogg page's granule position) a result shorter
// than that carries `partialDecode` ({ format, declaredSec, decodedSec }), which the quality report passes on.
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

/**
 * The total length FLAC STREAMINFO declares, { frames, sampleRate, slack }, or null (no STREAMINFO, length unknown).
 * slack: one block (STREAMINFO's maximum block size). The parser of @wasm-audio-decoders/flac drops a final frame
 * of a few bytes (a constant subframe: silence) in intact files (in ../shared 1 of 351 LibriSpeech files,
 * 3235-11599-0000.flac, 80 ms short), so up to one block short is not reported; a cut or a damaged frame loses
 * everything after it, far more.
 */
export function flacDeclaredLength(u8) {
  // 'fLaC', then the first metadata block: 1 byte last-flag + type (0 = STREAMINFO), 3 bytes length (34), its body.
  if (u8.length < 8 + 18 || (u8[4] & 0x7f) !== 0) return null;
  const b = (i) => u8[8 + i];
  const maxBlock = (b(2) << 8) | b(3);
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const frames = (b(13) & 0x0f) * 2 ** 32 + (((b(14) << 24) | (b(15) << 16) | (b(16) << 8) | b(17)) >>> 0);
  return frames > 0 && sampleRate > 0 ? { frames, sampleRate, slack: maxBlock || 4096 } : null;
}

/** The length an Ogg Opus or Vorbis stream declares by its last page's granule position, { frames, sampleRate }, or null. */
export function oggDeclaredLength(u8) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const isPage = (i) => u8[i] === 0x4f && u8[i + 1] === 0x67 && u8[i + 2] === 0x67 && u8[i + 3] === 0x53 && u8[i + 4] === 0;
  if (u8.length < 28 || !isPage(0)) return null;
  const serial = dv.getUint32(14, true);
  const head = 27 + u8[26];  // the first packet (the codec's identification header) starts after the segment table
  const tag = (o, n) => String.fromCharCode(...u8.subarray(head + o, head + o + n));
  let sampleRate, skip;
  if (u8.length >= head + 12 && tag(0, 8) === 'OpusHead') {
    sampleRate = 48000;  // Opus granules count 48 kHz samples, including the pre-skip
    skip = dv.getUint16(head + 10, true);
  } else if (u8.length >= head + 16 && tag(0, 7) === '\x01vorbis') {
    sampleRate = dv.getUint32(head + 12, true);
    skip = 0;
  } else {
    return null;
  }
  // The last page of this stream that ends a packet (granule -1: none does). A cut file's last page may be cut too:
  // its header still says how far the stream got.
  for (let i = u8.length - 27; i > 0; i--) {
    if (!isPage(i) || dv.getUint32(i + 14, true) !== serial) continue;
    const granule = dv.getBigInt64(i + 6, true);
    if (granule < 0n) continue;
    const frames = Number(granule) - skip;
    // slack: 10 ms, decoders may round to their blocks at the ends (an Opus frame is 2.5..60 ms).
    return frames > 0 && sampleRate > 0 ? { frames, sampleRate, slack: sampleRate / 100 } : null;
  }
  return null;
}

/** `decoded` with `partialDecode` when the container declared more than came out (by more than its slack). */
function checkLength(decoded, format, declared) {
  if (!declared) return decoded;
  const declaredSec = declared.frames / declared.sampleRate;
  const decodedSec = decoded.interleaved.length / decoded.channels / decoded.sampleRate;
  if (declaredSec - decodedSec <= declared.slack / declared.sampleRate + 1e-9) return decoded;
  return { ...decoded, partialDecode: { format, declaredSec, decodedSec } };
}

// The decoders of this platform (`#platform`: platform/node.mjs in Node and Deno, platform/web.mjs in browsers).
async function decodeEncoded(u8, kind) {
  const { decodeEncoded: decode } = await import('#platform');
  if (kind === 'flac') {
    const declared = flacDeclaredLength(u8);
    return checkLength(await decode(u8, kind, { sampleRate: declared?.sampleRate }), 'flac', declared);
  }
  const decoded = await decode(u8, kind);
  return kind === 'ogg' ? checkLength(decoded, 'ogg', oggDeclaredLength(u8)) : decoded;
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
 * Decode encoded audio bytes. Returns { sampleRate, channels, interleaved: Float32Array }, plus
 * partialDecode: { format: 'flac' | 'ogg', declaredSec, decodedSec } when the file declares more audio than could be
 * decoded (a cut file, a damaged frame: the decoders stop there and return the audio before it).
 * Throws InvalidAudioError with a one-line reason for anything that is not decodable audio.
 */
export async function decodeAudio(core, bytes) {
  const u8 = asBytes(bytes);
  if (!u8) throw new InvalidAudioError('audio bytes must be an ArrayBuffer, Uint8Array or other ArrayBufferView');
  const kind = sniffContainer(u8);
  if (kind === 'empty') throw new InvalidAudioError('empty input: expected WAV, FLAC, Ogg, MP3 or Opus bytes');
  if (kind === 'wav') return decodeWav(core, u8);
  try {
    return await decodeEncoded(u8, kind);
  } catch (err) {
    if (err instanceof InvalidAudioError) throw err;
    throw new InvalidAudioError(`could not decode ${kind === 'other' ? 'the input (unrecognised container)' : kind}: ` +
      `${err?.message ?? err}; accepted: WAV, FLAC, Ogg Vorbis/Opus, MP3`);
  }
}

// Enrollment quality feedback (DESIGN.md: too short, no voice found, clipping, too quiet, and an enrollment
// percentage toward a recommended amount of speech, as Picovoice Eagle's profiler reports it).
// The measurements come from C++ (audio/speech_quality.h); the decisions are these configurable thresholds.
import { AudioTooShortError, ClippingError, InvalidArgumentError, NoVoiceError, TooQuietError } from './errors.mjs';

export const DEFAULT_QUALITY = Object.freeze({
  minSpeechSec: 1.0,          // enroll: less speech than this is refused (too_short)
  minIdentifySpeechSec: 0.0,  // identify / verify: 0 = only "no voice at all" is refused
  recommendedSpeechSec: 15.0, // speech per speaker for enrollmentPercent = 100
  quietDbfs: -38.0,           // speech RMS below this: too_quiet (LibriSpeech speech sits at -31..-18 dBFS)
  maxClippedFraction: 0.001,  // more flat-top samples than this fraction: clipping
  strict: false,              // true: clipping and too_quiet refuse the sample too (otherwise they are warnings)
  vadMode: 3,                 // WebRTC VAD aggressiveness 0..3
  minWindowDbfs: -60.0,       // 30 ms windows below this level are never speech
  clipLevel: 0.99,            // |x| at or above this is at the rail
});

/** Merges and validates caller options over DEFAULT_QUALITY. */
export function qualityOptions(options = {}) {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('quality must be an object');
  const o = { ...DEFAULT_QUALITY, ...options };
  const unknown = Object.keys(options).filter((k) => !(k in DEFAULT_QUALITY));
  if (unknown.length) {
    throw new InvalidArgumentError(`unknown quality option(s) ${unknown.join(', ')}; accepted: ${Object.keys(DEFAULT_QUALITY).join(', ')}`);
  }
  const nonNeg = ['minSpeechSec', 'minIdentifySpeechSec', 'maxClippedFraction'];
  for (const k of nonNeg) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new InvalidArgumentError(`quality.${k} must be a number >= 0`);
  }
  if (!(Number.isFinite(o.recommendedSpeechSec) && o.recommendedSpeechSec > 0)) {
    throw new InvalidArgumentError('quality.recommendedSpeechSec must be a number > 0');
  }
  for (const k of ['quietDbfs', 'minWindowDbfs']) {
    if (!Number.isFinite(o[k])) throw new InvalidArgumentError(`quality.${k} must be a finite number (dBFS)`);
  }
  if (!(Number.isInteger(o.vadMode) && o.vadMode >= 0 && o.vadMode <= 3)) throw new InvalidArgumentError('quality.vadMode must be 0, 1, 2 or 3');
  if (!(o.clipLevel > 0 && o.clipLevel <= 1)) throw new InvalidArgumentError('quality.clipLevel must be in (0, 1]');
  if (typeof o.strict !== 'boolean') throw new InvalidArgumentError('quality.strict must be a boolean');
  return Object.freeze(o);
}

const SILENCE_DBFS = -120;  // audio/speech_quality.h kSilenceDbfs

/**
 * The measurements of a recording embedded in windows (audio-windows.mjs), from each window's front-end result
 * ({ measurements, durationSec, sampleRate }): counts and durations add up, levels are power means over what they
 * measure (speech windows, the whole signal), the peak is the highest, the clipped fraction is of all samples.
 */
export function combineMeasurements(parts) {
  const ms = parts.map((p) => p.measurements);
  const sum = (f) => ms.reduce((a, m, i) => a + f(m, i), 0);
  const powerMean = (key, weight) => {
    const w = sum((m, i) => weight(m, i));
    return w > 0 ? 10 * Math.log10(sum((m, i) => weight(m, i) * 10 ** (m[key] / 10)) / w) : SILENCE_DBFS;
  };
  const clippedSamples = sum((m) => m.clippedSamples);
  const samples = parts.reduce((a, p) => a + Math.round(p.durationSec * p.sampleRate), 0);
  return {
    durationSec: sum((m) => m.durationSec), speechSec: sum((m) => m.speechSec),
    windows: sum((m) => m.windows), speechWindows: sum((m) => m.speechWindows),
    speechDbfs: powerMean('speechDbfs', (m) => m.speechWindows),
    overallDbfs: powerMean('overallDbfs', (m) => m.durationSec),
    peakDbfs: Math.max(...ms.map((m) => m.peakDbfs)),
    clippedSamples, clippedFraction: samples > 0 ? clippedSamples / samples : 0,
  };
}

const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

const FORMAT_NAMES = { flac: 'the FLAC header declares', ogg: "the Ogg stream's last page declares" };

/** The one-line warning of decodeAudio's `partialDecode` ({ format, declaredSec, decodedSec }). */
export function partialDecodeMessage({ format, declaredSec, decodedSec }) {
  return `decoded ${decodedSec.toFixed(2)} s of the ${declaredSec.toFixed(2)} s ${FORMAT_NAMES[format] ?? 'the file declares'}: ` +
    'the rest is cut off or damaged, only the decoded part is used';
}

/**
 * The quality report of one recording from its measurements: the numbers plus `issues` ([{ code, message }],
 * codes too_short | no_voice | clipping | too_quiet | partial_decode) for the given use ('enroll' | 'identify').
 * `partialDecode` (decodeAudio's, when the file declares more audio than could be decoded) is kept in the report
 * and is a partial_decode issue: the measurements and the embedding are of the decoded part only.
 */
export function qualityReport(m, o, use, partialDecode) {
  const issues = [];
  const minSpeech = use === 'enroll' ? o.minSpeechSec : o.minIdentifySpeechSec;
  if (m.speechWindows === 0) {
    issues.push({ code: 'no_voice', message: `no voice found in ${m.durationSec.toFixed(2)} s of audio` });
  } else if (m.speechSec < minSpeech) {
    issues.push({ code: 'too_short', message: `${m.speechSec.toFixed(2)} s of speech, at least ${minSpeech} s needed` });
  }
  if (m.clippedFraction > o.maxClippedFraction) {
    issues.push({ code: 'clipping', message: `${(100 * m.clippedFraction).toFixed(2)} % of the samples are clipped ` +
      `(at most ${(100 * o.maxClippedFraction).toFixed(2)} %): lower the input gain` });
  }
  if (m.speechWindows > 0 && m.speechDbfs < o.quietDbfs) {
    issues.push({ code: 'too_quiet', message: `speech level ${m.speechDbfs.toFixed(1)} dBFS is below ${o.quietDbfs} dBFS: ` +
      'speak closer to the microphone or raise the gain' });
  }
  const report = {
    durationSec: round(m.durationSec), speechSec: round(m.speechSec), speechDbfs: round(m.speechDbfs, 2),
    peakDbfs: round(m.peakDbfs, 2), clippedFraction: round(m.clippedFraction, 6), issues,
  };
  if (partialDecode) {
    const { format, declaredSec, decodedSec } = partialDecode;
    issues.push({ code: 'partial_decode', message: partialDecodeMessage(partialDecode) });
    report.partialDecode = { format, declaredSec: round(declaredSec), decodedSec: round(decodedSec) };
  }
  return report;
}

const REFUSING = { no_voice: NoVoiceError, too_short: AudioTooShortError };
const STRICT = { clipping: ClippingError, too_quiet: TooQuietError };

/** Throws the typed error of the first refusing issue (no_voice, too_short; clipping, too_quiet when strict). */
export function refuseOnQuality(report, o, what) {
  for (const issue of report.issues) {
    const Cls = REFUSING[issue.code] ?? (o.strict ? STRICT[issue.code] : undefined);
    if (Cls) throw new Cls(`${what}: ${issue.message}`, report);
  }
}

/** Percentage (0..100, integer) of the recommended amount of speech a speaker's samples hold. */
export function enrollmentPercent(totalSpeechSec, o) {
  return Math.min(100, Math.floor((100 * totalSpeechSec) / o.recommendedSpeechSec));
}

// Calibrated confidence: a model may carry `calibration` (its manifest entry, or the ONNX metadata key
// `calibration` as JSON), a monotone map from the raw cosine score to the probability that a trial is same-speaker,
// fitted on held-out validation trials (models/train/calibrate.py). Two kinds:
//   { kind: 'logistic', a: A, b: B }
//       confidence = 1 / (1 + exp(-(A * score + B))),  A > 0
//   { kind: 'logistic-duration', w: [W0, W1, W2, W3], duration_range: [LO, HI], confidence_at_threshold: C }
//       confidence = 1 / (1 + exp(-(W0 * score + W1 * L + W2 * score * L + W3))),  L = ln(clamp(d, LO, HI) / 3)
//       d = the probe's duration in seconds. Short probes score lower, so the same cosine means more for them.
//       Clamped to the durations the fit had data for (beyond them the log-linear term only extrapolates).
//       Such a model decides at confidence >= C, not at one raw cosine: its raw threshold depends on d.
// Decision thresholds may be given on either scale; a confidence threshold is turned into the raw score with that
// confidence (the inverse map, for the probe's duration), so decisions are the same comparisons on the raw score.
import { InvalidArgumentError } from './errors.mjs';

const REF_SEC = 3;
export const logit = (p) => Math.log(p / (1 - p));
export const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * `spec` (or undefined) -> null | { spec, durationAware, decision, logOdds(score, d), scoreAt(logOdds, d),
 * toConfidence(score, d), toScore(confidence, d) } (d: the probe's duration in seconds); refuses a malformed spec.
 * `decision` is the confidence a duration-aware model decides at (undefined for 'logistic', whose model decides at
 * its raw threshold). d is ignored by 'logistic' and taken as 3 s where a duration-aware map is given none.
 */
export function makeCalibration(spec, where) {
  if (spec === undefined || spec === null) return null;
  if (spec.kind === 'logistic-duration') return durationCalibration(spec, where);
  const { kind, a, b } = spec;
  if (kind !== 'logistic' || !(Number.isFinite(a) && a > 0) || !Number.isFinite(b)) {
    throw new InvalidArgumentError(`${where}: calibration must be { kind: 'logistic', a > 0, b } or { kind: ` +
      `'logistic-duration', w: [4 numbers], duration_range: [lo, hi], confidence_at_threshold } (numbers), got ` +
      `${JSON.stringify(spec)}`);
  }
  return withProbabilities({
    spec: Object.freeze({ kind, a, b }),
    durationAware: false,
    decision: undefined,
    logOdds: (score) => a * score + b,
    scoreAt: (z) => (z - b) / a,
  });
}

// The probability side of a map given by its log-odds and their inverse.
function withProbabilities(m) {
  return Object.freeze({
    ...m,
    toConfidence: (score, d) => (Number.isFinite(score) ? sigmoid(m.logOdds(score, d)) : null),
    toScore: (confidence, d) => m.scoreAt(logit(confidence), d),
  });
}

function durationCalibration(spec, where) {
  const { w, duration_range: range, confidence_at_threshold: decision } = spec;
  const numbers = (v, n) => Array.isArray(v) && v.length === n && v.every(Number.isFinite);
  const ok = numbers(w, 4) && numbers(range, 2) && range[0] > 0 && range[1] >= range[0] &&
    typeof decision === 'number' && decision > 0 && decision < 1;
  // Monotone in the score at every duration: the slope w0 + w2 * L is linear in L, so checking both ends suffices.
  const slope = (L) => w[0] + w[2] * L;
  const Ls = ok ? range.map((d) => Math.log(d / REF_SEC)) : [];
  if (!ok || !Ls.every((L) => slope(L) > 0)) {
    throw new InvalidArgumentError(`${where}: a 'logistic-duration' calibration needs w: [4 numbers], ` +
      'duration_range: [lo > 0, hi >= lo] (seconds), confidence_at_threshold in (0, 1), and must increase with the ' +
      `score at every duration (w[0] + w[2] * ln(d / 3) > 0), got ${JSON.stringify(spec)}`);
  }
  const L = (durationSec) => Math.log(Math.min(range[1], Math.max(range[0],
    Number.isFinite(durationSec) ? durationSec : REF_SEC)) / REF_SEC);
  return withProbabilities({
    spec: Object.freeze({ kind: 'logistic-duration', w: Object.freeze([...w]),
      duration_range: Object.freeze([...range]), confidence_at_threshold: decision }),
    durationAware: true,
    decision,
    logOdds: (score, d) => {
      const l = L(d);
      return w[0] * score + w[1] * l + w[2] * score * l + w[3];
    },
    scoreAt: (z, d) => {
      const l = L(d);
      return (z - w[1] * l - w[3]) / slope(l);
    },
  });
}

/**
 * A threshold option -> the decision rule: { raw } (a raw cosine) or, for a duration-aware calibration and a
 * confidence threshold, { confidence } (turned into a raw cosine per probe by rawAt). `threshold`: a number (raw
 * cosine in [-1, 1]) or { confidence: c } with c in (0, 1), which needs a calibrated model.
 */
export function decisionRule(threshold, calibration, modelId) {
  if (threshold !== null && typeof threshold === 'object') {
    const keys = Object.keys(threshold);
    const c = threshold.confidence;
    if (keys.length !== 1 || keys[0] !== 'confidence' || !(typeof c === 'number' && c > 0 && c < 1)) {
      throw new InvalidArgumentError(`threshold must be a raw cosine in [-1, 1] or { confidence: c } with c in (0, 1), ` +
        `got ${JSON.stringify(threshold)}`);
    }
    if (!calibration) {
      throw new InvalidArgumentError(`model '${modelId}' has no calibrated confidence: give the threshold as a raw cosine`);
    }
    return calibration.durationAware ? { confidence: c } : { raw: rawAt({ confidence: c }, calibration) };
  }
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= -1 && threshold <= 1)) {
    throw new InvalidArgumentError(`threshold must be a number in [-1, 1] (raw cosine) or { confidence: c } with c in ` +
      `(0, 1), got ${threshold}`);
  }
  return { raw: threshold };
}

/** The raw cosine a decision rule accepts from, for a probe of durationSec seconds (clamped to [-1, 1]). */
export function rawAt(rule, calibration, durationSec) {
  if (rule.raw !== undefined) return rule.raw;
  return Math.min(1, Math.max(-1, calibration.toScore(rule.confidence, durationSec)));
}

/** The model's own decision rule: its raw threshold, or for a duration-aware calibration its confidence. */
export function modelDecision(model, calibration) {
  if (calibration?.durationAware) return { confidence: calibration.decision };
  return model.threshold === undefined ? undefined : { raw: model.threshold };
}

/** A threshold option -> the raw cosine (for a 3 s probe where the calibration is duration-aware). */
export function rawThreshold(threshold, calibration, modelId) {
  return rawAt(decisionRule(threshold, calibration, modelId), calibration);
}

// Calibrated confidence: a model may carry `calibration` (its manifest entry, or the ONNX metadata key
// `calibration` as JSON), a monotone map from the raw cosine score to the probability that a trial is same-speaker,
// fitted on held-out validation trials (models/train/). One kind so far:
//   { "kind": "logistic", "a": A, "b": B }    confidence = 1 / (1 + exp(-(A * score + B))),  A > 0
// Decision thresholds may be given on either scale; a confidence threshold is turned into the raw score with that
// confidence (the inverse map), so decisions are the same comparisons on the raw score either way.
import { InvalidArgumentError } from './errors.mjs';

/** `spec` (or undefined) -> null | { spec, toConfidence(score), toScore(confidence) }; refuses a malformed spec. */
export function makeCalibration(spec, where) {
  if (spec === undefined || spec === null) return null;
  const { kind, a, b } = spec;
  if (kind !== 'logistic' || !(Number.isFinite(a) && a > 0) || !Number.isFinite(b)) {
    throw new InvalidArgumentError(`${where}: calibration must be { kind: 'logistic', a > 0, b } (numbers), got ` +
      `${JSON.stringify(spec)}`);
  }
  return Object.freeze({
    spec: Object.freeze({ kind, a, b }),
    toConfidence: (score) => (Number.isFinite(score) ? 1 / (1 + Math.exp(-(a * score + b))) : null),
    toScore: (confidence) => (Math.log(confidence / (1 - confidence)) - b) / a,
  });
}

/**
 * A threshold option -> the raw cosine threshold. `threshold`: a number (raw cosine in [-1, 1]) or { confidence: c }
 * with c in (0, 1), which needs a calibrated model.
 */
export function rawThreshold(threshold, calibration, modelId) {
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
    return Math.min(1, Math.max(-1, calibration.toScore(c)));
  }
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= -1 && threshold <= 1)) {
    throw new InvalidArgumentError(`threshold must be a number in [-1, 1] (raw cosine) or { confidence: c } with c in ` +
      `(0, 1), got ${threshold}`);
  }
  return threshold;
}

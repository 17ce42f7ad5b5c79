// Speaker-ID's score scale. The Python service's clients send `threshold=0.82` (its UI's slider runs 0.50-0.99) and
// show `confidence` as a percentage; there both are the raw cosine of its Resemblyzer model. Here they are a monotone
// map of the model's raw cosine onto [0, 1] that puts this model's own calibrated decision at 0.82:
//
//   calibrated model ({ kind: 'logistic', a, b }, threshold t):   s = 1 / (1 + exp(-(a * (cos - t) + ln(0.82 / 0.18))))
//   uncalibrated model (threshold t):                             s = clamp(cos - t + 0.82, 0, 1)
//
// The first is the model's calibrated P(same speaker) with the prior odds moved so that its threshold lands on 0.82
// (same slope a: a step of the scale means what the calibration says it means). The second keeps Speaker-ID's
// own semantics for models calibrated only by a raw threshold: for Resemblyzer and ECAPA-VoxCeleb (t = 0.82) s is
// the raw cosine itself, exactly as in the Python service. Either way threshold 0.82 decides like the model's
// threshold and a higher threshold is stricter. Decisions are the same comparisons on the raw cosine: an API
// threshold is turned into the raw cosine with that value (toRaw) and passed on.
import { InvalidArgumentError } from '../errors.mjs';

export const SPEAKER_ID_DEFAULT = 0.82;
const LOGIT_DEFAULT = Math.log(SPEAKER_ID_DEFAULT / (1 - SPEAKER_ID_DEFAULT));

/** model: SpeakerId#model ({ id, threshold, calibration }) -> { toApi(cos), toRaw(s), spec }. */
export function speakerIdScale(model) {
  const t = model.threshold;
  if (!Number.isFinite(t)) {
    throw new InvalidArgumentError(`model '${model.id}' has no calibrated threshold: the HTTP API needs one to place ` +
      'Speaker-ID\'s 0.82 (export the model with --threshold, or register it in the manifest)');
  }
  const cal = model.calibration;
  const clampCos = (c) => Math.min(1, Math.max(-1, c));
  if (cal) {
    const { a } = cal;
    return Object.freeze({
      spec: { kind: 'logistic', a, center: t, formula: `1 / (1 + exp(-(${a} * (cosine - ${t}) + ln(0.82 / 0.18))))` },
      toApi: (cos) => 1 / (1 + Math.exp(-(a * (cos - t) + LOGIT_DEFAULT))),
      toRaw: (s) => (s <= 0 ? -1 : s >= 1 ? 1 : clampCos(t + (Math.log(s / (1 - s)) - LOGIT_DEFAULT) / a)),
    });
  }
  return Object.freeze({
    spec: { kind: 'shift', center: t, formula: `clamp(cosine - ${t} + 0.82, 0, 1)` },
    toApi: (cos) => Math.min(1, Math.max(0, cos - t + SPEAKER_ID_DEFAULT)),
    toRaw: (s) => (s <= 0 ? -1 : clampCos(s - SPEAKER_ID_DEFAULT + t)),
  });
}

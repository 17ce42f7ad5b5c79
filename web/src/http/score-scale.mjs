// Speaker-ID's score scale. The Python service's clients send `threshold=0.82` (its UI's slider runs 0.50-0.99) and
// show `confidence` as a percentage; there both are the raw cosine of its Resemblyzer model. Here they are a monotone
// map of the model's raw cosine onto [0, 1] that puts this model's own calibrated decision at 0.82:
//
//   calibrated model ({ kind: 'logistic', a, b }, threshold t):   s = 1 / (1 + exp(-(a * (cos - t) + ln(0.82 / 0.18))))
//   duration-aware calibration (log-odds z(cos, d), deciding at confidence C, calibration.mjs):
//                                                                 s = 1 / (1 + exp(-(z(cos, d) - ln(C / (1 - C)) + ln(0.82 / 0.18))))
//   uncalibrated model (threshold t):                             s = clamp(cos - t + 0.82, 0, 1)
//
// The first two are the model's calibrated P(same speaker) with the prior odds moved so that its decision lands on
// 0.82 (same slope: a step of the scale means what the calibration says it means); with a duration-aware
// calibration s depends on the probe's duration d as the confidence does. The last keeps Speaker-ID's
// own semantics for models calibrated only by a raw threshold: for Resemblyzer and ECAPA-VoxCeleb (t = 0.82) s is
// the raw cosine itself, exactly as in the Python service. Either way threshold 0.82 decides like the model's
// threshold and a higher threshold is stricter. Decisions are the same comparisons on the raw cosine: an API
// threshold is turned into the raw cosine with that value (toRaw) and passed on.
import { logit, makeCalibration, sigmoid } from '../calibration.mjs';
import { InvalidArgumentError } from '../errors.mjs';

export const SPEAKER_ID_DEFAULT = 0.82;
const LOGIT_DEFAULT = Math.log(SPEAKER_ID_DEFAULT / (1 - SPEAKER_ID_DEFAULT));

/**
 * model: SpeakerId#model ({ id, threshold, calibration }) -> { toApi(cos, d), toRaw(s, d), toConfidence(s), spec,
 * durationAware }. d: the probe's duration in seconds (used by a duration-aware calibration only; 3 s when not
 * given). toConfidence(s): the library's confidence an API threshold s stands for (calibrated models only).
 */
export function speakerIdScale(model) {
  const t = model.threshold;
  if (!Number.isFinite(t)) {
    throw new InvalidArgumentError(`model '${model.id}' has no calibrated threshold: the HTTP API needs one to place ` +
      'Speaker-ID\'s 0.82 (export the model with --threshold, or register it in the manifest)');
  }
  const cal = model.calibration;
  const clampCos = (c) => Math.min(1, Math.max(-1, c));
  if (cal?.kind === 'logistic-duration') {
    const m = makeCalibration(cal, `model ${model.id}`);
    const shift = LOGIT_DEFAULT - logit(m.decision);  // log-odds of the model's decision -> those of 0.82
    return Object.freeze({
      spec: { kind: 'logistic-duration', w: cal.w, duration_range: cal.duration_range, center_confidence: m.decision,
        formula: `1 / (1 + exp(-(${cal.w[0]} * cosine + ${cal.w[1]} * L + ${cal.w[2]} * cosine * L + ${cal.w[3]} ` +
          `+ ${+shift.toFixed(6)}))), L = ln(clamp(d, ${cal.duration_range[0]}, ${cal.duration_range[1]}) / 3), ` +
          'd = the probe\'s seconds' },
      durationAware: true,
      toApi: (cos, d) => sigmoid(m.logOdds(cos, d) + shift),
      toRaw: (s, d) => (s <= 0 ? -1 : s >= 1 ? 1 : clampCos(m.scoreAt(logit(s) - shift, d))),
      toConfidence: (s) => sigmoid(logit(s) - shift),
    });
  }
  if (cal) {
    const { a } = cal;
    return Object.freeze({
      spec: { kind: 'logistic', a, center: t, formula: `1 / (1 + exp(-(${a} * (cosine - ${t}) + ln(0.82 / 0.18))))` },
      toApi: (cos) => 1 / (1 + Math.exp(-(a * (cos - t) + LOGIT_DEFAULT))),
      toRaw: (s) => (s <= 0 ? -1 : s >= 1 ? 1 : clampCos(t + (Math.log(s / (1 - s)) - LOGIT_DEFAULT) / a)),
      toConfidence: (s) => sigmoid(logit(s) - LOGIT_DEFAULT + cal.a * t + cal.b),
      durationAware: false,
    });
  }
  return Object.freeze({
    spec: { kind: 'shift', center: t, formula: `clamp(cosine - ${t} + 0.82, 0, 1)` },
    toApi: (cos) => Math.min(1, Math.max(0, cos - t + SPEAKER_ID_DEFAULT)),
    toRaw: (s) => (s <= 0 ? -1 : clampCos(s - SPEAKER_ID_DEFAULT + t)),
    toConfidence: undefined,
    durationAware: false,
  });
}

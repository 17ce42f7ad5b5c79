// Cohort score normalisation of cosine scores: S-norm and adaptive S-norm (AS-norm). Pure functions, no
// dependencies, no wasm: embeddings are Float32Array (any typed array or plain array of numbers works).
//
// A cohort is a set of embeddings of speakers that are none of the ones being compared (e.g. training speakers).
// For an embedding x, let c_1..c_M be its cosine scores against the M cohort rows. With s = cos(e, t), the raw
// score between an enrollment embedding e and a test embedding t:
//
//   S-norm (symmetric):   s' = 0.5 * ((s - mu_e) / sd_e + (s - mu_t) / sd_t)
//                         mu_x = (1/M) * sum_i c_i,   sd_x = sqrt((1/M) * sum_i (c_i - mu_x)^2)   (population sd)
//   AS-norm (adaptive):   the same formula, but mu_x and sd_x are taken over only the N largest c_i of x
//                         (its N most similar cohort members), computed for e and for t separately.
//
// AS-norm with N >= M equals S-norm. Each side's (mu, sd) depends only on that embedding and the cohort, so compute
// it once per embedding (cohortStats) and reuse it for every pair (normalizeScore). sd is floored at MIN_SD so a
// degenerate cohort (all scores equal) cannot divide by zero. Normalised scores are on a z-score scale (roughly
// "standard deviations above the impostor mean"): a raw-cosine threshold does not apply to them.
//
// References: Kenny, "Bayesian speaker verification with heavy-tailed priors" (2010, S-norm); Matejka et al.,
// "Analysis of score normalization in multilingual speaker recognition" (Interspeech 2017, adaptive S-norm).

export const MIN_SD = 1e-6;

function l2norm(v) {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  return Math.sqrt(n);
}

/**
 * Cohort from embeddings (all the same length): { size, dim, data } with data a Float32Array(size * dim) whose rows
 * are the L2-normalised embeddings. Throws RangeError for an empty cohort, mixed lengths or an all-zero embedding.
 */
export function buildCohort(embeddings) {
  const rows = Array.from(embeddings);
  if (rows.length === 0) throw new RangeError('a cohort needs at least one embedding');
  const dim = rows[0].length;
  if (!dim) throw new RangeError('cohort embeddings must not be empty');
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, k) => {
    if (r.length !== dim) throw new RangeError(`cohort embedding ${k} has length ${r.length}, expected ${dim}`);
    const n = l2norm(r);
    if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`cohort embedding ${k} has no direction (norm ${n})`);
    for (let i = 0; i < dim; i++) data[k * dim + i] = r[i] / n;
  });
  return { size: rows.length, dim, data };
}

/** Cosine scores of embedding x against every cohort row: Float64Array(cohort.size), in cohort order. */
export function cohortScores(cohort, x) {
  if (x.length !== cohort.dim) throw new RangeError(`embedding length ${x.length}, cohort dim ${cohort.dim}`);
  const n = l2norm(x);
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`embedding has no direction (norm ${n})`);
  const { size, dim, data } = cohort;
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    let d = 0;
    const o = k * dim;
    for (let i = 0; i < dim; i++) d += x[i] * data[o + i];
    out[k] = d / n;
  }
  return out;
}

/**
 * { mean, sd, n } of scores, over the topN largest only when topN is given and smaller than scores.length (AS-norm),
 * else over all of them (S-norm). sd is the population standard deviation, floored at MIN_SD.
 */
export function scoreStats(scores, topN = Infinity) {
  if (scores.length === 0) throw new RangeError('no cohort scores');
  if (!(topN >= 1)) throw new RangeError(`topN must be >= 1, got ${topN}`);
  let sel = scores;
  if (topN < scores.length) {
    const k = Math.floor(topN);
    sel = Float64Array.from(scores).sort().subarray(scores.length - k);  // ascending: the k largest are last
  }
  let mean = 0;
  for (let i = 0; i < sel.length; i++) mean += sel[i];
  mean /= sel.length;
  let v = 0;
  for (let i = 0; i < sel.length; i++) v += (sel[i] - mean) ** 2;
  return { mean, sd: Math.max(Math.sqrt(v / sel.length), MIN_SD), n: sel.length };
}

/** (mu, sd) of embedding x against the cohort: all of it ({}), or its topN most similar members ({ topN }). */
export function cohortStats(cohort, x, { topN } = {}) {
  return scoreStats(cohortScores(cohort, x), topN ?? Infinity);
}

/** 0.5 * ((s - mu_e) / sd_e + (s - mu_t) / sd_t): the normalised score from a raw score and both sides' stats. */
export function normalizeScore(s, statsE, statsT) {
  return 0.5 * ((s - statsE.mean) / statsE.sd + (s - statsT.mean) / statsT.sd);
}

/** Raw cosine of e and t: the same dot product as cohortScores (any lengths, no normalisation assumed). */
export function cosineScore(e, t) {
  if (e.length !== t.length) throw new RangeError(`embedding lengths differ: ${e.length} vs ${t.length}`);
  let ab = 0;
  for (let i = 0; i < e.length; i++) ab += e[i] * t[i];
  return ab / (l2norm(e) * l2norm(t));
}

/** S-norm score of embeddings e and t against the whole cohort (one-off; for many pairs cache cohortStats). */
export function sNorm(e, t, cohort) {
  return normalizeScore(cosineScore(e, t), cohortStats(cohort, e), cohortStats(cohort, t));
}

/** AS-norm score of e and t with each side's topN most similar cohort members (default 100). */
export function asNorm(e, t, cohort, topN = 100) {
  return normalizeScore(cosineScore(e, t), cohortStats(cohort, e, { topN }), cohortStats(cohort, t, { topN }));
}

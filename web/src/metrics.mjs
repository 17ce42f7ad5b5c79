// Verification and identification metrics over cosine scores.

/** Cosine similarity of two equal-length vectors. */
export function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

/** L2(mean(L2(rows))): a speaker's centroid from its sample embeddings. */
export function centroid(rows) {
  const dim = rows[0].length;
  const out = new Float64Array(dim);
  for (const r of rows) {
    let n = 0;
    for (let i = 0; i < dim; i++) n += r[i] * r[i];
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < dim; i++) out[i] += r[i] / n;
  }
  let n = 0;
  for (let i = 0; i < dim; i++) n += out[i] * out[i];
  n = Math.sqrt(n) || 1;
  return Float32Array.from(out, (v) => v / n);
}

/**
 * Equal error rate and minimum detection cost from target / non-target scores (higher = same speaker).
 * minDCF is normalised: min over thresholds of (Cmiss*Pmiss*Ptarget + Cfa*Pfa*(1-Ptarget)) / min(Cmiss*Ptarget,
 * Cfa*(1-Ptarget)). The EER is interpolated where the miss and false-alarm curves cross.
 */
export function verificationMetrics(targets, nontargets, { pTarget = 0.01, cMiss = 1, cFa = 1 } = {}) {
  if (targets.length === 0 || nontargets.length === 0) throw new RangeError('need target and non-target scores');
  const all = [...targets.map((s) => [s, 1]), ...nontargets.map((s) => [s, 0])].sort((a, b) => a[0] - b[0]);
  const nt = targets.length, nn = nontargets.length;
  // Threshold just above all[i]: rejected = all[0..i]. Start with the threshold below everything.
  let misses = 0, fas = nn;
  let eer = 1, eerThreshold = all[0][0], best = Infinity, bestThreshold = all[0][0];
  let prevPmiss = 0, prevPfa = 1;
  const norm = Math.min(cMiss * pTarget, cFa * (1 - pTarget));
  const consider = (pmiss, pfa, thr) => {
    const dcf = (cMiss * pmiss * pTarget + cFa * pfa * (1 - pTarget)) / norm;
    if (dcf < best) { best = dcf; bestThreshold = thr; }
  };
  consider(0, 1, all[0][0]);
  for (let i = 0; i < all.length; i++) {
    if (all[i][1]) misses++; else fas--;
    if (i + 1 < all.length && all[i + 1][0] === all[i][0]) continue;  // ties move together
    const pmiss = misses / nt, pfa = fas / nn;
    const thr = i + 1 < all.length ? (all[i][0] + all[i + 1][0]) / 2 : all[i][0] + 1e-9;
    consider(pmiss, pfa, thr);
    if (prevPmiss <= prevPfa && pmiss >= pfa) {
      // crossing between the previous point and this one: interpolate the EER
      const d0 = prevPfa - prevPmiss, d1 = pmiss - pfa;
      const w = d0 + d1 > 0 ? d0 / (d0 + d1) : 0;
      const e = prevPmiss + w * (pmiss - prevPmiss);
      if (eer === 1 || e < eer) { eer = e; eerThreshold = thr; }
    }
    prevPmiss = pmiss; prevPfa = pfa;
  }
  return { eer, eerThreshold, minDcf: best, minDcfThreshold: bestThreshold, pTarget };
}

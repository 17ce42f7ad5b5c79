// Warm-up until stable, for every timed benchmark: ORT's wasm runs ~10x slower until V8 has tiered it up (~20
// runs), and a fixed count either wastes time or stops short (bench/int8.mjs's fixed 20 gave int8/fp32 0.48 in one
// run and 0.78 in the next).
// Runs batches of 5 (runBatch(5) -> their milliseconds) until two consecutive batch medians agree within 5 % and at
// least minRuns ran; at most 150 runs or 60 s -> the number of runs made.
export async function warmUp(runBatch, minRuns = 20) {
  let runs = 0, last = Infinity;
  const t0 = performance.now();
  for (;;) {
    const ms = [...await runBatch(5)].sort((a, b) => a - b);
    runs += ms.length;
    const m = ms[ms.length >> 1];
    if ((runs >= minRuns && Math.abs(m - last) <= 0.05 * last) || runs >= 150 || performance.now() - t0 > 60_000) return runs;
    last = m;
  }
}

// After warm-up, a sample is the median of back-to-back runs filling ~SAMPLE_MS: a single run of a few ms is at the
// mercy of one scheduler hiccup on a shared 2-core machine. warmMs (one run's time) -> runs per sample, 1-15.
export const SAMPLE_MS = 60;
export const runsPerSample = (warmMs) => Math.max(1, Math.min(15, Math.round(SAMPLE_MS / warmMs)));

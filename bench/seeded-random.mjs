// mulberry32: a seeded PRNG, so every benchmark run works on the same data. -> () => uniform in [-0.5, 0.5).
export function seededRandom(seed = 12345) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32 - 0.5;
  };
}

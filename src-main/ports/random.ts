/** A float in [0, 1), like Math.random; injected so jitter and random ids are reproducible in tests. */
export type Random = () => number;

export const systemRandom: Random = Math.random;

/** Small seeded generator (mulberry32) for tests, simulations and the benchmark. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

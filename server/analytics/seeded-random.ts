/**
 * A small seeded pseudo-random number generator, so that every randomised analytics step
 * (k-means++ seeding, silhouette sampling, synthetic benchmark data) is reproducible.
 *
 * Generator: mulberry32 (Tommy Ettinger, 2017), a 32-bit state that is advanced by the odd
 * constant 0x6D2B79F5 (a Weyl sequence) and scrambled by two multiply-xorshift rounds. Period
 * 2^32; every 32-bit output appears exactly once per period. It is not cryptographic, and it is
 * far better than needed here (it passes gjrand and PractRand to 2^32 bytes).
 *
 * - `nextUint32()` is the raw 32-bit output.
 * - `next()` is a double in [0, 1) with 53 random bits, built from two outputs
 *   (the high 27 bits of the first and 26 of the second, as in Java's `nextDouble`).
 * - `nextInt(n)` is an integer in [0, n), by rejection so that it has no modulo bias.
 *
 * Seeds are integers in [0, 2^32 - 1]. `deriveSeed(seed, stream)` gives independent-looking
 * seeds for numbered sub-streams (one per k-means restart, one per k), by hashing the pair
 * with the splitmix32 finaliser, so restart r of a run seeded s is the same whatever the
 * number of restarts.
 */

export const MAX_SEED = 0xffff_ffff;

/** Throws RangeError unless `seed` is an integer in [0, 2^32 - 1]. */
export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`a seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
  }
  return seed;
}

/** splitmix32-style finaliser: a bijection on 32-bit integers with good avalanche. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of sub-stream `stream` (a non-negative integer) of a run seeded `seed`. */
export function deriveSeed(seed: number, stream: number): number {
  return mix32(mix32(checkSeed(seed) ^ 0x9e3779b9) + Math.imul(stream + 1, 0x632be5ab));
}

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = checkSeed(seed) | 0;
  }

  /** The next 32-bit output, an integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A double in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }

  /** An integer in [0, n), uniformly; n must be an integer in [1, 2^32]. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`nextInt needs an integer bound from 1 to 2^32, got ${n}`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal deviate (Box–Muller; one of the pair is used). */
  nextGaussian(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** `count` distinct indexes from [0, n), in increasing order (Floyd's algorithm). */
  sampleIndexes(n: number, count: number): Int32Array {
    if (count > n) throw new RangeError(`cannot sample ${count} of ${n} items without replacement`);
    const chosen = new Set<number>();
    for (let j = n - count; j < n; j++) {
      const t = this.nextInt(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return Int32Array.from(chosen).sort();
  }
}

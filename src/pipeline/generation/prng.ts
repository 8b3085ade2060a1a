/**
 * A small seedable pseudo-random generator for sampling: xoshiro128** (Blackman and Vigna), its
 * state filled from the seed by splitmix32. Same seed, same sequence, on every platform.
 *
 * @module
 */

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/**
 * A seeded random number generator.
 *
 * @example
 * ```ts
 * const rng = new Prng(42);
 * rng.nextFloat(); // the same number for seed 42 every time, in [0, 1)
 * ```
 */
export class Prng {
  readonly #s = new Uint32Array(4);

  /** Seeds the generator with a non-negative safe integer (both 32-bit halves are used). */
  constructor(seed: number) {
    let mix = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x85ebca6b);
    for (let i = 0; i < 4; i++) {
      const [next, value] = splitmix32(mix);
      mix = next;
      this.#s[i] = value;
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1; // the all-zero state is a fixed point
  }

  /** A generator with an explicit xoshiro128** state (for known-answer tests). */
  static fromState(state: readonly [number, number, number, number]): Prng {
    const rng = new Prng(0);
    rng.#s.set(state);
    return rng;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }
}

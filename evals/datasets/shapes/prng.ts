/**
 * A small seeded PRNG (xoshiro128**, Blackman & Vigna) with 32-bit integer arithmetic only, so the
 * same seed gives the same numbers on every machine and JavaScript engine.
 *
 * @module
 */
import { Prng } from "../../../src/mod.ts";

/** Finalises a 32-bit value (MurmurHash3's fmix32): a bijective bit mixer. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A deterministic random stream. */
export class Rng {
  #core: Prng;

  /**
   * Seeds the stream from any number of 32-bit keys (e.g. dataset seed, image index, attempt):
   * state word i is `mix32` of the keys folded with the golden-ratio constant.
   */
  constructor(...keys: number[]) {
    let h = 0x9e3779b9;
    for (const key of keys) h = mix32((h ^ (key >>> 0)) + 0x7f4a7c15);
    const state: number[] = [0, 1, 2, 3].map((i) => mix32(h + Math.imul(i + 1, 0x9e3779b9)));
    if (!state.some((word) => word !== 0)) state[0] = 1;
    this.#core = Prng.fromState(state as [number, number, number, number]);
  }

  /** A stream starting from the raw xoshiro128** state (four 32-bit words, not all zero). */
  static fromState(words: readonly [number, number, number, number]): Rng {
    const rng = new Rng();
    rng.#core = Prng.fromState(words.map((w) => w >>> 0) as [number, number, number, number]);
    return rng;
  }

  /** The next 32-bit unsigned integer (xoshiro128**, the pipeline's generator). */
  nextUint32(): number {
    return this.#core.nextUint32();
  }

  /** A float in [0, 1) with 32 random bits. */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(values: readonly T[]): T[] {
    const out = [...values];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

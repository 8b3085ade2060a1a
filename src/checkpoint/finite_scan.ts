/**
 * A scan of every weight for values that are not finite numbers (NaN, +-Inf), tensor by tensor,
 * for `nanovlm info --check`: a NaN in the weights otherwise surfaces only as a failed run.
 *
 * @module
 */
import type { Checkpoint } from "./checkpoint.ts";

/** One tensor holding non-finite values. */
export interface NonFiniteTensor {
  /** The tensor's name in the file. */
  name: string;
  /** How many elements are NaN. */
  nan: number;
  /** How many are +Inf or -Inf. */
  inf: number;
  /** Element count. */
  size: number;
}

/**
 * Lists the tensors of `checkpoint` that hold NaN or Inf (empty when all are finite). Reads each
 * tensor once, one at a time.
 *
 * @example
 * ```ts
 * const bad = await scanNonFinite(await openCheckpoint("checkpoints/nanoVLM-222M"));
 * for (const t of bad) console.log(t.name, t.nan, t.inf);
 * ```
 */
export async function scanNonFinite(checkpoint: Checkpoint): Promise<NonFiniteTensor[]> {
  const found: NonFiniteTensor[] = [];
  for (const entry of checkpoint.index.tensors.values()) {
    const values = await checkpoint.readF32(entry.name);
    let nan = 0;
    let inf = 0;
    for (const v of values) {
      if (v !== v) nan++;
      else if (v === Infinity || v === -Infinity) inf++;
    }
    if (nan + inf > 0) found.push({ name: entry.name, nan, inf, size: values.length });
  }
  return found;
}

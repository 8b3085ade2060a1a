/**
 * The ShapesBench trainer's learning-rate schedule: a linear warm-up from `lr / warmup` to `lr`
 * over `warmup` steps from `start`, then a cosine down to 10% of `lr` at `end`, held there after.
 *
 * @module
 */

/** One schedule: its peak, warm-up length, and first and last step. */
export type Schedule = { lr: number; warmup: number; start: number; end: number };

/** The learning rate of `step` under `schedule`. */
export function learningRate(schedule: Schedule, step: number): number {
  const { lr, warmup, start, end } = schedule;
  const local = step - start, span = Math.max(1, end - start);
  if (local < warmup) return lr * (local + 1) / warmup;
  const progress = Math.min(1, (local - warmup) / Math.max(1, span - warmup));
  return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

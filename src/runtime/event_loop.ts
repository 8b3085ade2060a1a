/**
 * The event-loop delay while something runs: a 5 ms interval timer records how late each tick
 * fires. A blocked thread shows the whole blocking time as one late tick.
 *
 * @module
 */

/** What {@link eventLoopDelay} saw. */
export interface EventLoopDelay<T> {
  /** The measured work's result. */
  value: T;
  /** Wall time of the work, ms. */
  ms: number;
  /** The largest lateness of a tick while the work ran, ms. */
  maxDelayMs: number;
  /** Ticks that fired while the work ran. */
  ticks: number;
}

/**
 * Runs `work` while measuring how late a 5 ms timer fires on this thread.
 *
 * @example
 * ```ts
 * const { maxDelayMs } = await eventLoopDelay(() => runtime.decode(prefill));
 * ```
 */
export async function eventLoopDelay<T>(work: () => Promise<T>): Promise<EventLoopDelay<T>> {
  const period = 5;
  let last = performance.now();
  let maxDelayMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxDelayMs = Math.max(maxDelayMs, now - last - period);
    last = now;
    ticks++;
  }, period);
  const start = performance.now();
  try {
    const value = await work();
    const end = performance.now();
    // A run that blocked until its end shows up only here: the tick that is now overdue.
    maxDelayMs = Math.max(maxDelayMs, end - last - period);
    return { value, ms: end - start, maxDelayMs: Math.max(0, maxDelayMs), ticks };
  } finally {
    clearInterval(timer);
  }
}

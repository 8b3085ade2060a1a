/**
 * Where a decode step's time goes, from onnxruntime's own profiler (`enableProfiling`): the
 * kernels by op type, onnxruntime's time outside its kernels (the executor, allocation, copies of
 * inputs and outputs) and the time outside onnxruntime (the binding and this process's own work).
 *
 * @module
 */

/** One event of onnxruntime's profile file (Chrome trace format). */
export interface ProfileEvent {
  /** `Session` or `Node`. */
  cat: string;
  /** `model_run`, `<node>_kernel_time`, ... */
  name: string;
  /** Start, µs. */
  ts: number;
  /** Duration, µs. */
  dur: number;
  /** For kernels: `op_name` (the op type). */
  args?: Record<string, unknown>;
}

/** Per-step figures of a set of runs. */
export interface StepBreakdown {
  /** Runs counted. */
  runs: number;
  /** Op types by time, largest first: calls per step and ms per step. */
  ops: { op: string; calls: number; ms: number }[];
  /** All kernels, ms per step. */
  kernelsMs: number;
  /** onnxruntime's whole run (`model_run`), ms per step. */
  runMs: number;
}

/**
 * The breakdown of the runs `runs` (indexes in start order, e.g. every decode step after a
 * prefill) of a profile: each kernel counts for the run it starts in.
 */
export function stepBreakdown(
  events: readonly ProfileEvent[],
  runs: readonly number[],
): StepBreakdown {
  const all = events.filter((e) => e.cat === "Session" && e.name === "model_run")
    .sort((a, b) => a.ts - b.ts);
  const chosen = runs.map((i) => all[i]).filter((r) => r !== undefined);
  const ops = new Map<string, { calls: number; us: number }>();
  let kernelsUs = 0;
  for (const e of events) {
    if (e.cat !== "Node" || !e.name.endsWith("_kernel_time")) continue;
    if (!chosen.some((r) => e.ts >= r.ts && e.ts < r.ts + r.dur)) continue;
    const op = String(e.args?.op_name ?? "?");
    const entry = ops.get(op) ?? { calls: 0, us: 0 };
    entry.calls++;
    entry.us += e.dur;
    ops.set(op, entry);
    kernelsUs += e.dur;
  }
  const n = Math.max(1, chosen.length);
  return {
    runs: chosen.length,
    ops: [...ops].map(([op, v]) => ({ op, calls: v.calls / n, ms: v.us / n / 1000 }))
      .sort((a, b) => b.ms - a.ms),
    kernelsMs: kernelsUs / n / 1000,
    runMs: chosen.reduce((a, r) => a + r.dur, 0) / n / 1000,
  };
}

/**
 * The breakdown as a Markdown table, with `wallMs` (the step as the caller timed it) split into
 * kernels, onnxruntime outside its kernels, and outside onnxruntime. At most `top` op types.
 */
export function formatBreakdown(b: StepBreakdown, wallMs: number, top = 10): string {
  const share = (ms: number) => `${(100 * ms / wallMs).toFixed(0)}%`;
  const row = (name: string, calls: string, ms: number) =>
    `| ${name} | ${calls} | ${ms.toFixed(3)} | ${share(ms)} |`;
  const lines = [
    "| where | calls/step | ms/step | share of the step |",
    "|---|---|---|---|",
    ...b.ops.slice(0, top).map((o) => row(o.op, o.calls.toFixed(0), o.ms)),
  ];
  const rest = b.ops.slice(top);
  if (rest.length) {
    const calls = rest.reduce((a, o) => a + o.calls, 0);
    lines.push(
      row(`${rest.length} other op types`, calls.toFixed(0), rest.reduce((a, o) => a + o.ms, 0)),
    );
  }
  lines.push(row("**all kernels**", "", b.kernelsMs));
  lines.push(row("onnxruntime outside its kernels", "", b.runMs - b.kernelsMs));
  lines.push(row("outside onnxruntime (binding, this process)", "", wallMs - b.runMs));
  return lines.join("\n");
}

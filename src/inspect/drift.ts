/**
 * Drift between two runs of the same request (precision, flavour, device, later quantisation):
 * stage by stage (cosine, max-abs, relative error), and on the logits llama.cpp's
 * `--kl-divergence` figures — KL of the next-token distributions (mean, p99, max), the probability
 * change of the reference's top token, top-1 agreement — plus the first step where greedy
 * generations diverge.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { compareTensors } from "../parity/mod.ts";
import type { Trace } from "./trace.ts";
import type { DriftReport, LogitsDrift, StageDrift } from "./types.ts";

/** Compares one stage of `other` with the reference `ref` (same length). */
export function stageDrift(
  name: string,
  ref: ArrayLike<number>,
  other: ArrayLike<number>,
): StageDrift {
  if (ref.length !== other.length) {
    throw new InputError(
      `stage ${name}: ${ref.length} reference values vs ${other.length}`,
      "compare runs of the same request and model",
    );
  }
  const { maxAbs, rel, cosine } = compareTensors(name, other, ref);
  return { name, cosine, maxAbs, rel };
}

/** log-softmax in float64. */
function logSoftmax(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  const log = Math.log(sum) + max;
  return Float64Array.from(row as ArrayLike<number>, (v) => v - log);
}

/** The `q` quantile (0..1) of values, by the nearest-rank rule. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Compares two `[positions, vocab]` logits tensors position by position.
 *
 * @example
 * ```ts
 * const d = logitsDrift(fp32.logits.data, fp16.logits.data, vocab);
 * d.kl.mean; d.top1Agreement;
 * ```
 */
export function logitsDrift(
  ref: Float32Array,
  other: Float32Array,
  vocab: number,
): LogitsDrift {
  if (ref.length !== other.length || ref.length % vocab !== 0 || ref.length === 0) {
    throw new InputError(
      `logits of ${ref.length} and ${other.length} values are not two equal [positions, ${vocab}] tensors`,
      "compare runs of the same request and model",
    );
  }
  const positions = ref.length / vocab;
  const kls: number[] = [];
  let dpSum = 0, dpMax = 0, agree = 0;
  for (let p = 0; p < positions; p++) {
    const r = logSoftmax(ref.subarray(p * vocab, (p + 1) * vocab));
    const o = logSoftmax(other.subarray(p * vocab, (p + 1) * vocab));
    let kl = 0, topR = 0, topO = 0;
    for (let v = 0; v < vocab; v++) {
      kl += Math.exp(r[v]) * (r[v] - o[v]);
      if (r[v] > r[topR]) topR = v;
      if (o[v] > o[topO]) topO = v;
    }
    kls.push(Math.max(kl, 0));
    const dp = Math.exp(o[topR]) - Math.exp(r[topR]);
    dpSum += dp;
    dpMax = Math.max(dpMax, Math.abs(dp));
    if (topR === topO) agree++;
  }
  return {
    kl: {
      mean: kls.reduce((a, b) => a + b, 0) / positions,
      p99: quantile(kls, 0.99),
      max: Math.max(...kls),
    },
    deltaP: { mean: dpSum / positions, maxAbs: dpMax },
    top1Agreement: agree / positions,
    positions,
  };
}

/** The first index where two id sequences differ (a shorter one differs where it ends), or null. */
export function firstDivergence(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return null;
}

/** Options of {@link compareTraces}. */
export interface CompareOptions {
  /** Greedy ids of the two runs, for {@link DriftReport.firstDivergence}. */
  greedy?: { a: readonly number[]; b: readonly number[] };
}

/**
 * Compares two traces of the same request, stage by stage, then on the logits.
 *
 * @example
 * ```ts
 * const report = compareTraces(await fp32.trace(request), await fp16.trace(request));
 * report.stages.map((s) => `${s.name} ${s.cosine}`);
 * ```
 */
export function compareTraces(a: Trace, b: Trace, options: CompareOptions = {}): DriftReport {
  const ids = (t: Trace) => t.layout.tokens.map((token) => token.id ?? -1).join(",");
  if (ids(a) !== ids(b)) {
    throw new InputError(
      "the two traces hold different token sequences",
      "trace the same request; to compare generations, teacher-force the reference's answer " +
        "(request.continuation) and pass the greedy ids separately",
    );
  }
  const names = a.tensorNames.filter((n) => b.tensorNames.includes(n));
  const stages = names.map((name) => stageDrift(name, a.tensor(name).data, b.tensor(name).data));
  if (!names.includes("lm.logits")) {
    throw new InputError("drift needs the logits of both traces", 'trace with the "logits" stage');
  }
  const greedy = options.greedy;
  return {
    a: a.label,
    b: b.label,
    stages,
    logits: logitsDrift(a.logits.data, b.logits.data, a.dims.vocab),
    firstDivergence: greedy ? firstDivergence(greedy.a, greedy.b) : null,
    greedySteps: greedy ? Math.max(greedy.a.length, greedy.b.length) : 0,
  };
}

/** A Markdown table of a drift report. */
export function formatDrift(report: DriftReport): string {
  const e = (x: number) => x.toExponential(2);
  const l = report.logits;
  return [
    `# drift: ${report.b} vs ${report.a}`,
    "",
    "| stage | cosine | max-abs | rel |",
    "|---|---|---|---|",
    ...report.stages.map((s) =>
      `| ${s.name} | ${s.cosine.toFixed(7)} | ${e(s.maxAbs)} | ${e(s.rel)} |`
    ),
    "",
    `logits over ${l.positions} positions: KL mean ${e(l.kl.mean)}, p99 ${e(l.kl.p99)}, max ${
      e(l.kl.max)
    }; Δp of the reference top token mean ${e(l.deltaP.mean)}, max |Δp| ${e(l.deltaP.maxAbs)}; ` +
    `top-1 agreement ${(100 * l.top1Agreement).toFixed(1)}%`,
    report.greedySteps
      ? `greedy: ${
        report.firstDivergence === null
          ? `identical over ${report.greedySteps} steps`
          : `first divergence at step ${report.firstDivergence} of ${report.greedySteps}`
      }`
      : "greedy: not compared",
  ].join("\n");
}

/**
 * Machine ceilings for the benchmark's roofline fractions, measured through onnxruntime itself:
 * memory bandwidth (a ReduceSum streaming a buffer far larger than the caches) and fp32 GEMM peak
 * (square MatMuls).
 *
 * @module
 */
import { GraphBuilder, intraOpThreads, ort, serializeModel } from "../../src/mod.ts";

/** Measured ceilings. */
export interface MachineCeilings {
  /** Sustained read bandwidth, bytes per second: the best of the {@link BANDWIDTH_PROBES}. */
  bandwidth: number;
  /** Which probe read fastest. */
  bandwidthProbe: string;
  /** Each probe's bandwidth, bytes per second, by name. */
  bandwidthProbes: Record<string, number>;
  /** fp32 matrix-multiply throughput, FLOP per second. */
  gemmPeak: number;
}

async function session(
  build: (g: GraphBuilder) => void,
  threads?: number,
): Promise<ort.InferenceSession> {
  const g = new GraphBuilder("bench");
  build(g);
  return await ort.InferenceSession.create(serializeModel(g), {
    logSeverityLevel: 3,
    intraOpNumThreads: intraOpThreads(threads),
  });
}

/** Best time in ms of `repeats` runs after one warm-up. */
export async function bestOf(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Rows and columns of the probes' buffer: 512 MiB of float32, far larger than the caches. */
const PROBE_ROWS = 8192, PROBE_COLUMNS = 16384;

/**
 * The read-bandwidth probes, each streaming the 512 MiB buffer `x` once per run: ReduceSum to a
 * scalar, and its row sums (the rows split across the threads). The best of them is the
 * roofline: whichever kernel this machine reads memory fastest with.
 */
export const BANDWIDTH_PROBES: Record<string, (g: GraphBuilder, x: string) => string> = {
  "sum": (g, x) => g.op("ReduceSum", [x], { keepdims: 0 }),
  "row sums": (g, x) => g.op("ReduceSum", [x, g.constant([1], "int64", [1])], { keepdims: 0 }),
};

/** Measures memory bandwidth and GEMM peak (a few seconds). */
export async function measureMachine(threads?: number): Promise<MachineCeilings> {
  const x = new ort.Tensor(
    "float32",
    new Float32Array(PROBE_ROWS * PROBE_COLUMNS).fill(1),
    [PROBE_ROWS, PROBE_COLUMNS],
  );
  const bandwidthProbes: Record<string, number> = {};
  for (const [name, probe] of Object.entries(BANDWIDTH_PROBES)) {
    const read = await session((g) => {
      g.output(probe(g, g.input("x", "float32", [PROBE_ROWS, PROBE_COLUMNS])), "y", "float32");
    }, threads);
    const ms = await bestOf(5, () => read.run({ x }));
    bandwidthProbes[name] = PROBE_ROWS * PROBE_COLUMNS * 4 / (ms / 1000);
    await read.release();
  }
  const [bandwidthProbe, bandwidth] = Object.entries(bandwidthProbes)
    .reduce((best, entry) => entry[1] > best[1] ? entry : best);

  // GEMM peak: the best of model-shaped products [m x k] x [k x n], the right matrix a constant
  // (prepacked, as model weights are).
  let gemmPeak = 0;
  for (
    const [m, k, n] of [[196, 768, 3072], [256, 1024, 1024], [128, 576, 1536], [512, 768, 3072]]
  ) {
    const matmul = await session((g) => {
      const x = g.input("a", "float32", [m, k]);
      const w = g.constant(new Float32Array(k * n).map(() => Math.random()), "float32", [k, n]);
      g.output(g.op("MatMul", [x, w]), "c", "float32", [m, n]);
    }, threads);
    const a = new ort.Tensor("float32", new Float32Array(m * k).map(() => Math.random()), [m, k]);
    const ms = await bestOf(10, () => matmul.run({ a }));
    gemmPeak = Math.max(gemmPeak, (2 * m * k * n) / (ms / 1000));
    await matmul.release();
  }
  return { bandwidth, bandwidthProbe, bandwidthProbes, gemmPeak };
}

if (import.meta.main) {
  const m = await measureMachine();
  console.log(`${bandwidthLine(m)}; GEMM peak ${(m.gemmPeak / 1e9).toFixed(0)} GFLOP/s`);
}

/** "memory bandwidth 40.1 GB/s (matrix-vector; sum 28.0, row sums 35.2)": the roofline and every probe. */
export function bandwidthLine(m: MachineCeilings): string {
  const others = Object.entries(m.bandwidthProbes).filter(([name]) => name !== m.bandwidthProbe)
    .map(([name, value]) => `${name} ${(value / 1e9).toFixed(1)}`).join(", ");
  return `memory bandwidth ${(m.bandwidth / 1e9).toFixed(1)} GB/s (${m.bandwidthProbe}; ${others})`;
}

/**
 * The CPU model: `/proc/cpuinfo`'s "model name" (Deno lets only --allow-all read that file), else
 * `lscpu`'s (with --allow-run), else "unknown CPU".
 */
function cpuModel(): string {
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1];
    if (model) return model;
  } catch { /* not readable without --allow-all, or not Linux */ }
  try {
    const out = new Deno.Command("lscpu", { stdout: "piped", stderr: "null" }).outputSync();
    return /^Model name:\s*(.+)$/m.exec(new TextDecoder().decode(out.stdout))?.[1] ??
      "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

/** The machine in one line, llama-bench style: CPU model, cores, threads, onnxruntime version, load. */
export function machineLine(threads: number): string {
  let load = "load unknown";
  try {
    load = `load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`;
  } catch { /* no --allow-sys */ }
  return `${cpuModel()}, ${navigator.hardwareConcurrency} cores, ${threads} threads, onnxruntime-node ${ortVersion()} (cpu EP unless @cuda), Deno ${Deno.version.deno}, ${load}`;
}

/** onnxruntime-node's version. */
function ortVersion(): string {
  return (ort.env.versions as Record<string, string>).node ?? ort.env.versions.common;
}

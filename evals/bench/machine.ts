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
  /** Sustained read bandwidth, bytes per second. */
  bandwidth: number;
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

/** Measures memory bandwidth and GEMM peak (a few seconds). */
export async function measureMachine(threads?: number): Promise<MachineCeilings> {
  const elements = 128 * 1024 * 1024; // 512 MiB of float32
  const big = new Float32Array(elements).fill(1);
  const reduce = await session((g) => {
    const x = g.input("x", "float32", [elements]);
    g.output(g.op("ReduceSum", [x], { keepdims: 0 }), "y", "float32", []);
  }, threads);
  const input = new ort.Tensor("float32", big, [elements]);
  const reduceMs = await bestOf(5, () => reduce.run({ x: input }));

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
  await reduce.release();
  return { bandwidth: (elements * 4) / (reduceMs / 1000), gemmPeak };
}

if (import.meta.main) {
  const m = await measureMachine();
  console.log(
    `memory bandwidth ${(m.bandwidth / 1e9).toFixed(1)} GB/s; GEMM peak ${
      (m.gemmPeak / 1e9).toFixed(0)
    } GFLOP/s`,
  );
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

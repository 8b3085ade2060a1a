/**
 * Machine ceilings for the benchmark's roofline fractions, measured through onnxruntime itself:
 * memory bandwidth (a ReduceSum streaming a buffer far larger than the caches) and fp32 GEMM peak
 * (square MatMuls).
 *
 * @module
 */
import * as ort from "onnxruntime-node";
import { GraphBuilder } from "../../src/onnx/graph.ts";
import { serializeModel } from "../../src/onnx/serialize.ts";

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
    ...(threads ? { intraOpNumThreads: threads } : {}),
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

  const n = 1024;
  const a = new Float32Array(n * n).map(() => Math.random());
  const matmul = await session((g) => {
    const x = g.input("a", "float32", [n, n]);
    const y = g.input("b", "float32", [n, n]);
    g.output(g.op("MatMul", [x, y]), "c", "float32", [n, n]);
  }, threads);
  const tensorA = new ort.Tensor("float32", a, [n, n]);
  const matmulMs = await bestOf(5, () => matmul.run({ a: tensorA, b: tensorA }));
  await reduce.release();
  await matmul.release();
  return {
    bandwidth: (elements * 4) / (reduceMs / 1000),
    gemmPeak: (2 * n ** 3) / (matmulMs / 1000),
  };
}

if (import.meta.main) {
  const m = await measureMachine();
  console.log(
    `memory bandwidth ${(m.bandwidth / 1e9).toFixed(1)} GB/s; GEMM peak ${
      (m.gemmPeak / 1e9).toFixed(0)
    } GFLOP/s`,
  );
}

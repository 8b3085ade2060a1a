/**
 * One benchmark case, run in its own process so its memory figures are its own: converts
 * (builds graphs, writes converted weights) a checkpoint for one flavour × precision, creates the
 * sessions, and times vision encoding (5 runs), prefill (5 runs), time to first token (5 runs:
 * vision, text embedding, prefill, argmax) and whole generations through the
 * generation loop the CLI uses (prefill + 64 greedy tokens, 4 of them after a warm-up one): per-step
 * decode percentiles over all their steps, per-generation percentiles, and the process's CPU time
 * over wall time while decoding (≈ the threads actually busy). Prints one JSON line.
 *
 * usage: model_case.ts <checkpoint-dir> <fast|fast+microsoft|inspect>[/nopack|/worker][@cuda] <precision>[/b<n>][/asym] <cache-dir> [threads]
 *
 * @module
 */
import {
  argmax,
  buildOptions,
  eventLoopDelay,
  type Flavour,
  generateTokens,
  type Kernels,
  NanoVLMRuntime,
  openCheckpoint,
  parsePrecision,
  prepareGraph,
} from "../../src/mod.ts";
import { parseBenchPrecision } from "./options.ts";

/** The figures of one case. */
export interface CaseResult {
  /** `fast` (ONNX kernels), `fast+microsoft` (GroupQueryAttention) or `inspect`; `/nopack` = weights memory-mapped, not prepacked; `/worker` = sessions in a Worker. */
  flavour: string;
  /** The precision spec with its quantisation suffixes (`int4/b128`, see {@link parseBenchPrecision}). */
  precision: string;
  conversionMs: number;
  conversionPeakExtraRss: number;
  sessionMs: number;
  /** Resident memory added by opening the sessions, bytes. */
  sessionRss: number;
  visionMs: Timing;
  prefillMs: Timing;
  prefillTokens: number;
  /** Time to first token: vision encode, text embedding, merge, prefill and the first argmax. */
  firstTokenMs: Timing;
  /** Every decode step of every timed generation. */
  decodeMsPerToken: Timing;
  /** Whole generations (prefill + {@link CaseResult.generationTokens} tokens). */
  generationMs: Timing;
  /** Tokens per timed generation. */
  generationTokens: number;
  /** Intra-op threads of the sessions. */
  threads: number;
  /** Process CPU time ÷ wall time during the timed generations. */
  cpuPerWall: number;
  /** The main thread's largest event-loop delay during one vision encode + prefill, ms. */
  eventLoopDelayMs: number;
  /** The process's peak resident memory (Linux `VmHWM`), bytes; 0 where the kernel does not say. */
  peakRss: number;
  /** Whether the sessions ran in a Worker (`/worker`). */
  worker: boolean;
}

/** Mean, standard deviation and percentiles of repeated timings, in ms. */
export interface Timing {
  mean: number;
  sd: number;
  /** Robust to the shared machine's occasional stalls; used for the roofline fractions. */
  median: number;
  /** The fastest run: comparable with the machine ceilings, which are best-of figures too. */
  min: number;
  p90: number;
  p99: number;
  max: number;
  n: number;
}

/** The `p` quantile (0..1) of ascending `sorted` values, nearest rank. */
export function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Summarises timings. */
export function timing(values: number[]): Timing {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  const sorted = [...values].sort((a, b) => a - b);
  return {
    mean,
    sd: Math.sqrt(variance),
    median: quantile(sorted, 0.5),
    min: sorted[0],
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1],
    n: values.length,
  };
}

/** The process's user + system CPU time in ms (Linux `/proc/self/stat`, 10 ms ticks); NaN elsewhere. */
export function processCpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function peakRss<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; peakExtra: number }> {
  const before = Deno.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 5);
  const start = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return { value, ms: performance.now() - start, peakExtra: peak - before };
  } finally {
    clearInterval(timer);
  }
}

/** Runs one case. */
export async function runCase(
  dir: string,
  label: string,
  precisionSpec: string,
  cacheDir: string,
  threads?: number,
): Promise<CaseResult> {
  const [spec, device] = label.split("@");
  const [kind, packing] = spec.split("/");
  const [flavour, kernels] = kind.split("+") as [Flavour, Kernels | undefined];
  const checkpoint = await openCheckpoint(dir);
  const bench = parseBenchPrecision(precisionSpec);
  const precision = parsePrecision(bench.precision), quantization = bench.quantization;
  const options = buildOptions({ flavour, kernels, precision, quantization });
  const conversion = await peakRss(async () => {
    for (const graph of ["vision", "embed", "decoder"] as const) {
      await prepareGraph(graph, checkpoint, options, cacheDir);
    }
  });
  const rssBefore = Deno.memoryUsage().rss;
  const sessionStart = performance.now();
  const runtime = await NanoVLMRuntime.load(checkpoint, {
    flavour,
    kernels,
    precision,
    quantization,
    cacheDir,
    threads,
    disablePrepacking: packing === "nopack",
    worker: packing === "worker",
    provider: device === "cuda" ? "cuda" : "cpu",
  });
  const sessionMs = performance.now() - sessionStart;
  const sessionRss = Deno.memoryUsage().rss - rssBefore;
  const c = checkpoint.config;
  const s = c.vit_img_size;
  const pixels = new Float32Array(3 * s * s).map((_, i) => (i % 251) / 251);
  const visionTimes: number[] = [];
  let imageEmbeds: Float32Array = new Float32Array(0);
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    imageEmbeds = (await runtime.encodeImages(pixels, 1)).embeds;
    if (i > 0) visionTimes.push(performance.now() - start);
  }
  const imageTokens = runtime.geometry.imageTokensPerImage;
  // 20 prompt tokens spread over the vocabulary (any size: a tiny checkpoint's too).
  const textIds = Array.from({ length: 20 }, (_, i) => (100 + 37 * i) % c.lm_vocab_size);
  const textEmbeds = await runtime.embedTokens([textIds]);
  const length = imageTokens + textIds.length;
  /** The prompt's embeddings: the picture's tokens, then the text's. */
  const merge = (image: Float32Array, text: Float32Array) => {
    const merged = new Float32Array(length * c.lm_hidden_dim);
    merged.set(image);
    merged.set(text, imageTokens * c.lm_hidden_dim);
    return merged;
  };
  /** The prefill of merged embeddings (one row, no cache). */
  const prefill = (embeds: Float32Array) =>
    runtime.decode({
      embeds,
      batch: 1,
      tokens: length,
      attentionMask: Array(length).fill(1),
      positionIds: [...Array(length).keys()],
    });
  const embeds = merge(imageEmbeds, textEmbeds);
  const prompt = { embeds, batch: 1, length, attentionMask: [Array(length).fill(1)] };
  const prefillTimes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    await prefill(embeds);
    if (i > 0) prefillTimes.push(performance.now() - start);
  }
  // Time to first token, as a caption waits for it: the preprocessed picture and the prompt's ids in,
  // the first greedy id out.
  const firstTokenTimes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    const image = (await runtime.encodeImages(pixels, 1)).embeds;
    const first = await prefill(merge(image, await runtime.embedTokens([textIds])));
    argmax(first.logits);
    if (i > 0) firstTokenTimes.push(performance.now() - start);
  }
  const blocking = await eventLoopDelay(async () => {
    await runtime.encodeImages(pixels, 1);
    await prefill(embeds);
  });
  const decodeTokens = 64;
  const loop = { maxNewTokens: decodeTokens + 1, select: (l: Float32Array) => argmax(l) };
  const stepTimes: number[] = [];
  const generationTimes: number[] = [];
  let cpu = 0;
  let wall = 0;
  for (let round = 0; round < 5; round++) {
    // Round 0 is the warm-up (pages in every weight).
    const start = performance.now();
    const cpuStart = processCpuMs();
    let last = start;
    for await (const step of generateTokens(runtime, prompt, loop)) {
      const now = performance.now();
      if (round > 0 && step.step > 0) stepTimes.push(now - last); // step 0 is the prefill
      last = now;
    }
    if (round > 0) {
      generationTimes.push(last - start);
      wall += last - start;
      cpu += processCpuMs() - cpuStart;
    }
  }
  const threadsUsed = runtime.threads;
  await runtime.release();
  return {
    flavour: label,
    precision: precisionSpec,
    conversionMs: conversion.ms,
    conversionPeakExtraRss: conversion.peakExtra,
    sessionMs,
    sessionRss,
    visionMs: timing(visionTimes),
    prefillMs: timing(prefillTimes),
    prefillTokens: length,
    firstTokenMs: timing(firstTokenTimes),
    decodeMsPerToken: timing(stepTimes),
    generationMs: timing(generationTimes),
    generationTokens: decodeTokens + 1,
    threads: threadsUsed,
    cpuPerWall: cpu / wall,
    eventLoopDelayMs: blocking.maxDelayMs,
    worker: runtime.inWorker,
    peakRss: await processPeakRss(),
  };
}

/** This process's peak resident set size from `/proc/self/status` (`VmHWM`), or 0 off Linux. */
async function processPeakRss(): Promise<number> {
  try {
    const status = await Deno.readTextFile("/proc/self/status");
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}

if (import.meta.main) {
  const [dir, flavour, precision, cacheDir, threads] = Deno.args;
  const result = await runCase(
    dir,
    flavour,
    precision,
    cacheDir,
    threads ? Number(threads) : undefined,
  );
  console.log(JSON.stringify(result));
}

/**
 * One benchmark case, run in its own process so its memory figures are its own: converts
 * (builds graphs, writes converted weights) a checkpoint for one flavour × precision, creates the
 * sessions, and times vision encoding, prefill and decoding. Prints one JSON line.
 *
 * usage: model_case.ts <checkpoint-dir> <fast|inspect> <fp32|fp16> <cache-dir> [threads]
 *
 * @module
 */
import { openCheckpoint } from "../../src/checkpoint/checkpoint.ts";
import type { Flavour, Precision } from "../../src/model/options.ts";
import { prepareGraph } from "../../src/runtime/graph_cache.ts";
import { buildOptions } from "../../src/model/options.ts";
import { NanoVLMRuntime } from "../../src/runtime/model.ts";
import { argmax, generateTokens } from "../../src/pipeline/generate.ts";

/** The figures of one case. */
export interface CaseResult {
  flavour: Flavour;
  precision: Precision;
  conversionMs: number;
  conversionPeakExtraRss: number;
  sessionMs: number;
  visionMs: number;
  prefillMs: number;
  prefillTokens: number;
  decodeMsPerToken: number;
  decodeTokens: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
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
  flavour: Flavour,
  precision: Precision,
  cacheDir: string,
  threads?: number,
): Promise<CaseResult> {
  const checkpoint = await openCheckpoint(dir);
  const options = buildOptions({ flavour, precision });
  const conversion = await peakRss(async () => {
    for (const graph of ["vision", "embed", "decoder"] as const) {
      await prepareGraph(graph, checkpoint, options, cacheDir);
    }
  });
  const sessionStart = performance.now();
  const runtime = await NanoVLMRuntime.load(checkpoint, { flavour, precision, cacheDir, threads });
  const sessionMs = performance.now() - sessionStart;
  const c = checkpoint.config;
  const s = c.vit_img_size;
  const pixels = new Float32Array(3 * s * s).map((_, i) => (i % 251) / 251);
  const visionTimes: number[] = [];
  let imageEmbeds: Float32Array = new Float32Array(0);
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    imageEmbeds = (await runtime.encodeImages(pixels, 1)).embeds;
    if (i > 0) visionTimes.push(performance.now() - start);
  }
  const imageTokens = runtime.geometry.imageTokensPerImage;
  const textIds = Array.from({ length: 20 }, (_, i) => 100 + 37 * i);
  const textEmbeds = await runtime.embedTokens([textIds]);
  const length = imageTokens + textIds.length;
  const embeds = new Float32Array(length * c.lm_hidden_dim);
  embeds.set(imageEmbeds);
  embeds.set(textEmbeds, imageTokens * c.lm_hidden_dim);
  const prompt = { embeds, batch: 1, length, attentionMask: [Array(length).fill(1)] };
  const prefillTimes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    await runtime.decode({
      ...prompt,
      tokens: length,
      attentionMask: prompt.attentionMask[0],
      positionIds: [...Array(length).keys()],
    });
    if (i > 0) prefillTimes.push(performance.now() - start);
  }
  const decodeTokens = 64;
  const stepTimes: number[] = [];
  let last = performance.now();
  for await (
    const step of generateTokens(runtime, prompt, {
      maxNewTokens: decodeTokens + 1,
      select: (l) => argmax(l),
    })
  ) {
    const now = performance.now();
    if (step.step > 0) stepTimes.push(now - last); // step 0 is the prefill
    last = now;
  }
  await runtime.release();
  return {
    flavour,
    precision,
    conversionMs: conversion.ms,
    conversionPeakExtraRss: conversion.peakExtra,
    sessionMs,
    visionMs: median(visionTimes),
    prefillMs: median(prefillTimes),
    prefillTokens: length,
    decodeMsPerToken: median(stepTimes),
    decodeTokens,
  };
}

if (import.meta.main) {
  const [dir, flavour, precision, cacheDir, threads] = Deno.args;
  const result = await runCase(
    dir,
    flavour as Flavour,
    precision as Precision,
    cacheDir,
    threads ? Number(threads) : undefined,
  );
  console.log(JSON.stringify(result));
}

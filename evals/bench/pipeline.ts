/**
 * `deno task bench:pipeline`: issue 4's figures on a synthesized 222M checkpoint — batch generation
 * throughput for batch 1, 4 and 8, and the end-to-end decode rate (the whole generation loop:
 * embedding lookup, token selection, stop checks) against the graph-only decode rate (the decoder
 * session alone, same shapes), measured in the same run. Throughput is given twice, llama-bench
 * style, each with its ratio to batch 1: whole generations (vision and prefill included, which
 * cost the same per row at any batch) and decode alone (new tokens per second of decode steps).
 *
 * usage: deno task bench:pipeline [--checkpoint <dir>] [--tokens n] [--out <file.json>]
 *
 * Prints a Markdown table; writes the figures as JSON only to `--out` (committed reports change
 * only on purpose). The end-to-end step time is the median interval between two decode steps of
 * the generation loop (`generateTokens` with greedy selection and a stop check per row), over
 * every step after the first of three generations.
 *
 * @module
 */
import sharp from "sharp";
import {
  argmax,
  byteLevelTokenizerFiles,
  checkpointInfo,
  generateTokens,
  NanoVLM,
  openCheckpoint,
} from "../../src/mod.ts";
import { benchCheckpoint, CHECKPOINT_OPTION, OUT_OPTION, parseBenchArgs } from "./options.ts";

const values = parseBenchArgs({ ...CHECKPOINT_OPTION, tokens: { type: "string" }, ...OUT_OPTION });
const tokens = Number(values.tokens ?? 32);
if (!Number.isInteger(tokens) || tokens < 2) {
  throw new Error(`--tokens must be an integer >= 2, got ${values.tokens}`);
}
/** The median of a list of timings. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const work = await Deno.makeTempDir({ prefix: "nanovlm-bench-" });
try {
  const dir = await benchCheckpoint(values.checkpoint, work);
  const label = values.checkpoint
    ? `${values.checkpoint} (${
      checkpointInfo(await openCheckpoint(dir)).parameters.total
    } parameters)`
    : "a synthesized nanoVLM-222M";
  // One distinct image per row, so that no row shares another's vision encoding.
  const imagePaths: string[] = [];
  for (let k = 0; k < 8; k++) {
    const pixels = new Uint8Array(320 * 240 * 3).map((_, i) => (i * (7 + 2 * k)) % 256);
    imagePaths.push(`${work}/image${k}.png`);
    await sharp(pixels, { raw: { width: 320, height: 240, channels: 3 } }).png().toFile(
      imagePaths[k],
    );
  }
  // The real cosmo2 tokenizer cannot be downloaded here; the byte-level stand-in has the same role.
  const model = await NanoVLM.load(dir, {
    tokenizer: byteLevelTokenizerFiles(),
    cacheDir: `${work}/cache`,
  });
  // EOS is suppressed (min = max new tokens) so every row generates exactly as many tokens as asked.
  const questions = ["What is this?", "Describe the image.", "What colour is it?", "Where is it?"];
  const rows: string[] = [];
  const summary: Record<string, unknown>[] = [];
  let single: { throughput: number; decodeRate: number } | undefined;
  const times = (value: number, base: number | undefined) =>
    `${value.toFixed(1)} (${base ? (value / base).toFixed(2) : "1.00"}×)`;
  await model.generate([{ images: [imagePaths[0]], text: "warm up" }], {
    maxNewTokens: 8,
    minNewTokens: 8,
  });
  for (const batch of [1, 4, 8]) {
    const requests = Array.from(
      { length: batch },
      (_, i) => ({ images: [imagePaths[i]], text: questions[i % 4] }),
    );
    const prepared = await model.prepare(requests);
    // Whole generations, vision and prefill included (median of 5).
    const totals: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const start = performance.now();
      await model.generate(requests, { maxNewTokens: tokens, minNewTokens: tokens });
      totals.push(performance.now() - start);
    }
    const totalMs = median(totals);
    // End to end per step: the loop's own steps (decode, greedy pick, stop check), timed between
    // the steps it yields; step 0 comes from the prefill and is left out.
    const stepIntervals: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      let last = NaN;
      const loop = { maxNewTokens: tokens, select: argmax, isFinished: () => false };
      for await (const step of generateTokens(model.runtime, prepared.prompt, loop)) {
        const now = performance.now();
        if (step.step > 0) stepIntervals.push(now - last);
        last = now;
      }
    }
    const e2eStepMs = median(stepIntervals);
    // Graph only: the decoder session on the same shapes and the same cache arena as the loop's,
    // fed the cache it returns, with nothing between the steps.
    const runtime = model.runtime;
    const arena = runtime.cacheArena(batch, prepared.prompt.length + tokens + 1);
    let step = await runtime.decode({
      embeds: prepared.prompt.embeds,
      batch,
      tokens: prepared.prompt.length,
      attentionMask: prepared.prompt.attentionMask.flat(),
      positionIds: prepared.prompt.positionIds!.flat(),
      arena,
    });
    const ids = Array.from({ length: batch }, () => [65]);
    const graphTimes: number[] = [];
    for (let k = 0; k < tokens; k++) {
      const total = prepared.prompt.length + k + 1;
      const start = performance.now();
      step = await runtime.decode({
        ids,
        batch,
        tokens: 1,
        attentionMask: Array(batch * total).fill(1),
        positionIds: Array(batch).fill(total - 1),
        cache: step.cache,
        arena,
      });
      graphTimes.push(performance.now() - start);
    }
    const graphStepMs = median(graphTimes);
    const throughput = (batch * tokens) / (totalMs / 1000);
    const decodeRate = batch * 1000 / e2eStepMs;
    single ??= { throughput, decodeRate };
    const ratio = graphStepMs / e2eStepMs;
    rows.push(
      `| ${batch} | ${tokens} | ${totalMs.toFixed(0)} | ${times(throughput, single.throughput)} | ${
        times(decodeRate, single.decodeRate)
      } | ${e2eStepMs.toFixed(2)} | ${graphStepMs.toFixed(2)} | ${(100 * ratio).toFixed(0)}% |`,
    );
    summary.push({
      batch,
      tokens,
      totalMs,
      throughput,
      decodeRate,
      e2eStepMs,
      graphStepMs,
      ratio,
    });
  }
  await model.release();
  console.log([
    `# generation on ${label}, ${navigator.hardwareConcurrency} CPU cores, fp32 fast flavour`,
    "",
    "| batch | new tokens/row | total ms (prefill incl.) | tokens/s (× batch 1) | decode tokens/s (× batch 1) | end-to-end ms/step | graph-only ms/step | e2e rate vs graph-only |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"));
  if (values.out) {
    await Deno.writeTextFile(values.out, JSON.stringify({ model: label, rows: summary }, null, 2));
    console.log(`\nwrote ${values.out}`);
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

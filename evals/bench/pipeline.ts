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
 * only on purpose). End-to-end step times come from the difference of two generation lengths
 * (medians of 5); a difference within timer noise is printed as "n/a", never as a negative time.
 *
 * @module
 */
import sharp from "sharp";
import { byteLevelTokenizerFiles, checkpointInfo, NanoVLM, openCheckpoint } from "../../src/mod.ts";
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

/** A figure, or "n/a" when it could not be measured. */
function orNa(value: number, format: (v: number) => string): string {
  return Number.isFinite(value) ? format(value) : "n/a";
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
    orNa(value, (v) => `${v.toFixed(1)} (${base ? (v / base).toFixed(2) : "1.00"}×)`);
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
    // End to end: the whole generation loop. Runs of `tokens` and `2 × tokens` new tokens share
    // the prefill, so their difference is `tokens` decode steps (best of two each).
    const timed = async (n: number) => {
      const times: number[] = [];
      for (let rep = 0; rep < 5; rep++) {
        const start = performance.now();
        await model.generate(requests, { maxNewTokens: n, minNewTokens: n });
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const totalMs = await timed(tokens);
    const difference = ((await timed(2 * tokens)) - totalMs) / tokens;
    // A tiny model's steps can sit below the noise of whole-generation timings.
    const e2eStepMs = difference > 0 ? difference : NaN;
    // Graph only: the decoder session on the same shapes, fed the cache it returns.
    const runtime = model.runtime;
    let start = performance.now();
    let step = await runtime.decode({
      embeds: prepared.prompt.embeds,
      batch,
      tokens: prepared.prompt.length,
      attentionMask: prepared.prompt.attentionMask.flat(),
      positionIds: prepared.prompt.positionIds!.flat(),
    });
    const ids = Array.from({ length: batch }, () => [65]);
    const graphTimes: number[] = [];
    for (let k = 0; k < tokens; k++) {
      const total = prepared.prompt.length + k + 1;
      start = performance.now();
      step = await runtime.decode({
        ids,
        batch,
        tokens: 1,
        attentionMask: Array(batch * total).fill(1),
        positionIds: Array(batch).fill(total - 1),
        cache: step.cache,
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
      } | ${orNa(e2eStepMs, (v) => v.toFixed(2))} | ${graphStepMs.toFixed(2)} | ${
        orNa(ratio, (v) => `${(100 * v).toFixed(0)}%`)
      } |`,
    );
    summary.push({
      batch,
      tokens,
      totalMs,
      throughput,
      decodeRate: Number.isFinite(decodeRate) ? decodeRate : null,
      e2eStepMs: Number.isFinite(e2eStepMs) ? e2eStepMs : null,
      graphStepMs,
      ratio: Number.isFinite(ratio) ? ratio : null,
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

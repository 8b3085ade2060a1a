/**
 * `deno task bench:pipeline`: issue 4's figures on a synthesized 222M checkpoint — batch generation
 * throughput for batch 1, 4 and 8, and the end-to-end decode rate (the whole generation loop:
 * embedding lookup, token selection, stop checks) against the graph-only decode rate (the decoder
 * session alone, same shapes), measured in the same run.
 *
 * usage: deno task bench:pipeline [--checkpoint <dir>] [--tokens n]
 *
 * @module
 */
import { parseArgs } from "node:util";
import sharp from "sharp";
import {
  byteLevelTokenizerFiles,
  NanoVLM,
  presetConfig,
  synthesizeCheckpoint,
} from "../../src/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { checkpoint: { type: "string" }, tokens: { type: "string" } },
});
const tokens = Number(values.tokens ?? 32);
if (!Number.isInteger(tokens) || tokens < 2) {
  throw new Error(`--tokens must be an integer >= 2, got ${values.tokens}`);
}
const work = await Deno.makeTempDir({ prefix: "nanovlm-bench-" });
try {
  let dir = values.checkpoint;
  if (!dir) {
    dir = `${work}/222m`;
    await synthesizeCheckpoint(presetConfig("222m"), dir, { seed: 0 });
  }
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
      let best = Infinity;
      for (let rep = 0; rep < 2; rep++) {
        const start = performance.now();
        await model.generate(requests, { maxNewTokens: n, minNewTokens: n });
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    const totalMs = await timed(tokens);
    const e2eStepMs = ((await timed(2 * tokens)) - totalMs) / tokens;
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
    const graphStepMs = graphTimes.sort((a, b) => a - b)[Math.floor(graphTimes.length / 2)]; // median
    const throughput = (batch * tokens) / (totalMs / 1000);
    rows.push(
      `| ${batch} | ${tokens} | ${totalMs.toFixed(0)} | ${throughput.toFixed(1)} | ${
        e2eStepMs.toFixed(1)
      } | ${graphStepMs.toFixed(1)} | ${(100 * graphStepMs / e2eStepMs).toFixed(0)}% |`,
    );
    summary.push({
      batch,
      tokens,
      totalMs,
      throughput,
      e2eStepMs,
      graphStepMs,
      ratio: graphStepMs / e2eStepMs,
    });
  }
  await model.release();
  console.log([
    `# generation on a synthesized nanoVLM-222M, ${navigator.hardwareConcurrency} CPU cores, fp32 fast flavour`,
    "",
    "| batch | new tokens/row | total ms (prefill incl.) | tokens/s | end-to-end ms/step | graph-only ms/step | e2e rate vs graph-only |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"));
  await Deno.mkdir("reports", { recursive: true });
  await Deno.writeTextFile("reports/bench_pipeline.json", JSON.stringify(summary, null, 2));
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

/**
 * `deno task bench:trace`: issue 9's budget for traces, on a full-size 222M (synthesized unless
 * `--checkpoint` is given; 224 px, a 20-token prompt): a trace keeping every decoder layer's
 * attention (and the logits) against the fast flavour's forward over the same prompt (vision,
 * embedding, decoder prefill with all positions' logits). Prints the median times and their ratio
 * (target <= 1.5x), and the peak resident memory one cold run of each adds once the sessions
 * are open (sampled every 2 ms; each in its own process, so neither reuses the other's freed
 * memory) against the bytes the trace says it keeps (target: extra <= kept + 10%). A figure
 * printer, not a timed test.
 *
 * usage: deno task bench:trace [--checkpoint <dir>] [--runs 5]
 *
 * @module
 */
import sharp from "sharp";
import {
  byteLevelTokenizerFiles,
  NanoVLM,
  type TraceEstimate,
  type TraceOptions,
  traceTaps,
} from "../../src/mod.ts";
import { benchCheckpoint, CHECKPOINT_OPTION, parseBenchArgs } from "./options.ts";

const values = parseBenchArgs({
  ...CHECKPOINT_OPTION,
  runs: { type: "string", default: "5" },
  measure: { type: "string" }, // internal: one cold run of `fast` or `trace` in this process
  cache: { type: "string" },
});
const runs = Number(values.runs);
const work = await Deno.makeTempDir({ prefix: "nanovlm-trace-bench-" });

/** Resident memory in bytes. */
function rss(): number {
  return Deno.memoryUsage().rss;
}

/**
 * Runs `fn` once; returns its time and the peak resident memory it added, sampled every 2 ms
 * while onnxruntime works on its own threads.
 */
async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; extra: number }> {
  const before = rss();
  let peak = before;
  const timer = setInterval(() => peak = Math.max(peak, rss()), 2);
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  clearInterval(timer);
  return { ms, extra: Math.max(peak, rss()) - before };
}

/** Times both variants in this process, measures each one's cold run in its own, and prints. */
async function report(
  estimate: TraceEstimate,
  forward: (lastOnly?: boolean) => Promise<unknown>,
  trace: () => Promise<unknown>,
  dir: string,
  cacheDir: string,
): Promise<void> {
  const coldExtra = async (variant: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        import.meta.filename!,
        "--checkpoint",
        dir,
        "--cache",
        cacheDir,
        "--measure",
        variant,
      ],
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
    return (JSON.parse(text) as { extra: number }).extra;
  };
  await forward();
  await trace(); // warm-up: builds the inspect graphs and opens their sessions
  const f = [], t = [];
  for (let i = 0; i < runs; i++) {
    f.push(await measure(() => forward()));
    t.push(await measure(trace));
  }
  const fm = median(f.map((x) => x.ms)), tm = median(t.map((x) => x.ms));
  const fe = await coldExtra("fast"), te = await coldExtra("trace");
  const le = await coldExtra("fast-last");
  console.log([
    `# trace budget on ${
      values.checkpoint ?? "a synthesized nanoVLM-222M"
    } (${estimate.positions} positions, ${estimate.tiles} tile; ${runs} runs each, alternating; load ${
      Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
    })`,
    "",
    "| run | median time | peak memory added (cold run, own process) |",
    "|---|---|---|",
    `| fast forward (all positions' logits) | ${fm.toFixed(0)} ms | ${mib(fe)} |`,
    `| fast forward (last position's logits) | | ${mib(le)} |`,
    `| trace: every decoder layer's attention + logits | ${tm.toFixed(0)} ms | ${mib(te)} |`,
    "",
    `time ratio trace / fast: ${(tm / fm).toFixed(2)}x (target <= 1.5x)`,
    `tensors the trace keeps (estimate): ${mib(estimate.bytes)} (${
      estimate.stages.map((x) => `${x.stage} ${mib(x.bytes)}`).join(", ")
    })`,
    `extra peak memory over the fast forward: ${mib(te - fe)} = ${
      ((te - fe) / estimate.bytes).toFixed(2)
    }x the kept tensors (target <= 1.10x)`,
    `extra peak memory over the last-position forward: ${mib(te - le)} = ${
      ((te - le) / estimate.bytes).toFixed(2)
    }x the kept tensors`,
  ].join("\n"));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MiB`;

try {
  const dir = await benchCheckpoint(values.checkpoint, work);
  const cacheDir = values.cache ?? `${work}/cache`;
  const fast = await NanoVLM.load(dir, { tokenizer: byteLevelTokenizerFiles(), cacheDir });
  try {
    const s = fast.config.vit_img_size;
    const pixels = Uint8Array.from({ length: s * s * 3 }, (_, i) => (i * 2654435761) % 251);
    const image = await sharp(pixels, { raw: { width: s, height: s, channels: 3 } }).png()
      .toBuffer();
    // v0.1 with the byte-level stand-in: "Question: Hi Answer:" is 20 ids.
    const request = { images: [new Uint8Array(image)], text: "Hi" };
    const options: TraceOptions = { stages: ["decoder.attention", "logits"] };
    const estimate = await fast.estimateTrace(request, options);
    const forward = async (lastOnly = false) => {
      const prepared = await fast.prepare([request]);
      const all = [...Array(prepared.prompt.length).keys()];
      return await fast.runtime.decode({
        embeds: prepared.prompt.embeds,
        batch: 1,
        tokens: prepared.prompt.length,
        attentionMask: prepared.prompt.attentionMask.flat(),
        positionIds: all,
        logitsIndex: lastOnly ? [all.length - 1] : all,
      });
    };
    const trace = () => fast.trace(request, options);
    if (values.measure) {
      await fast.inspectRuntime(traceTaps(fast, options)); // every session open before the run
      const variants: Record<string, () => Promise<unknown>> = {
        trace,
        fast: () => forward(),
        "fast-last": () => forward(true),
      };
      const { extra } = await measure(variants[values.measure]);
      console.log(JSON.stringify({ extra }));
    } else {
      await report(estimate, forward, trace, dir, cacheDir);
    }
  } finally {
    await fast.release();
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

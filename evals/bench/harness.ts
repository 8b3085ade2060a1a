/**
 * The harness's budgets, measured in one run and printed as ratios:
 *
 * 1. harness overhead per item (everything in the task loop that is not the model's own call:
 *    fingerprints, cache, records, fsync, per-item scores) ≤ 5% of the model's time, batch 1, on
 *    synthetic checkpoints of the presets (tiny-current and 222M, byte-level tokenizer);
 * 2. a fully cached rerun ≤ 5% of the first run's time;
 * 3. the smoke suite plus the gate on the default model (shapes-nano), as CI runs it (a child
 *    process, empty cache) ≤ 120 s.
 *
 * `deno task bench:harness [--presets tiny-current,222m] [--suite shapes] [--limit 12]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { byteLevelTokenizerJson, presetConfig, synthesizeCheckpoint } from "../../src/mod.ts";
import { loadSuite, parseCells, type Progress, runEval } from "../harness/mod.ts";

/** A progress sink that adds up the wall time of every task loop. */
function loopTimer(): Progress & { ms: number } {
  let begin = 0;
  const timer = {
    ms: 0,
    start() {
      begin = performance.now();
    },
    tick() {},
    end() {
      timer.ms += performance.now() - begin;
    },
    note() {},
  };
  return timer;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    presets: { type: "string", default: "tiny-current,222m" },
    suite: { type: "string", default: "shapes" },
    limit: { type: "string", default: "12" },
  },
});
const limit = Number(values.limit);
const suite = await loadSuite(values.suite!);
const work = await Deno.makeTempDir({ prefix: "nanovlm-bench-harness-" });
console.log(
  `harness budgets: suite ${suite.name}, --limit ${limit}, batch 1, fp32@cpu; load average ${
    Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
  }`,
);
try {
  const tokenizer = `${work}/byte-level-tokenizer.json`;
  await Deno.writeTextFile(tokenizer, JSON.stringify(byteLevelTokenizerJson()));
  for (const preset of values.presets!.split(",")) {
    const cacheDir = `${work}/${preset}-cache`;
    const model = `${work}/${preset}`;
    await synthesizeCheckpoint(presetConfig(preset), model, { seed: 0 });
    const run = async (out: string) => {
      const timer = loopTimer();
      const start = performance.now();
      const details = await runEval({
        suite,
        model,
        tokenizer,
        cells: parseCells(["fp32"], ["cpu"]),
        out: `${work}/${out}`,
        limit,
        cacheDir,
        progress: timer,
      });
      return { details, wall: performance.now() - start, loop: timer.ms };
    };
    const first = await run(`${preset}-first`);
    const records = first.details.records["fp32@cpu"];
    const modelMs = records.reduce(
      (s, r) => s + (r.latency ? r.latency.totalMs * r.latency.batch : 0),
      0,
    );
    // The model loads (and builds its graphs) inside the first task's loop: not overhead either.
    const loadMs = first.details.summary.cells[0].perf.loadMs ?? 0;
    const overhead = (first.loop - loadMs - modelMs) / records.length;
    const perItem = modelMs / records.length;
    const again = await run(`${preset}-cached`);
    console.log(
      `${preset}: overhead per item ${(100 * overhead / perItem).toFixed(2)}% of model time ` +
        `(${overhead.toFixed(2)} ms vs ${
          perItem.toFixed(1)
        } ms per item, ${records.length} items; budget <= 5%)`,
    );
    console.log(
      `${preset}: fully cached rerun ${
        (100 * again.wall / first.wall).toFixed(2)
      }% of the first run ` +
        `(${(again.wall / 1000).toFixed(2)} s vs ${(first.wall / 1000).toFixed(2)} s; ` +
        `${again.details.summary.cells[0].cache.hits} hits; budget <= 5%)`,
    );
  }
  const start = performance.now();
  const smoke = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      new URL("../../src/cli/main.ts", import.meta.url).pathname,
      "eval",
      "--suite",
      "smoke",
      "--precision",
      "fp32,fp16",
      "--baseline",
      new URL("../baselines/smoke.json", import.meta.url).pathname,
      "--out",
      `${work}/smoke`,
      "--quiet",
    ],
    env: { NANOVLM_CACHE: `${work}/ci-cache`, CI: "true" },
    stdout: "null",
    stderr: "inherit",
  }).output();
  console.log(
    `smoke + gate (child process, empty cache): ${
      ((performance.now() - start) / 1000).toFixed(1)
    } s, ` +
      `exit ${smoke.code} (budget <= 120 s)`,
  );
} finally {
  await Deno.remove(work, { recursive: true });
}

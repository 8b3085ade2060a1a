import { assert, assertEquals, withTempDir } from "../testing/mod.ts";
import pl from "nodejs-polars";
import { defaultModel } from "../../evals/harness/mod.ts";
import { cellRecords, cli, cliCommand, outputsOf, qualityOf, readSummary } from "./eval_testing.ts";
import { pathExists } from "../files/mod.ts";

const SMOKE = ["eval", "--suite", "smoke", "--quiet"];

Deno.test("eval: a rerun with everything cached does no model work and reproduces the run", async () => {
  await withTempDir(async (dir) => {
    const first = await cli([...SMOKE, "--out", `${dir}/a`], `${dir}/cache`);
    assertEquals(first.code, 0, first.stderr);
    const again = await cli([...SMOKE, "--out", `${dir}/b`], `${dir}/cache`);
    assertEquals(again.code, 0, again.stderr);
    const [a, b] = [await readSummary(`${dir}/a`), await readSummary(`${dir}/b`)];
    assertEquals(a.cells[0].cache.hits, 0);
    assertEquals(b.cells[0].cache, { hits: a.cells[0].cache.misses, misses: 0 });
    // No model work: the model was never loaded, no item was timed.
    assertEquals(b.cells[0].perf.loadMs, null);
    assertEquals(b.cells[0].machine, null);
    assertEquals(b.cells[0].perf.measuredItems, 0);
    assertEquals(qualityOf(b), qualityOf(a));
    assertEquals(
      outputsOf(await cellRecords(`${dir}/b`)),
      outputsOf(await cellRecords(`${dir}/a`)),
    );
    // The tables beside the JSON hold the same figures (Parquet read back with polars, and CSV).
    const table = pl.readParquet(`${dir}/a/tables/metrics.parquet`).toRecords();
    const expected = Object.entries(a.cells[0].tasks).flatMap(([task, t]) =>
      Object.entries(t.metrics).map(([metric, value]) => ({ task, metric, value }))
    );
    assertEquals(table.map(({ task, metric, value }) => ({ task, metric, value })), expected);
    assert((await Deno.readTextFile(`${dir}/a/tables/items.csv`)).startsWith("cell,task"));
    // The report is written at the end of a run; --no-report leaves it out.
    assert((await Deno.readTextFile(`${dir}/a/report.html`)).includes("<html"));
    assert(first.stdout.includes(`report: ${dir}/a/report.html`), first.stdout);
    // --no-cache runs the model again and reaches the same outputs.
    const fresh = await cli(
      [...SMOKE, "--out", `${dir}/c`, "--no-cache", "--no-report"],
      `${dir}/cache`,
    );
    assertEquals(fresh.code, 0, fresh.stderr);
    assertEquals(await pathExists(`${dir}/c/report.html`), false);
    assertEquals((await readSummary(`${dir}/c`)).cells[0].cache.hits, 0);
    assertEquals(
      outputsOf(await cellRecords(`${dir}/c`)),
      outputsOf(await cellRecords(`${dir}/a`)),
    );
  });
});

Deno.test("eval --resume after SIGKILL: nothing lost or duplicated, the same summary as an uninterrupted run", async () => {
  await withTempDir(async (dir) => {
    const args = [...SMOKE, "--precision", "fp32,fp16", "--max-new-tokens", "24", "--no-cache"];
    const whole = await cli([...args, "--out", `${dir}/whole`], `${dir}/cache`);
    assertEquals(whole.code, 0, whole.stderr);
    const child = cliCommand([...args, "--out", `${dir}/killed`], `${dir}/cache`).spawn();
    const records = `${dir}/killed/records/fp32@cpu.jsonl`;
    const deadline = Date.now() + 60_000;
    const lines = async () =>
      (await pathExists(records)) ? (await Deno.readTextFile(records)).split("\n").length - 1 : 0;
    while (Date.now() < deadline && (await lines()) < 6) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assertEquals(status.signal, "SIGKILL");
    assert(!(await pathExists(`${dir}/killed/summary.json`)), "killed before the end: no summary");
    const before = await lines();
    assert(before >= 6, `records before the kill: ${before}`);
    const resumed = await cli([...args, "--out", `${dir}/killed`, "--resume"], `${dir}/cache`);
    assertEquals(resumed.code, 0, resumed.stderr);
    for (const cell of ["fp32@cpu", "fp16@cpu"]) {
      const got = await cellRecords(`${dir}/killed`, cell);
      assertEquals(new Set(got.map((r) => `${r.task}/${r.id}`)).size, got.length, "no duplicates");
      assertEquals(outputsOf(got), outputsOf(await cellRecords(`${dir}/whole`, cell)));
    }
    const [a, b] = [await readSummary(`${dir}/whole`), await readSummary(`${dir}/killed`)];
    assertEquals(qualityOf(b), qualityOf(a));
    assertEquals(b.comparisons, a.comparisons);
    // Resuming a finished run does nothing more; resuming with other options is refused.
    const other = await cli(
      [...args, "--out", `${dir}/killed`, "--resume", "--limit", "1"],
      `${dir}/cache`,
    );
    assertEquals(other.code, 2);
    assert(other.stderr.includes("holds a different run"), other.stderr);
  });
});

Deno.test("eval --shard i/n + eval merge: each item once, the same results as one run", async () => {
  await withTempDir(async (dir) => {
    const cache = `${dir}/cache`;
    assertEquals((await cli([...SMOKE, "--out", `${dir}/full`], cache)).code, 0);
    for (const i of [1, 2]) {
      const shard = await cli([...SMOKE, "--shard", `${i}/2`, "--out", `${dir}/s${i}`], cache);
      assertEquals(shard.code, 0, shard.stderr);
      assertEquals((await readSummary(`${dir}/s${i}`)).shard, { index: i, count: 2 });
    }
    const missing = await cli(
      ["eval", "merge", `${dir}/s1`, "--out", `${dir}/bad`],
      cache,
    );
    assertEquals(missing.code, 2);
    assert(missing.stderr.includes("shards 2/2 are missing"), missing.stderr);
    assert(!(await pathExists(`${dir}/bad`)), "no partial merge folder");
    const twice = await cli([
      "eval",
      "merge",
      `${dir}/s1`,
      `${dir}/s1`,
      `${dir}/s2`,
      "--out",
      `${dir}/bad`,
    ], cache);
    assertEquals(twice.code, 2);
    assert(twice.stderr.includes("given twice"), twice.stderr);
    const merged = await cli([
      "eval",
      "merge",
      `${dir}/s1`,
      `${dir}/s2`,
      "--out",
      `${dir}/merged`,
    ], cache);
    assertEquals(merged.code, 0, merged.stderr);
    const [full, all] = [await readSummary(`${dir}/full`), await readSummary(`${dir}/merged`)];
    assertEquals(all.shard, null);
    assertEquals(qualityOf(all), qualityOf(full));
    assertEquals(
      outputsOf(await cellRecords(`${dir}/merged`)),
      outputsOf(await cellRecords(`${dir}/full`)),
    );
  });
});

Deno.test("eval gate: a rerun passes; changed weights regress (exit 1, items listed); bad baselines are errors (exit 2)", async () => {
  await withTempDir(async (dir) => {
    const cache = `${dir}/cache`;
    const baseline = `${dir}/smoke.json`;
    const write = await cli([...SMOKE, "--out", `${dir}/a`, "--write-baseline", baseline], cache);
    assertEquals(write.code, 0, write.stderr);
    const again = await cli(
      [...SMOKE, "--out", `${dir}/b`, "--baseline", baseline, "--no-cache"],
      cache,
    );
    assertEquals(again.code, 0, again.stdout + again.stderr);
    assert(again.stdout.includes("gate: PASS"), again.stdout);
    // The default model's config with other (random) weights: same model, changed weights.
    const { model: defaultDir, tokenizer } = await defaultModel();
    const synth = await cli([
      "synth",
      "--config",
      `${defaultDir}/config.json`,
      "--seed",
      "1",
      "--out",
      `${dir}/seed1`,
    ], cache);
    assertEquals(synth.code, 0, synth.stderr);
    const changed = await cli([
      ...SMOKE,
      "--out",
      `${dir}/c`,
      "--baseline",
      baseline,
      "--model",
      `${dir}/seed1`,
      "--tokenizer",
      tokenizer,
    ], cache);
    assertEquals(changed.code, 1, changed.stdout + changed.stderr);
    assert(changed.stdout.includes("gate: REGRESSED"), changed.stdout);
    assert(changed.stdout.includes("weights differ"), changed.stdout);
    const gate = JSON.parse(await Deno.readTextFile(`${dir}/c/gate.json`));
    assertEquals(gate.status, "regressed");
    assert(gate.itemDiffs.length > 0 && gate.itemDiffs[0].baseline !== undefined);
    // A baseline of another suite: refused before any work, no run folder.
    const other = await cli([
      "eval",
      "--suite",
      "photos",
      "--limit",
      "1",
      "--quiet",
      "--out",
      `${dir}/d`,
      "--baseline",
      baseline,
    ], cache);
    assertEquals(other.code, 2);
    assert(other.stderr.includes(`is a baseline of suite "smoke"`), other.stderr);
    assert(!(await pathExists(`${dir}/d`)));
  });
});

Deno.test("eval: bad input is a named error (exit 2) and leaves no files", async () => {
  await withTempDir(async (dir) => {
    const cache = `${dir}/cache`;
    await Deno.writeTextFile(
      `${dir}/broken.json`,
      JSON.stringify({ name: "b", tasks: [{ kind: "vqa", dataset: "/nope" }] }),
    );
    await Deno.writeTextFile(
      `${dir}/mismatch.json`,
      JSON.stringify({
        name: "m",
        tasks: [{
          kind: "retrieval",
          dataset: new URL("../../data/photos", import.meta.url).pathname,
        }],
      }),
    );
    const synth = await cli(["synth", "--preset", "tiny-v0.2", "--out", `${dir}/v02`], cache);
    assertEquals(synth.code, 0, synth.stderr);
    const { tokenizer } = await defaultModel();
    const committed = new URL("../../evals/baselines/smoke.json", import.meta.url).pathname;
    const cases: [string[], RegExp][] = [
      [["--suite", "smoke", "--shard", "3/2"], /--shard 3\/2: not a shard i\/n/],
      [
        ["--suite", `${dir}/broken.json`],
        /broken\.json: tasks\[0\]\.dataset names no dataset folder/,
      ],
      [
        ["--suite", `${dir}/mismatch.json`],
        /mismatch\.json: tasks\[0\]\.kind is "retrieval" but dataset .* holds no retrieval items/,
      ],
      [
        ["--suite", "smoke", "--precision", "fp8"],
        /--precision must be one of fp32, fp16, int8, int4; got "fp8"/,
      ],
      [["--suite", "smoke", "--dataset", "data/photos"], /exactly one of --suite and --dataset/],
      [["--suite", "smoke", "--baseline", `${dir}/none.json`], /cannot read the baseline/],
      [
        [
          "--suite",
          "smoke",
          "--model",
          `${dir}/v02`,
          "--tokenizer",
          tokenizer,
          "--baseline",
          committed,
        ],
        /smoke\.json is a baseline of suite "smoke" and model default .*; this run is suite "smoke" on/,
      ],
    ];
    // The cases are independent: run them side by side.
    const results = await Promise.all(
      cases.map(([args], i) => cli(["eval", ...args, "--out", `${dir}/out${i}`], cache)),
    );
    for (const [i, [args, pattern]] of cases.entries()) {
      const result = results[i];
      assertEquals(result.code, 2, args.join(" "));
      assert(pattern.test(result.stderr), `${args.join(" ")}: ${result.stderr}`);
      assert(!result.stderr.includes("    at "), "no stack trace");
      assert(!(await pathExists(`${dir}/out${i}`)), `${args.join(" ")} left ${dir}/out${i}`);
    }
  });
});

Deno.test("CI gate: smoke passes against the committed baseline (fp32@cpu exact, fp16@cpu statistical)", async () => {
  await withTempDir(async (dir) => {
    const baseline = new URL("../../evals/baselines/smoke.json", import.meta.url).pathname;
    const result = await cli(
      [...SMOKE, "--precision", "fp32,fp16", "--out", `${dir}/run`, "--baseline", baseline],
      `${dir}/cache`,
    );
    assertEquals(result.code, 0, result.stdout + result.stderr);
    assert(result.stdout.includes("gate: PASS"), result.stdout);
  });
});

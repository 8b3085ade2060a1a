import { InputError } from "../errors.ts";
import { assert, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { reportCommand } from "./report.ts";
import { cli, readSummary } from "./eval_testing.ts";
import { runCaptured } from "./score_testing.ts";

Deno.test("report command: renders an eval folder and prints where the report is", async () => {
  await withTempDir(async (dir) => {
    // The contract's keys only (issue 10 §7): one cell, one task, two records with step latencies.
    await Deno.mkdir(`${dir}/records`);
    await Deno.writeTextFile(
      `${dir}/summary.json`,
      JSON.stringify({
        suite: "s",
        model: { path: "m", sha256: "0".repeat(64) },
        cells: [{
          name: "fp32@cpu",
          precision: "fp32",
          device: "cpu",
          tasks: { vqa: { kind: "vqa", n: 2, metrics: { accuracy: 0.5 } } },
        }],
      }),
    );
    const line = (id: string, ms: number[]) =>
      JSON.stringify({ id, task: "vqa", prediction: "yes", latency: { totalMs: 9, stepMs: ms } });
    await Deno.writeTextFile(
      `${dir}/records/fp32@cpu.jsonl`,
      `${line("a", [1, 2])}\n${line("b", [3])}\n`,
    );
    const { code, stdout } = await runCaptured(reportCommand, [dir, "--title", "T <1>"]);
    assertEquals(code, 0);
    assert(stdout.includes(`report: ${dir}/report.html`), stdout);
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert(html.includes("<title>T &lt;1&gt;</title>"), "the title is escaped");
    // Quality vs latency and the per-token latency box plot.
    assertEquals([...Deno.readDirSync(`${dir}/figures`)].map((e) => e.name).sort(), [
      "quality-latency-vqa.png",
      "token-latency.png",
    ]);
    assert(stdout.includes("2 figures"), stdout);
  });
});

Deno.test("report command: no folder, two folders, a bad count, a folder without a summary", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(() => reportCommand.run([]), InputError, /expected one eval output folder/);
    await assertRejects(() => reportCommand.run([dir, dir]), InputError, /got 2/);
    await assertRejects(() => reportCommand.run([dir, "--worst", "x"]), InputError, /--worst/);
    await assertRejects(() => reportCommand.run([dir]), InputError, /summary not found/);
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("report command on a real `nanovlm eval` run: every cell × task row equals the summary", async () => {
  await withTempDir(async (dir) => {
    const run = `${dir}/run`;
    const evaluated = await cli(
      ["eval", "--suite", "smoke", "--precision", "fp32,fp16", "--out", run, "--quiet"],
      `${dir}/cache`,
    );
    assertEquals(evaluated.code, 0, evaluated.stderr);
    const rendered = await cli(["report", run], `${dir}/cache`);
    assertEquals(rendered.code, 0, rendered.stderr);
    const summary = await readSummary(run);
    const md = await Deno.readTextFile(`${run}/report.md`);
    // Quality rows: | task | kind | metric | cell | n | value | … as the summary has them.
    const quality = md.slice(md.indexOf("## Quality"), md.indexOf("### Paired"));
    const rows = quality.split("\n").filter((l) =>
      /^\| \S+ \| (caption|vqa|mcq|retrieval) \|/.test(l)
    )
      .map((l) => l.split("|").map((c) => c.trim()));
    assertEquals(rows.length, summary.cells.length * Object.keys(summary.cells[0].tasks).length);
    for (const [, task, kind, metric, cell, n, value] of rows) {
      const result = summary.cells.find((c) => c.name === cell)!.tasks[task];
      assertEquals([kind, n], [result.kind, String(result.n)]);
      assert(Math.abs(Number(value) - result.metrics[metric]) <= 5e-4, `${task} ${cell} ${metric}`);
    }
    // Pictures of the gallery's items come from the suite's dataset through run.json.
    const html = await Deno.readTextFile(`${run}/report.html`);
    assert((html.match(/<img src="data:image\/png/g)?.length ?? 0) > 0, "gallery pictures");
    const pngs = [...Deno.readDirSync(`${run}/figures`)].map((e) => e.name);
    for (const task of Object.keys(summary.cells[0].tasks)) {
      assert(pngs.includes(`quality-latency-${task}.png`), `${task}: ${pngs.join(", ")}`);
    }
  });
});

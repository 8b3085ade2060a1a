import { InputError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturesPresent,
  withTempDir,
} from "../testing/mod.ts";
import { DEMO_MODEL_NOTE, demoCommand } from "./demo.ts";
import { runCaptured } from "./score_testing.ts";

Deno.test("cli demo: evaluates the default model in fp32 and fp16 and writes the report", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/demo`;
    // A stale output is replaced whole, not mixed with the new one.
    await Deno.mkdir(out);
    await Deno.writeTextFile(`${out}/stale.txt`, "old");
    const { code, stdout: printed } = await runCaptured(demoCommand, [
      "--out",
      out,
      "--limit",
      "1",
      "--cache-dir",
      `${dir}/cache`,
      "--quiet",
    ]);
    assertEquals(code, 0, printed);
    assert(printed.includes(DEMO_MODEL_NOTE), "the demo says first what the model is");
    assert(/shapes-nano/.test(DEMO_MODEL_NOTE) && /ShapesBench/.test(DEMO_MODEL_NOTE));
    assert(printed.includes(`${out}/report.html`), printed);
    const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
    assertEquals(summary.suite, "demo");
    assertEquals(summary.cells.map((c: { name: string }) => c.name), ["fp32@cpu", "fp16@cpu"]);
    // --limit 1: one item per task, in each cell's records.
    for (const cell of summary.cells) {
      const tasks = Object.values(cell.tasks) as { n: number }[];
      assertEquals(tasks.map((t) => t.n), [1, 1, 1]);
      const records = (await Deno.readTextFile(`${out}/${cell.records}`)).trim().split("\n");
      assertEquals(records.length, 3);
      // A trained model: the first item of each question task asks how many shapes there are
      // (data/shapesbench: 4), which shapes-nano counts right (~99% of count questions).
      assertEquals(cell.tasks["shapes-vqa"].metrics.accuracy, 1, cell.name);
      assertEquals(cell.tasks["shapes-mcq"].metrics.accuracy, 1, cell.name);
    }
    const figures = [...Deno.readDirSync(`${out}/figures`)].filter((e) => e.name.endsWith(".png"));
    assert(figures.some((e) => e.name === "attention.png"), "the attention heat map");
    const html = await Deno.readTextFile(`${out}/report.html`);
    assertEquals(html.match(/<figure/g)?.length, figures.length);
    assert(printed.includes(`${figures.length} PNG figures`), printed);
    await assertRejects(() => Deno.stat(`${out}/stale.txt`), Deno.errors.NotFound);
    assert(
      fixturesPresent() ? /parity .* PASS/.test(printed) : printed.includes("parity skipped"),
      printed,
    );
  });
});

Deno.test("cli demo: a bad option is a named error before any work", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => demoCommand.run(["--out", `${dir}/x`, "--limit", "0"]),
      InputError,
      /--limit/,
    );
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

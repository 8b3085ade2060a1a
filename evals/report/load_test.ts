import { InputError } from "../../src/mod.ts";
import { assertEquals, assertRejects, withTempDir } from "../../src/testing/mod.ts";
import { readEvalOutput } from "./load.ts";
import { writeFixtureOutput } from "./testing.ts";

Deno.test("load: reads the fixture's summary and every cell's records", async () => {
  await withTempDir(async (dir) => {
    const facts = await writeFixtureOutput(dir, { images: 2 });
    const output = await readEvalOutput(dir);
    assertEquals(output.summary, facts.summary);
    assertEquals(output.records, facts.records);
  });
});

Deno.test("load: a missing summary, bad JSON, a bad cell and a bad record line are named", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(() => readEvalOutput(dir), InputError, /summary not found/);
    await Deno.writeTextFile(`${dir}/summary.json`, "{");
    await assertRejects(() => readEvalOutput(dir), InputError, /summary\.json is not valid JSON/);
    await Deno.writeTextFile(
      `${dir}/summary.json`,
      JSON.stringify({ suite: "s", model: {}, cells: [] }),
    );
    await assertRejects(() => readEvalOutput(dir), InputError, /"cells" must be a non-empty array/);
    await writeFixtureOutput(dir, { images: 1 });
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    summary.cells[1].name = "../fp16";
    await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary));
    await assertRejects(() => readEvalOutput(dir), InputError, /cells\[1\]\.name/);
    await writeFixtureOutput(dir, { images: 1 });
    const path = `${dir}/records/fp16@cpu.jsonl`;
    const lines = (await Deno.readTextFile(path)).split("\n");
    await Deno.writeTextFile(path, [lines[0], lines[1].slice(0, 20), ...lines.slice(2)].join("\n"));
    await assertRejects(
      () => readEvalOutput(dir),
      InputError,
      /records\/fp16@cpu\.jsonl:2 is not valid JSON/,
    );
    await Deno.writeTextFile(path, `{"id": "x", "task": "t"}\n`);
    await assertRejects(() => readEvalOutput(dir), InputError, /jsonl:1 lacks one of/);
    await Deno.remove(path);
    await assertRejects(
      () => readEvalOutput(dir),
      InputError,
      /records of cell fp16@cpu not found/,
    );
  });
});

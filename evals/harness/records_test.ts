import { InputError } from "../../src/mod.ts";
import { assertEquals, assertRejects, withTempDir } from "../../src/testing/mod.ts";
import { readRecords, RecordWriter } from "./records.ts";
import type { EvalRecord } from "./types.ts";

function record(id: string): EvalRecord {
  return {
    id,
    task: "vqa",
    kind: "vqa",
    prompt: "How many?",
    prediction: "2",
    tokens: [1, 2],
    outputHash: "x",
    scores: { accuracy: 1 },
    cached: false,
    latency: null,
    fingerprint: "f",
  };
}

Deno.test("records: resume cuts a torn last line (a killed write) and appends after the whole ones", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/cell.jsonl`;
    const first = await RecordWriter.open(path, false);
    await first.writer.append([record("a"), record("b")]);
    await first.writer.close();
    const whole = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, whole + JSON.stringify(record("c")).slice(0, 25));
    const resumed = await RecordWriter.open(path, true);
    assertEquals(resumed.existing.map((r) => r.id), ["a", "b"]);
    assertEquals(await Deno.readTextFile(path), whole);
    await resumed.writer.append([record("c")]);
    await resumed.writer.close();
    assertEquals((await readRecords(path)).map((r) => r.id), ["a", "b", "c"]);
  });
});

Deno.test("records: a damaged whole line is a named error, not silently skipped", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/cell.jsonl`;
    await Deno.writeTextFile(path, `${JSON.stringify(record("a"))}\n{"id": oops}\n`);
    await assertRejects(() => RecordWriter.open(path, true), InputError, /line 2: not valid JSON/);
  });
});

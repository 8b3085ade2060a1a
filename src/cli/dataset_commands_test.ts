import { join } from "node:path";
import { InputError } from "../errors.ts";
import { assert, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { datasetCheckCommand } from "./dataset_check.ts";
import { datasetShapesCommand } from "./dataset_shapes.ts";
import { findCommand } from "./main.ts";

async function captureLog(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    return { code: await fn(), out: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

Deno.test("cli: dataset shapes writes a split that dataset check accepts", async () => {
  await withTempDir(async (tmp) => {
    const out = join(tmp, "shapes");
    assertEquals(findCommand(["dataset", "shapes", "--out", out])?.command, datasetShapesCommand);
    const made = await captureLog(() =>
      datasetShapesCommand.run(["--out", out, "--seed", "4", "--count", "6"])
    );
    assertEquals(made.code, 0);
    assert(made.out.includes("6 images"), made.out);
    const checked = await captureLog(() => datasetCheckCommand.run([out, "--json"]));
    const summary = JSON.parse(checked.out);
    assertEquals(summary.images, 6);
    assertEquals(summary.hashedImages, 6);
    assertEquals(summary.itemsPerTask.caption, 6);
    assertEquals(summary.groundTruthChecked, true);
    await assertRejects(
      () => datasetShapesCommand.run(["--out", out, "--count", "2"]),
      InputError,
      /already exists/,
    );
  });
});

Deno.test("cli: bad options and broken datasets are clear errors", async () => {
  await assertRejects(() => datasetShapesCommand.run([]), InputError, /--out <dir> is required/);
  await assertRejects(
    () => datasetShapesCommand.run(["--out", "x", "--count", "0"]),
    InputError,
    /--count must be an integer >= 1/,
  );
  await assertRejects(() => datasetCheckCommand.run([]), InputError, /exactly one dataset folder/);
  await withTempDir(async (tmp) => {
    await captureLog(() => datasetShapesCommand.run(["--out", join(tmp, "s"), "--count", "2"]));
    // A tampered answer is caught by the ground-truth check, not only by the schema.
    const manifest = join(tmp, "s", "manifest.jsonl");
    const text = await Deno.readTextFile(manifest);
    await Deno.writeTextFile(manifest, text.replace(/"answers":\["(\d)"/, '"answers":["9"'));
    await assertRejects(
      () => datasetCheckCommand.run([join(tmp, "s")]),
      InputError,
      /disagree with their scene graphs/,
    );
  });
});

import { InputError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { parityCommand } from "./parity.ts";
import { runCaptured } from "./score_testing.ts";

fixtureTest("cli parity --json: the documented shape, pass, exit code 0", async () => {
  await withTempDir(async (cache) => {
    const { code, stdout } = await runCaptured(parityCommand, [
      fixturePath("reference", "v0.2-tiny"),
      "--json",
      "--cache-dir",
      cache,
    ]);
    assertEquals(code, 0);
    const report = JSON.parse(stdout);
    assertEquals(report.pass, true);
    for (const stage of report.stages) {
      assertEquals(Object.keys(stage).sort(), ["cosine", "maxAbs", "name", "pass", "rel"]);
    }
    assert(report.stages.some((s: { name: string }) => s.name === "lm.attn_probs.layer1"));
    assertEquals(report.greedy.single.expected, report.greedy.single.got);
    assertEquals(report.greedy.batch.expected, report.greedy.batch.got);
  });
});

fixtureTest(
  "cli parity: a checkpoint whose vocabulary does not fit the fixture's ids is a named error",
  async () => {
    await withTempDir(async (cache) => {
      await assertRejects(
        () =>
          parityCommand.run([
            fixturePath("reference", "head-tiny"),
            "--checkpoint",
            fixturePath("reference", "v0.1-tiny", "checkpoint"),
            "--cache-dir",
            cache,
          ]),
        InputError,
        /outside the model's vocabulary/,
      );
    });
  },
);

Deno.test("cli parity: bad arguments are named errors", async () => {
  await assertRejects(() => parityCommand.run([]), InputError, /one fixture folder/);
  await assertRejects(
    () => parityCommand.run(["x", "--precision", "fp8"]),
    InputError,
    /precision/,
  );
  await assertRejects(() => parityCommand.run(["/nonexistent-fixture"]), InputError, /manifest/);
  await assertRejects(() => parityCommand.run(["x", "--device", "tpu"]), InputError, /device/);
});

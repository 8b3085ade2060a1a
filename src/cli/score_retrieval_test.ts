import { assert, assertClose, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { InputError } from "../errors.ts";
import { scoreRetrievalCommand } from "./score_retrieval.ts";
import { runCaptured, writeJson } from "./score_testing.ts";

// metrics.md §1.11 R1: captions 2i and 2i+1 belong to image i.
const R1 = [[0.9, 0.3, 0.8, 0.1, 0.2, 0.4], [0.2, 0.7, 0.6, 0.5, 0.1, 0.3], [
  0.1,
  0.2,
  0.3,
  0.4,
  0.6,
  0.5,
]];

Deno.test("score retrieval: R1 through the CLI (ranks i2t [1,2,1], t2i [1,2,2,1,1,1])", async () => {
  await withTempDir(async (dir) => {
    const path = await writeJson(dir, "s.json", { scores: R1, captionsPerImage: 2 });
    const { code, stdout } = await runCaptured(scoreRetrievalCommand, ["--scores", path, "--json"]);
    assertEquals(code, 0);
    const result = JSON.parse(stdout);
    assertEquals(Object.keys(result.i2t), ["R@1", "R@5", "R@10", "medianRank", "meanRank", "mrr"]);
    for (const direction of ["i2t", "t2i"]) {
      assertClose(result[direction]["R@1"], 200 / 3, 1e-9);
      assertEquals([
        result[direction]["R@5"],
        result[direction]["R@10"],
        result[direction].medianRank,
      ], [100, 100, 1]);
      assertClose(result[direction].meanRank, 4 / 3, 1e-12);
      assertClose(result[direction].mrr, 5 / 6, 1e-12);
    }
    const table = await runCaptured(scoreRetrievalCommand, ["--scores", path]);
    assert(/i2t\s+66\.6667\s+100\.0000/.test(table.stdout), table.stdout);
  });
});

Deno.test("score retrieval: inconsistent shapes and fields are InputErrors", async () => {
  await withTempDir(async (dir) => {
    const run = async (value: unknown) => {
      const path = await writeJson(dir, "s.json", value);
      return () => runCaptured(scoreRetrievalCommand, ["--scores", path]);
    };
    await assertRejects(
      await run({ scores: R1, captionsPerImage: 3 }),
      InputError,
      /but the matrix has 6 columns/,
    );
    // Without captionsPerImage a matrix is one caption per image: R1 has two per image.
    await assertRejects(await run({ scores: R1 }), InputError, /3 images × 1 captions per image/);
    await assertRejects(
      await run({ scores: R1, captionsPerImage: 0 }),
      InputError,
      /"captionsPerImage" is not a positive integer/,
    );
    await assertRejects(
      await run({ scores: [[1, "x"]], captionsPerImage: 2 }),
      InputError,
      /scores\[0\]\[1\] is not a finite number/,
    );
    await assertRejects(
      await run({ scores: [[1, 2], [3]], captionsPerImage: 1 }),
      InputError,
      /scores\[1\] is not a row of 2 numbers/,
    );
  });
});

import { InputError } from "../errors.ts";
import { score } from "../pipeline/mod.ts";
import {
  assertClose,
  assertEquals,
  assertRejects,
  fixtureTest,
  withFixtureModel,
  withTempDir,
} from "../testing/mod.ts";
import { retrieveCommand } from "./retrieve.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

const NAME = "head-tiny";
const TEXTS = ["a dog", "red and blue"];

fixtureTest("retrieve --json: the matrix holds score() means; rankings sort it", async () => {
  const images = [fixtureFile(NAME, "image_a.png"), fixtureFile(NAME, "image_b.png")];
  const expected: number[][] = [];
  await withFixtureModel(NAME, async (model) => {
    for (const image of images) {
      const row = [];
      for (const text of TEXTS) row.push((await score(model, image, text)).mean);
      expected.push(row);
    }
  });
  await withTempDir(async (dir) => {
    const { stdout } = await runCaptured(retrieveCommand, [
      ...modelArgs(NAME, dir),
      ...images.flatMap((i) => ["--image", i]),
      ...TEXTS.flatMap((t) => ["--text", t]),
      "--json",
    ]);
    const output = JSON.parse(stdout);
    assertEquals(output.by, "mean");
    expected.forEach((row, i) => row.forEach((v, j) => assertClose(output.scores[i][j], v, 1e-4)));
    // Two items each: the better one comes first.
    expected.forEach((row, i) =>
      assertEquals(output.imageToText[i], row[0] >= row[1] ? [0, 1] : [1, 0])
    );
    TEXTS.forEach((_, j) =>
      assertEquals(output.textToImage[j], expected[0][j] >= expected[1][j] ? [0, 1] : [1, 0])
    );
  });
});

fixtureTest("retrieve: no --text is a clear error", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => runCaptured(retrieveCommand, [...modelArgs(NAME, dir), "--image", "a.png"]),
      InputError,
      /no --text/,
    );
  });
});

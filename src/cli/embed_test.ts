import { InputError } from "../errors.ts";
import { golden, openFixture } from "../parity/mod.ts";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { embedCommand } from "./embed.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

const NAME = "v0.1-tiny";

fixtureTest("embed --json: projector and vision means equal the goldens' means", async () => {
  const fixture = await openFixture(fixturePath("reference", NAME));
  const mean = (data: Float32Array, dim: number) =>
    Array.from({ length: dim }, (_, d) => {
      let sum = 0;
      for (let r = 0; r < data.length / dim; r++) sum += data[r * dim + d];
      return sum / (data.length / dim);
    });
  await withTempDir(async (dir) => {
    const args = [...modelArgs(NAME, dir), "--image", fixtureFile(NAME, "image_a.png"), "--json"];
    const projector = JSON.parse((await runCaptured(embedCommand, args)).stdout);
    assertEquals([projector.source, projector.pool, projector.dim], ["projector", "mean", 64]);
    const mp = mean((await golden(fixture, "mp.output"))!, 64);
    projector.vector.forEach((v: number, i: number) => assertClose(v, mp[i], 1e-4));
    const vision = JSON.parse(
      // No --flavour: the vision source loads the inspect graphs by itself.
      (await runCaptured(embedCommand, [...args, "--source", "vision"])).stdout,
    );
    const vit = mean((await golden(fixture, "vit.output"))!, 64);
    vision.vector.forEach((v: number, i: number) => assertClose(v, vit[i], 1e-4));
    assertEquals(vision.positions, 64);
  });
});

fixtureTest(
  "embed: image and text together, neither, or a source --flavour fast lacks",
  async () => {
    await withTempDir(async (dir) => {
      const args = modelArgs(NAME, dir);
      const image = ["--image", fixtureFile(NAME, "image_a.png")];
      await assertRejects(() => runCaptured(embedCommand, args), InputError, /neither/);
      await assertRejects(
        () => runCaptured(embedCommand, [...args, ...image, "--text", "x"]),
        InputError,
        /both/,
      );
      const error = await assertRejects(
        () =>
          runCaptured(embedCommand, [...args, ...image, "--source", "vision", "--flavour", "fast"]),
        InputError,
        /fast flavour does not expose/,
      );
      assert((error as InputError).hint?.includes("--flavour inspect"));
      assert(
        (error as InputError).hint?.includes('source "projector"'),
        "images may use projector",
      );
      // A text has only the decoder source: its hint must not send the user to "projector".
      const textError = await assertRejects(
        () => runCaptured(embedCommand, [...args, "--text", "a red circle", "--flavour", "fast"]),
        InputError,
        /fast flavour does not expose/,
      );
      assert((textError as InputError).hint?.includes("--flavour inspect"));
      assert(
        !(textError as InputError).hint?.includes("projector"),
        (textError as InputError).hint,
      );
      await assertRejects(
        () => runCaptured(embedCommand, [...args, ...image, "--pool", "max"]),
        InputError,
        /--pool must be one of mean, last/,
      );
    });
  },
);

import { InputError } from "../errors.ts";
import { score } from "../pipeline/mod.ts";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  fixtureTest,
  withFixtureModel,
  withTempDir,
} from "../testing/mod.ts";
import { chooseCommand } from "./choose.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

const NAME = "v0.2-tiny";
const OPTIONS = ["red", "a blue square", "green"];

fixtureTest(
  "choose --json: option sums are the score() log-likelihoods; the best wins",
  async () => {
    const image = fixtureFile(NAME, "image_a.png");
    const sums: number[] = [];
    await withFixtureModel(NAME, async (model) => {
      for (const option of OPTIONS) {
        sums.push((await score(model, image, option, { prompt: "Colour?" })).sum);
      }
    });
    await withTempDir(async (dir) => {
      const args = [...modelArgs(NAME, dir), "--image", image, "--question", "Colour?"];
      const { stdout } = await runCaptured(chooseCommand, [
        ...args,
        ...OPTIONS.flatMap((o) => ["--option", o]),
        "--json",
      ]);
      const output = JSON.parse(stdout);
      assertEquals(output.method, "loglik");
      output.scores.forEach((s: { option: string; sum: number }, i: number) => {
        assertEquals(s.option, OPTIONS[i]);
        assertClose(s.sum, sums[i], 1e-3);
      });
      assertEquals(output.index, sums.indexOf(Math.max(...sums)));
      assertEquals(output.option, OPTIONS[output.index]);
      // The text form marks the chosen option.
      const text = await runCaptured(chooseCommand, [
        ...args,
        ...OPTIONS.flatMap((o) => ["--option", o]),
      ]);
      assert(
        text.stdout.startsWith(`chosen: ${"ABC"[output.index]}. ${output.option}`),
        text.stdout,
      );
      // The letter method reports the generated text and the letter.
      const letter = JSON.parse(
        (await runCaptured(chooseCommand, [
          ...args,
          ...OPTIONS.flatMap((o) => ["--option", o]),
          "--method",
          "letter",
          "--json",
        ])).stdout,
      );
      assertEquals(letter.method, "letter");
      assertEquals(typeof letter.text, "string");
      assertEquals(letter.index, letter.letter === "" ? -1 : "ABC".indexOf(letter.letter));
    });
  },
);

fixtureTest("choose: missing question or options, unknown method are clear errors", async () => {
  await withTempDir(async (dir) => {
    const args = [...modelArgs(NAME, dir), "--image", fixtureFile(NAME, "image_a.png")];
    await assertRejects(
      () => runCaptured(chooseCommand, [...args, "--option", "a"]),
      InputError,
      /--question/,
    );
    await assertRejects(
      () => runCaptured(chooseCommand, [...args, "--question", "Q?"]),
      InputError,
      /--option/,
    );
    await assertRejects(
      () =>
        runCaptured(chooseCommand, [
          ...args,
          "--question",
          "Q?",
          "--option",
          "a",
          "--method",
          "vote",
        ]),
      InputError,
      /--method must be one of loglik, letter/,
    );
  });
});

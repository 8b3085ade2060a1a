import { InputError } from "../../errors.ts";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
  fixtureFile,
  fixtureTest,
  handLogProbs,
  REFERENCE_FIXTURES,
  withFixtureModel,
} from "../../testing/mod.ts";
import { extractChoiceLetter } from "../text/mod.ts";
import { choose, letterPrompt, optionLetters } from "./choose.ts";
import { score } from "./score.ts";

const QUESTION = "What colour is it?";
const OPTIONS = ["red", "a blue square", "green", "nothing at all"];

Deno.test("letterPrompt: question, lettered options, instruction", () => {
  assertEquals(
    letterPrompt("Which animal?", ["cat", "dog"]),
    "Which animal?\nA. cat\nB. dog\nAnswer with the option's letter from the given choices directly.",
  );
  assertEquals(optionLetters(3), ["A", "B", "C"]);
  assertThrows(() => optionLetters(27), InputError, /1 to 26/);
});

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `choose ${name}: loglik agrees with score per option and a hand computation`,
    async () => {
      await withFixtureModel(name, async (model) => {
        const image = fixtureFile(name, "image_a.png");
        const choice = await choose(model, image, QUESTION, OPTIONS);
        // Each option scored on its own by `score` (the question as the prompt).
        const separate = [];
        for (const option of OPTIONS) {
          separate.push(await score(model, image, option, { prompt: QUESTION }));
        }
        const sums = separate.map((s) => s.logProbs.reduce((a, b) => a + b, 0));
        choice.scores!.forEach((s, i) => assertClose(s.sum, sums[i], 1e-3, OPTIONS[i]));
        const best = sums.indexOf(Math.max(...sums));
        assertEquals(choice.index, best);
        assertEquals(choice.option, OPTIONS[best]);
        // Option 1 by hand: raw decoder logits, one token at a time, log-softmax written out.
        const ids = model.tokenizer.encode(
          (model.config.generation === "current" ? "" : " ") + OPTIONS[1],
          { addSpecialTokens: false },
        );
        const hand = await handLogProbs(model, { images: [image], text: QUESTION }, ids);
        assertClose(choice.scores![1].sum, hand.reduce((a, b) => a + b, 0), 1e-3);
        // Mean normalization ranks by sum / token count.
        const byMean = await choose(model, image, QUESTION, OPTIONS, { normalize: "mean" });
        const means = separate.map((s, i) => sums[i] / s.tokens.length);
        assertEquals(byMean.index, means.indexOf(Math.max(...means)));
      });
    },
  );
}

fixtureTest(
  "choose by letter: greedy text of the lettered prompt, letter extracted strictly",
  async () => {
    await withFixtureModel("head-tiny", async (model) => {
      const image = fixtureFile("head-tiny", "image_a.png");
      const choice = await choose(model, image, QUESTION, OPTIONS, { method: "letter" });
      const prompt = [
        QUESTION,
        "A. red",
        "B. a blue square",
        "C. green",
        "D. nothing at all",
        "Answer with the option's letter from the given choices directly.",
      ].join("\n");
      assertEquals(choice.prompt, prompt);
      const [expected] = await model.generate([{ images: [image], text: prompt }], {
        maxNewTokens: 5,
      });
      assertEquals(choice.text, expected.text);
      const letter = extractChoiceLetter(expected.text, ["A", "B", "C", "D"]);
      assertEquals(choice.letter, letter);
      assertEquals(choice.index, letter === "" ? -1 : "ABCD".indexOf(letter));
      assert(
        choice.index === -1 ? choice.option === undefined : choice.option === OPTIONS[choice.index],
      );
    });
  },
);

fixtureTest(
  "choose: no options, an empty option and unknown settings are named errors",
  async () => {
    await withFixtureModel("v0.2-tiny", async (model) => {
      const image = fixtureFile("v0.2-tiny", "image_a.png");
      await assertRejects(() => choose(model, image, QUESTION, []), InputError, /at least one/);
      await assertRejects(() => choose(model, image, QUESTION, ["a", " "]), InputError, /option 1/);
      await assertRejects(
        // deno-lint-ignore no-explicit-any
        () => choose(model, image, QUESTION, ["a"], { method: "vote" as any }),
        InputError,
        /method/,
      );
    });
  },
);

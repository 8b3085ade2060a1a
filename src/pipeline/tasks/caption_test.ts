import {
  assertEquals,
  fixtureFile,
  fixtureManifest,
  fixtureTest,
  REFERENCE_FIXTURES,
  withFixtureModel,
} from "../../testing/mod.ts";
import { ask } from "./ask.ts";
import { caption } from "./caption.ts";

/** The default caption prompt of each generation, written out (original generate.py / HEAD). */
const CAPTION_PROMPT: Record<string, string> = {
  "v0.1-tiny": "What is this?",
  "v0.2-tiny": "What is this?",
  "head-tiny": "Describe the image.",
};

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `ask ${name}: greedy answer to the fixture's question is its 12 greedy tokens`,
    async () => {
      const manifest = fixtureManifest(name);
      await withFixtureModel(name, async (model) => {
        const image = fixtureFile(name, "image_a.png");
        const answer = await ask(model, image, "What is this?", { maxNewTokens: 12 });
        assertEquals(
          answer.tokens,
          manifest.cases.greedy.raw_argmax_ids ?? manifest.cases.greedy.generated_ids,
        );
        // No question: the default question is "What is this?" for every generation.
        assertEquals(
          (await ask(model, image, undefined, { maxNewTokens: 12 })).tokens,
          answer.tokens,
        );
      });
    },
  );

  fixtureTest(
    `caption ${name}: greedy caption equals generate with the default prompt`,
    async () => {
      await withFixtureModel(name, async (model) => {
        const image = fixtureFile(name, "image_b.png");
        const [expected] = await model.generate(
          [{ images: [image], text: CAPTION_PROMPT[name] }],
          { maxNewTokens: 8 },
        );
        const result = await caption(model, image, { maxNewTokens: 8 });
        assertEquals(result.tokens, expected.tokens);
        assertEquals(result.text, expected.text);
        // An overriding prompt is used as given.
        const [other] = await model.generate([{ images: [image], text: "Color?" }], {
          maxNewTokens: 8,
        });
        assertEquals(
          (await caption(model, image, { prompt: "Color?", maxNewTokens: 8 })).tokens,
          other.tokens,
        );
      });
    },
  );
}

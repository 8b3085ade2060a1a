import {
  assertClose,
  assertEquals,
  fixtureFile,
  fixtureTest,
  handLogProbs,
  REFERENCE_FIXTURES,
  withFixtureModel,
} from "../../testing/mod.ts";
import { loadImage } from "../image/mod.ts";
import { neutralImage } from "./images.ts";
import { score } from "./score.ts";

fixtureTest("neutralImage: a uniform (128, 128, 128) image of the model's input size", async () => {
  await withFixtureModel("v0.2-tiny", async (model) => {
    const image = await loadImage(await neutralImage(model.config));
    assertEquals([image.width, image.height], [64, 64]);
    assertEquals(image.data.every((v) => v === 128), true);
  });
});

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `score ${name}: caption log-likelihood by hand; prior correction by hand`,
    async () => {
      await withFixtureModel(name, async (model) => {
        const image = fixtureFile(name, "image_b.png");
        const text = "a small blue thing";
        const result = await score(model, image, text, { priorCorrection: true });
        const caption = name === "head-tiny" ? "Describe the image." : "What is this?";
        const ids = model.tokenizer.encode((name === "head-tiny" ? "" : " ") + text, {
          addSpecialTokens: false,
        });
        const hand = await handLogProbs(model, { images: [image], text: caption }, ids);
        const sum = hand.reduce((a, b) => a + b, 0);
        assertClose(result.sum, sum, 1e-3);
        assertClose(result.mean, sum / ids.length, 1e-4);
        // The prior: the same text after the same prompt with a uniform mid-grey image.
        const grey = await neutralImage(model.config);
        const prior = await handLogProbs(model, { images: [grey], text: caption }, ids);
        const priorSum = prior.reduce((a, b) => a + b, 0);
        assertClose(result.prior!.sum, priorSum, 1e-3);
        assertClose(result.corrected!.sum, sum - priorSum, 2e-3);
        assertClose(result.corrected!.mean, (sum - priorSum) / ids.length, 2e-4);
        // Without the correction there is no prior.
        assertEquals((await score(model, image, text)).prior, undefined);
      });
    },
  );
}

import { InputError } from "../../errors.ts";
import {
  assertClose,
  assertEquals,
  assertRejects,
  fixtureFile,
  fixtureTest,
  withFixtureModel,
} from "../../testing/mod.ts";
import { rankDescending, type RetrievalResult, retrieve } from "./retrieve.ts";
import { score } from "./score.ts";

Deno.test("rankDescending: largest first, ties in input order", () => {
  assertEquals(rankDescending([0.1, 0.7, 0.3]), [1, 2, 0]);
  assertEquals(rankDescending([2, 5, 2, 5]), [1, 3, 0, 2]);
});

/** Brute force: item j's place = items scoring higher, plus equal ones before it. */
function checkRanking(ranking: number[], values: number[]): void {
  assertEquals([...ranking].sort((a, b) => a - b), values.map((_, i) => i));
  values.forEach((v, j) => {
    const place = values.filter((w, k) => w > v || (w === v && k < j)).length;
    assertEquals(ranking[place], j);
  });
}

function checkRankings(result: RetrievalResult): void {
  result.scores.forEach((row, i) => checkRanking(result.imageToText[i], row));
  result.scores[0].forEach((_, j) =>
    checkRanking(result.textToImage[j], result.scores.map((row) => row[j]))
  );
}

const TEXTS = ["a red square", "blue", "a photo of a dog on the grass"];

for (const name of ["v0.1-tiny", "head-tiny"]) {
  fixtureTest(
    `retrieve ${name}: matrix entries are score() values; rankings follow the matrix`,
    async () => {
      await withFixtureModel(name, async (model) => {
        const images = [fixtureFile(name, "image_a.png"), fixtureFile(name, "image_b.png")];
        const result = await retrieve(model, images, TEXTS, { batchSize: 4 });
        assertEquals([result.scores.length, result.scores[0].length], [2, 3]);
        for (const [i, image] of images.entries()) {
          for (const [j, text] of TEXTS.entries()) {
            assertClose(result.scores[i][j], (await score(model, image, text)).mean, 1e-4);
          }
        }
        checkRankings(result);
        // By sum, with the prior correction: the corrected sums.
        const corrected = await retrieve(model, images, TEXTS, {
          by: "sum",
          priorCorrection: true,
        });
        for (const [i, image] of images.entries()) {
          const s = await score(model, image, TEXTS[2], { priorCorrection: true });
          assertClose(corrected.scores[i][2], s.corrected!.sum, 2e-3);
        }
        checkRankings(corrected);
      });
    },
  );
}

fixtureTest("retrieve: no images or no texts is a named error", async () => {
  await withFixtureModel("v0.2-tiny", async (model) => {
    await assertRejects(() => retrieve(model, [], ["a"]), InputError, /0 images/);
  });
});

import { join } from "node:path";
import sharp from "sharp";
import { assert, assertEquals } from "../../../src/testing/mod.ts";
import { loadDataset } from "../load.ts";
import { PHOTO_LONG_SIDE } from "./prepare.ts";
import { photoItems, vqaAnswers } from "./items.ts";
import { PHOTO_SOURCES } from "./sources.ts";

const DIR = decodeURIComponent(new URL("../../../data/photos", import.meta.url).pathname);

Deno.test("photos: the committed set loads, matches its hashes and its annotations", async () => {
  const dataset = await loadDataset(DIR, { verifyHashes: true });
  assertEquals(dataset.items, photoItems());
  for (const source of PHOTO_SOURCES) {
    const items = dataset.items.filter((i) => i.image === `images/${source.id}.jpg`);
    const tasks = new Set(items.map((i) => i.task));
    assert(tasks.has("caption") && tasks.has("vqa") && tasks.has("mcq"), `${source.id} tasks`);
    const meta = await sharp(await Deno.readFile(join(DIR, `images/${source.id}.jpg`))).metadata();
    assertEquals(Math.max(meta.width, meta.height) <= PHOTO_LONG_SIDE, true);
    assertEquals(meta.channels, 3, `${source.id} is RGB`);
  }
});

Deno.test("photos: the README names every image's package, path and licence", async () => {
  const readme = await Deno.readTextFile(join(DIR, "README.md"));
  for (const s of PHOTO_SOURCES) {
    for (const text of [`images/${s.id}.jpg`, s.debianPackage, s.path, s.license]) {
      assert(readme.includes(text), `README lacks ${text}`);
    }
  }
});

Deno.test("photos: every accepted VQA spelling has at least 4 of the 10 answers", () => {
  assertEquals(
    vqaAnswers({ question: "q", answer: "a", answerType: "other" }),
    Array(10).fill("a"),
  );
  const answers = vqaAnswers({ question: "q", answer: "a", variants: ["b"], answerType: "other" });
  assertEquals([answers.filter((x) => x === "a").length, answers.filter((x) => x === "b").length], [
    6,
    4,
  ]);
  for (const item of photoItems()) {
    if (item.task !== "vqa") continue;
    assertEquals(item.answers.length, 10);
    for (const answer of new Set(item.answers)) {
      assert(item.answers.filter((a) => a === answer).length >= 4, `${item.id} ${answer}`);
    }
  }
});

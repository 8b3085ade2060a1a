import { join } from "node:path";
import { InputError } from "../../src/mod.ts";
import { assertEquals, assertThrows, withTempDir } from "../../src/testing/mod.ts";
import { importCocoCaptions, toCocoCaptions } from "./coco_captions.ts";
import { importKarpathy } from "./karpathy.ts";
import { loadDataset } from "./load.ts";
import type { ManifestItem } from "./manifest_types.ts";
import { parsePredictions, toCocoCaptionResults, toVqaResults } from "./results.ts";
import { importVqaV2, toVqaV2 } from "./vqa_v2.ts";
import { writeDataset } from "./write.ts";

const testdata = (name: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`./testdata/${name}`, import.meta.url)));

/** Writes items with dummy images, loads them back and checks nothing changed. */
async function roundTripThroughDisk(items: ManifestItem[]): Promise<void> {
  await withTempDir(async (tmp) => {
    const images = new Map(items.map((item) => [item.image, new Uint8Array([7])]));
    const tasks = [...new Set(items.map((item) => item.task))];
    const info = { name: "t", version: "1", tasks, license: "test", source: "test" };
    await writeDataset(join(tmp, "ds"), info, items, images);
    assertEquals((await loadDataset(join(tmp, "ds"))).items, items);
  });
}

Deno.test("COCO captions: import groups captions per image and round-trips", async () => {
  const file = testdata("coco_captions_small.json");
  const items = importCocoCaptions(file, { split: "val" });
  assertEquals(items.map((i) => [i.id, i.image, i.image_id]), [
    ["coco-397133", "images/COCO_val2014_000000397133.jpg", 397133],
    ["coco-37777", "images/COCO_val2014_000000037777.jpg", 37777],
  ]);
  assertEquals(items[0].references, [
    "A man is in a kitchen making pizzas.",
    "Man in apron standing on front of oven with pans and bakeware",
    "A baker is working in the kitchen rolling dough.",
  ]);
  // Image 252219 has no caption, so it has no item and is absent after export.
  const back = toCocoCaptions(items);
  assertEquals(back.images, file.images.slice(0, 2));
  const byId = (a: { id: unknown }, b: { id: unknown }) => Number(a.id) - Number(b.id);
  assertEquals(back.annotations.sort(byId), [...file.annotations].sort(byId));
  await roundTripThroughDisk(items);
});

Deno.test("COCO captions: an annotation for an unknown image is named", () => {
  const file = testdata("coco_captions_small.json");
  file.annotations[3].image_id = 5;
  assertThrows(() => importCocoCaptions(file), InputError, /annotations\[3\]\.image_id 5 is not/);
});

Deno.test("VQA v2: questions + annotations import and export back unchanged", async () => {
  const questions = testdata("vqa_questions_small.json");
  const annotations = testdata("vqa_annotations_small.json");
  const items = importVqaV2(questions, annotations);
  assertEquals(items[0], {
    id: "vqa-262148000",
    task: "vqa",
    image: "images/COCO_val2014_000000262148.jpg",
    image_id: 262148,
    question_id: 262148000,
    question: "Where is he looking?",
    answers: [
      "down",
      "down",
      "at table",
      "skateboard",
      "down",
      "table",
      "down",
      "down",
      "down",
      "down",
    ],
    answer_type: "other",
    question_type: "none of the above",
    multiple_choice_answer: "down",
    meta: { answer_confidence: Array(10).fill("yes") },
  });
  const back = toVqaV2(items, "val2014");
  assertEquals(back.questions.questions, questions.questions);
  assertEquals(back.questions.data_subtype, "val2014");
  const order = (a: { question_id: unknown }, b: { question_id: unknown }) =>
    Number(a.question_id) - Number(b.question_id);
  assertEquals(back.annotations.annotations.sort(order), [...annotations.annotations].sort(order));
  await roundTripThroughDisk(items);
});

Deno.test("VQA v2: a question without annotation or with a different image is an error", () => {
  const questions = testdata("vqa_questions_small.json");
  const annotations = testdata("vqa_annotations_small.json");
  annotations.annotations[0].image_id = 1;
  assertThrows(
    () => importVqaV2(questions, annotations),
    InputError,
    /annotations\[0\]\.image_id is 1 but the question says 393225/,
  );
  annotations.annotations.pop();
  assertThrows(
    () => importVqaV2(questions, annotations),
    InputError,
    /questions\[1\] .* no annotation/,
  );
});

Deno.test("Karpathy: test split to retrieval (+ caption) items in file order", async () => {
  const items = importKarpathy(testdata("karpathy_small.json"), { captions: true });
  assertEquals(items.map((i) => [i.id, i.task, i.image, i.image_id]), [
    ["coco-0", "retrieval", "images/val2014/COCO_val2014_000000391895.jpg", 391895],
    ["coco-2", "retrieval", "images/val2014/COCO_val2014_000000184613.jpg", 184613],
    ["coco-cap-0", "caption", "images/val2014/COCO_val2014_000000391895.jpg", 391895],
    ["coco-cap-2", "caption", "images/val2014/COCO_val2014_000000184613.jpg", 184613],
  ]);
  assertEquals((items[1] as { captions: string[] }).captions, [
    "A child holding a flowered umbrella and petting a yak.",
    "A young man holds an umbrella next to a herd of cattle.",
  ]);
  assertEquals(items[0].meta, { imgid: 0, sentids: [1, 2] });
  const restval = importKarpathy(testdata("karpathy_small.json"), { split: "restval" });
  assertEquals(restval.map((i) => i.image_id), [522418]);
  await roundTripThroughDisk(items);
});

Deno.test("results: predictions export to COCO and VQA result formats", () => {
  const coco = importCocoCaptions(testdata("coco_captions_small.json"));
  const vqa = importVqaV2(
    testdata("vqa_questions_small.json"),
    testdata("vqa_annotations_small.json"),
  );
  const predictions = parsePredictions(
    [
      '{"id":"coco-37777","prediction":"a kitchen"}',
      '{"id":"coco-397133","prediction":"a man making pizza","raw":"A man making pizza."}',
      '{"id":"vqa-393225000","prediction":"no"}',
      '{"id":"vqa-262148000","prediction":"down"}',
      '{"id":"vqa-262148001","prediction":"2"}',
    ].join("\n"),
  );
  const items = [...coco, ...vqa];
  assertEquals(toCocoCaptionResults(items, predictions.slice(0, 2)), [
    { image_id: 397133, caption: "a man making pizza" },
    { image_id: 37777, caption: "a kitchen" },
  ]);
  assertEquals(toVqaResults(items, predictions.slice(2)), [
    { question_id: 262148000, answer: "down" },
    { question_id: 262148001, answer: "2" },
    { question_id: 393225000, answer: "no" },
  ]);
  assertThrows(
    () => toVqaResults(items, predictions.slice(3)),
    InputError,
    /1 items without a prediction \(vqa-393225000\)/,
  );
  assertThrows(() => parsePredictions('{"id":"x"}'), InputError, /line 1: field "prediction"/);
});

import { assert, assertEquals } from "../../../src/testing/mod.ts";
import type { ManifestItem } from "../manifest_types.ts";
import { generateScenes, sceneItems } from "./build.ts";
import type { Scene } from "./scene.ts";
import { answerFromScene, verifyShapesItems } from "./verify.ts";

const SCENE: Scene = {
  width: 384,
  background: "white",
  objects: [
    { shape: "circle", color: "red", size: "small", row: 0, col: 0, cx: 64, cy: 64, d: 46 },
    { shape: "square", color: "blue", size: "large", row: 1, col: 1, cx: 192, cy: 192, d: 92 },
    { shape: "square", color: "blue", size: "large", row: 2, col: 2, cx: 320, cy: 320, d: 92 },
  ],
};

Deno.test("verify: answers read from a hand-made scene", () => {
  const cases: [string, string][] = [
    ["How many shapes are there?", "3"],
    ["How many blue shapes are there?", "2"],
    ["How many squares are there?", "2"],
    ["How many green stars are there?", "0"],
    ["Is there a red circle?", "yes"],
    ["Is there an orange circle?", "no"],
    ["What color is the circle?", "red"],
    ["What shape is the red object?", "circle"],
    ["Is the red circle on the left or on the right?", "left"],
    ["Is the red circle above the blue square?", "!not unique"],
    ["What color is the square?", "!shape not unique"],
    ["Is there a orange circle?", "!wrong article"],
  ];
  for (const [question, answer] of cases) assertEquals(answerFromScene(question, SCENE), answer);
});

const ITEMS_PER_RUN = 3000;

Deno.test(`verify: ${ITEMS_PER_RUN} generated scenes satisfy every answer and ambiguity rule`, () => {
  const seed = 12345;
  const items = generateScenes(seed, ITEMS_PER_RUN).flatMap((g) => sceneItems(g, seed));
  assertEquals(verifyShapesItems(items).slice(0, 10), []);
  // The rules were exercised, not skipped: every template occurs, with both yes and no answers.
  const templates = new Set(items.map((i) => i.task === "vqa" ? i.question_type : i.task));
  for (
    const t of [
      "count_all",
      "count_color",
      "count_shape",
      "count_color_shape",
      "exists",
      "color",
      "shape",
      "position_h",
      "position_v",
      "relative_h",
      "relative_v",
      "mcq",
      "retrieval",
    ]
  ) assert(templates.has(t), `template ${t} never generated`);
  const tags = new Set(items.map((i) => i.meta?.negative).filter(Boolean));
  assertEquals([...tags].sort(), ["color", "color+shape", "none", "shape"]);
  const zeroCounts = items.filter((i) => i.task === "vqa" && i.answers[0] === "0").length;
  assert(zeroCounts > 100, `only ${zeroCounts} zero-count questions`);
  const letters = new Map<string, number>();
  for (const i of items) {
    if (i.task === "mcq") letters.set(i.answer, (letters.get(i.answer) ?? 0) + 1);
  }
  const mcqs = [...letters.values()].reduce((a, b) => a + b, 0);
  for (const letter of "ABCD") {
    const share = (letters.get(letter) ?? 0) / mcqs;
    assert(share > 0.2 && share < 0.3, `answer ${letter} in ${share} of MCQs`);
  }
});

Deno.test("verify: planted mistakes are caught", () => {
  const seed = 3;
  const items = generateScenes(seed, 8).flatMap((g) => sceneItems(g, seed));
  const mutate = (fn: (items: ManifestItem[]) => void): string[] => {
    const copy = structuredClone(items);
    fn(copy);
    return verifyShapesItems(copy);
  };
  assertEquals(verifyShapesItems(items), []);
  const vqa = (list: ManifestItem[]) =>
    list.find((i) => i.task === "vqa" && i.question_type === "count_all") as ManifestItem & {
      answers: string[];
    };
  assert(mutate((list) => vqa(list).answers[3] = "7").length > 0, "wrong count not caught");
  const caption = (list: ManifestItem[]) =>
    list.find((i) => i.task === "caption") as ManifestItem & { references: string[] };
  const scene = caption(items).meta!.scene as Scene;
  const color = scene.objects[0].color;
  const other = color === "red" ? "green" : "red";
  assert(
    mutate((list) => {
      const refs = caption(list).references;
      refs[0] = refs[0].replace(color, other);
    }).length > 0,
    "wrong colour in a caption not caught",
  );
  assert(
    mutate((list) => {
      const s = caption(list).meta!.scene as Scene;
      s.objects[0].cx = 2;
    }).length > 0,
    "object outside its cell not caught",
  );
  assert(
    mutate((list) => {
      const exists = list.filter((i) => i.task === "vqa" && i.question_type === "exists");
      exists.splice(1, 1).forEach((i) => list.splice(list.indexOf(i), 1));
    }).some((p) => /yes\/no template exists/.test(p)),
    "unbalanced yes/no not caught",
  );
});

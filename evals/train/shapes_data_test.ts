import { assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { createTokenizer } from "../../src/mod.ts";
import { answerFromScene, COLOR_NAMES, Rng, SHAPES } from "../datasets/mod.ts";
import { renderScene } from "../datasets/mod.ts";
import { randomScene, type Scene } from "../datasets/mod.ts";
import {
  canonicalCaption,
  cellLabels,
  itemsOf,
  parseTypeWeights,
  ShapesStream,
  TASK_TYPES,
} from "./shapes_data.ts";
import { namesEveryObject } from "./shapes_eval.ts";
import { flipHorizontal, shapesConfig } from "./shapes_model.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";

const tokenizer = createTokenizer(
  { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
  shapesConfig(4096),
);

Deno.test("shapes tokenizer: every ShapesBench question, answer and caption round-trips, words as one token", async () => {
  const manifest = new URL("../../data/shapesbench/manifest.jsonl", import.meta.url);
  const texts: string[] = [];
  for (const line of (await Deno.readTextFile(manifest)).split("\n").filter((l) => l)) {
    const item = JSON.parse(line);
    if (item.task === "vqa") {
      texts.push(`Question: ${item.question} Answer: ${item.multiple_choice_answer}`);
    }
    for (const option of Object.values(item.options ?? {})) texts.push(` ${option}`);
    for (const caption of item.references ?? []) texts.push(` ${caption}`);
  }
  for (const text of texts) {
    const ids = tokenizer.encode(text);
    if (tokenizer.decode(ids) !== text) throw new Error(`"${text}" does not round-trip`);
    // One token per word or punctuation mark: ShapesBench text never falls back to bytes.
    const pieces = text.match(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/g)!;
    if (ids.length !== pieces.length) {
      throw new Error(`"${text}": ${ids.length} tokens for ${pieces.length} words`);
    }
  }
  if (texts.length < 4000) throw new Error(`only ${texts.length} texts checked`);
});

Deno.test("shapes data: mirroring a picture equals rendering the mirrored scene, and cell labels follow", () => {
  const rng = new Rng(5);
  for (let i = 0; i < 4; i++) {
    const scene = randomScene(rng, 96);
    const exact: Scene = {
      ...scene,
      objects: scene.objects.map((o) => ({ ...o, col: 2 - o.col, cx: scene.width - o.cx })),
    };
    const rgb = renderScene(scene), flipped = renderScene(exact);
    const size = scene.width,
      toPlanes = (px: Uint8Array) => {
        const out = new Float32Array(3 * size * size);
        for (let p = 0; p < size * size; p++) {
          for (let c = 0; c < 3; c++) out[c * size * size + p] = px[p * 3 + c];
        }
        return out;
      };
    const a = flipHorizontal(toPlanes(rgb), size), b = toPlanes(flipped);
    if (a.some((x, k) => x !== b[k])) {
      throw new Error(`scene ${i}: the mirrored render differs from the flipped pixels`);
    }
    const labels = cellLabels(scene), mirror = cellLabels(exact);
    for (let cell = 0; cell < 9; cell++) {
      const source = Math.floor(cell / 3) * 3 + (2 - (cell % 3));
      if (
        mirror.shape[cell] !== labels.shape[source] || mirror.color[cell] !== labels.color[source]
      ) {
        throw new Error(`scene ${i}: cell ${cell} labels do not mirror`);
      }
    }
  }
});

Deno.test("shapes data: the stream is a pure function of (seed, sample) and captions name every object", () => {
  const a = new ShapesStream({ seed: 3, size: 96 }), b = new ShapesStream({ seed: 3, size: 96 });
  for (const s of [0, 5, 2047, 2048, 9000, 17]) {
    const x = a.sample(s, TASK_TYPES), y = b.sample(s, TASK_TYPES);
    if (
      JSON.stringify(x.item) !== JSON.stringify(y.item) ||
      x.image.pixels.some((v, k) => v !== y.image.pixels[k])
    ) {
      throw new Error(`sample ${s} differs between two streams of the same seed`);
    }
    const caption = canonicalCaption(x.image.scene);
    if (!namesEveryObject(caption, x.image.scene)) throw new Error(`"${caption}" misses an object`);
  }
  const scene: Scene = {
    width: 384,
    background: "white",
    objects: [
      { shape: "star", color: "green", size: "small", row: 0, col: 0, cx: 60, cy: 60, d: 46 },
      { shape: "star", color: "green", size: "small", row: 0, col: 1, cx: 190, cy: 60, d: 46 },
      { shape: "square", color: "blue", size: "large", row: 1, col: 1, cx: 190, cy: 190, d: 92 },
    ],
  };
  if (canonicalCaption(scene) !== "two small green stars and a large blue square") {
    throw new Error(`canonical caption "${canonicalCaption(scene)}"`);
  }
  if (!namesEveryObject("two green stars and a blue square", scene)) {
    throw new Error("a full caption fails");
  }
  if (namesEveryObject("two green stars", scene)) {
    throw new Error("a caption missing the square passes");
  }
  if (namesEveryObject("two green stars, a blue square and a red circle", scene)) {
    throw new Error("a caption with an extra object passes");
  }
});

/** Two green stars (which "the green star" cannot single out), a red circle and a blue square. */
const FOUR_OBJECTS: Scene = {
  width: 384,
  background: "white",
  objects: [
    { shape: "circle", color: "red", size: "small", row: 0, col: 0, cx: 60, cy: 60, d: 46 },
    { shape: "star", color: "green", size: "small", row: 0, col: 2, cx: 320, cy: 60, d: 46 },
    { shape: "square", color: "blue", size: "large", row: 1, col: 2, cx: 320, cy: 190, d: 92 },
    { shape: "star", color: "green", size: "large", row: 2, col: 1, cx: 190, cy: 320, d: 92 },
  ],
};

Deno.test("shapes data: the training-only where question names the cell of each object the text can single out", () => {
  const where = itemsOf(FOUR_OBJECTS, new Rng(1)).get("where")!.map((i) =>
    `${i.question} ${i.answer}`
  );
  // The two green stars cannot be told apart by "the green star": no question about them.
  const expected = ["Where is the red circle? top left", "Where is the blue square? middle right"];
  if (JSON.stringify(where) !== JSON.stringify(expected)) {
    throw new Error(`where items ${JSON.stringify(where)}, expected ${JSON.stringify(expected)}`);
  }
});

Deno.test("shapes data: the training-only colour-and-shape counts cover every colour × shape of the picture, 0 where they never meet", () => {
  const got = itemsOf(FOUR_OBJECTS, new Rng(1)).get("count_pair")!.map((i) =>
    `${i.question} ${i.answer}`
  );
  // Colours in COLOR_NAMES order, shapes in SHAPES order; each question names one colour and one
  // shape the picture holds.
  const colors = COLOR_NAMES.filter((c) => ["red", "green", "blue"].includes(c));
  const shapes = SHAPES.filter((s) => ["circle", "square", "star"].includes(s));
  const counts: Record<string, number> = { "red circle": 1, "green star": 2, "blue square": 1 };
  const answer = (c: string, s: string) => counts[`${c} ${s}`] ?? 0;
  const expected = colors.flatMap((c) =>
    shapes.map((s) => `How many ${c} ${s}s are there? ${answer(c, s)}`)
  );
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(
      `count_pair items ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`,
    );
  }
  for (const question of got) {
    const [text, n] = [question.slice(0, question.lastIndexOf(" ")), question.split(" ").pop()];
    if (answerFromScene(text, FOUR_OBJECTS) !== n) {
      throw new Error(`${text}: the benchmark says otherwise`);
    }
  }
});

Deno.test("parseTypeWeights: whole-number weights of known VQA types, named errors otherwise", () => {
  assertEquals(parseTypeWeights("count_color=3,exists=0,count_pair=2"), {
    count_color: 3,
    exists: 0,
    count_pair: 2,
  });
  assertThrows(() => parseTypeWeights("colour=2"), Error, /unknown VQA type "colour"/);
  assertThrows(() => parseTypeWeights("caption=2"), Error, /unknown VQA type "caption"/);
  assertThrows(() => parseTypeWeights("exists=1.5"), Error, /whole number ≥ 0/);
  assertThrows(() => parseTypeWeights("exists"), Error, /whole number ≥ 0/);
});

Deno.test("shapes data: the training-only confusable count asks only the pairs that two or more objects match by colour or shape alone", () => {
  type SceneObject = Scene["objects"][number];
  const object = (
    color: SceneObject["color"],
    shape: SceneObject["shape"],
    cell: number,
  ): SceneObject => ({
    shape,
    color,
    size: "small",
    row: Math.floor(cell / 3),
    col: cell % 3,
    cx: 60 + 130 * (cell % 3),
    cy: 60 + 130 * Math.floor(cell / 3),
    d: 46,
  });
  const scene: Scene = {
    ...FOUR_OBJECTS,
    objects: [
      object("red", "circle", 0),
      object("red", "circle", 1),
      object("red", "star", 2),
      object("blue", "circle", 4),
      object("green", "square", 8),
    ],
  };
  const got = itemsOf(scene, new Rng(1)).get("count_confusable")!.map((i) =>
    `${i.question} ${i.answer}`
  );
  // red circle: the red star and the blue circle match half; red star and blue circle: the two
  // red circles; green square: nothing matches half of it, so it is not asked.
  assertEquals(got, [
    "How many red circles are there? 2",
    "How many red stars are there? 1",
    "How many blue circles are there? 1",
  ]);
  for (const question of got) {
    const [text, n] = [question.slice(0, question.lastIndexOf(" ")), question.split(" ").pop()];
    assertEquals(answerFromScene(text, scene), n, `${text}: the benchmark's own answer`);
  }
  // A picture where no pair has two half-matching objects has no such question.
  assertEquals(itemsOf(FOUR_OBJECTS, new Rng(1)).has("count_confusable"), false);
});

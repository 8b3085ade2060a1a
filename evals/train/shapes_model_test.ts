import { init, type numpy as np } from "@jax-js/jax";
import { createTokenizer, ropeInvFreq } from "../../src/mod.ts";
import { initParams, ropeTables, toDevice } from "../../src/train/mod.ts";
import { COLOR_NAMES, SHAPES } from "../datasets/mod.ts";
import { mentionsOf, ShapesStream, TASK_TYPES } from "./shapes_data.ts";
import {
  cellBatch,
  cellLabelArrays,
  cellLoss,
  linearHead,
  POSITION_CLASSES,
  positionHead,
  qaLoss,
  shapesConfig,
  stage1Head,
} from "./shapes_model.ts";
import { jointBatch, jointLoss } from "./shapes_joint.ts";
import { mentionLabelArrays } from "./shapes_reference.ts";
import { COUNT_CELLS, countedCells, countLabelArrays } from "./shapes_count.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";
import { TWO_OBJECT_SCENE } from "./test_scene.ts";

const scene = TWO_OBJECT_SCENE;

Deno.test("shapes model: cell labels of a hand-made scene, plain and mirrored, with each token's own row and column", async () => {
  const labels = cellLabelArrays([scene, scene], [false, true]);
  const read = async (a: np.Array) => Array.from(await a.data());
  const [color, shape, size, sizeMask, row, col] = await Promise.all(
    [labels.color, labels.shape, labels.size, labels.sizeMask, labels.row, labels.col].map(read),
  );
  const green = 1 + COLOR_NAMES.indexOf("green"), blue = 1 + COLOR_NAMES.indexOf("blue");
  const star = 1 + SHAPES.indexOf("star"), square = 1 + SHAPES.indexOf("square");
  // Plain: star in cell 0, square in cell 5; mirrored: star in cell 2, square in cell 3.
  const expectColor = [green, 0, 0, 0, 0, blue, 0, 0, 0, 0, 0, green, blue, 0, 0, 0, 0, 0];
  const expectShape = [star, 0, 0, 0, 0, square, 0, 0, 0, 0, 0, star, square, 0, 0, 0, 0, 0];
  const expectMask = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
  const expectSize = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
  const cells = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const checks: [string, number[], number[]][] = [
    ["colour", color, expectColor],
    ["shape", shape, expectShape],
    ["size", size, expectSize],
    ["size mask", sizeMask, expectMask],
    ["row", row, [...cells, ...cells].map((c) => Math.floor(c / 3))],
    ["column", col, [...cells, ...cells].map((c) => c % 3)],
  ];
  for (const [name, got, want] of checks) {
    if (got.join() !== want.join()) throw new Error(`${name}: ${got} != ${want}`);
  }
});

/**
 * A tokenizer, the shapes config, parameters with a stage-1 head (0.5 everywhere), a position head
 * (`position` everywhere), a zero head for each decoder head named in `zeroHeads`, RoPE tables and
 * a stream.
 */
async function jointSetup(position: number, ...zeroHeads: ("reference" | "relation" | "count")[]) {
  await init("wasm");
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    shapesConfig(4096),
  );
  const config = shapesConfig(tokenizer.size);
  const host = initParams(config, 3);
  for (const [k, v] of stage1Head(config, () => 0.5)) host.set(k, v);
  for (const [k, v] of positionHead(config, () => position)) host.set(k, v);
  for (const head of zeroHeads) {
    const classes = head === "count" ? 2 * COUNT_CELLS : POSITION_CLASSES;
    for (const [k, v] of linearHead(config, () => 0, `stage1.${head}`, classes)) host.set(k, v);
  }
  const rope = ropeTables(ropeInvFreq(config.lm_hidden_dim / config.lm_n_heads, 1e5), 64);
  const stream = new ShapesStream({ seed: 7, size: 96 });
  return { tokenizer, config, p: toDevice(host), rope, stream };
}

Deno.test("shapes model: the joint loss is the answer loss plus the weighted cell loss plus 2·ln 3 for a zero position head", async () => {
  const { tokenizer, config, p, rope, stream } = await jointSetup(0);
  // Three consecutive samples on even uses, so that cellBatch's pictures are not mirrored.
  let first = 0;
  while ([0, 1, 2].some((j) => stream.locate(first + j).use % 2 === 1)) first++;
  const batch = () => jointBatch(stream, first, 3, TASK_TYPES, 20, tokenizer, config, rope);
  const value = async (a: np.Array) => (await a.data())[0];
  const answer = await value(qaLoss(config)({ ...p }, batch()));
  const cells = await value(cellLoss(config)({ ...p }, cellBatch(stream, first, 3, config)));
  const joint = await value(jointLoss(config, 0.25)({ ...p }, batch()));
  const expected = answer + 0.25 * (cells + 2 * Math.log(3));
  if (!(Math.abs(joint - expected) < 1e-4 * expected)) {
    throw new Error(`joint ${joint} != ${answer} + 0.25·(${cells} + 2 ln 3) = ${expected}`);
  }
});

Deno.test("shapes model: reference targets sit at the shape word of each named object, with its row and column; relation targets at the second, with where the first lies from it", async () => {
  await init("wasm");
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    shapesConfig(4096),
  );
  const question = "Is the star to the left of the blue square?";
  const item = { type: "relative_h" as const, question, answer: "no" };
  const mentions = mentionsOf(question, scene);
  // "the star" names a shape without a colour: only the blue square (row 1, column 2) counts.
  if (JSON.stringify(mentions) !== '[{"color":"blue","shape":"square","row":1,"col":2}]') {
    throw new Error(`mentions ${JSON.stringify(mentions)}`);
  }
  const both = mentionsOf("Is the green star above the blue square?", scene);
  if (
    both.map((m) => `${m.color} ${m.shape} ${m.row}${m.col}`).join() !==
      "green star 00,blue square 12"
  ) {
    throw new Error(`mentions ${JSON.stringify(both)}`);
  }
  // Text tokens: Question : Is the green star above the blue square ? Answer : -> "star" is text
  // token 5 and "square" token 9; after 9 image tokens, positions 14 and 18.
  const text = tokenizer.encode("Question: Is the green star above the blue square? Answer:");
  const labels = mentionLabelArrays(
    [{ item: { ...item, mentions }, text }, { item: { ...item, mentions: both }, text }],
    9,
    20,
    tokenizer,
  );
  const read = async (a: np.Array) => Array.from(await a.data());
  const [row, col, mask] = await Promise.all([
    read(labels.refRow),
    read(labels.refCol),
    read(labels.refMask),
  ]);
  const marked = (j: number) =>
    mask.slice(29 * j, 29 * (j + 1)).flatMap((m, k) =>
      m ? [`${k}:${row[29 * j + k]}${col[29 * j + k]}`] : []
    ).join();
  if (marked(0) !== "18:12" || marked(1) !== "14:00,18:12") {
    throw new Error(`reference targets ${marked(0)} / ${marked(1)}`);
  }
  // The star (0, 0) lies above (row 0 − 1 < 0: class 0) and left of (0 − 2 < 0: class 0) the
  // square; only the second item names two objects.
  const [relRow, relCol, relMask] = await Promise.all([
    read(labels.relRow),
    read(labels.relCol),
    read(labels.relMask),
  ]);
  const related = relMask.flatMap((m, k) => m ? [`${k}:${relRow[k]}${relCol[k]}`] : []).join();
  if (related !== `${29 + 18}:00`) throw new Error(`relation targets ${related}`);
});

Deno.test("shapes model: counted cells of the hand-made scene for each count template, none for other questions", () => {
  // The green star is in cell 0, the blue square in cell 5.
  const cases: [string, string | undefined][] = [
    ["How many shapes are there?", "100001000"],
    ["How many blue shapes are there?", "000001000"],
    ["How many stars are there?", "100000000"],
    ["How many green stars are there?", "100000000"],
    ["How many green squares are there?", "000000000"],
    ["Is there a green star?", undefined],
  ];
  for (const [question, want] of cases) {
    const got = countedCells(question, scene)?.join("");
    if (got !== want) throw new Error(`${question}: ${got} != ${want}`);
  }
});

Deno.test("shapes model: count targets sit at a count question's noun, one per cell", async () => {
  await init("wasm");
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    shapesConfig(4096),
  );
  const sample = (question: string) => ({
    scene,
    item: { question },
    text: tokenizer.encode(`Question: ${question} Answer:`),
  });
  // Question : How many shapes are → "shapes" is text token 4, position 9 + 4 = 13; the other
  // question asks no count.
  const labels = countLabelArrays(
    [sample("How many shapes are there?"), sample("Is there a green star?")],
    9,
    20,
    tokenizer,
  );
  const [cells, mask] = await Promise.all([labels.countCells.data(), labels.countMask.data()]);
  const marked = Array.from(mask).flatMap((m, k) => m ? [k] : []);
  const at = 13 * COUNT_CELLS;
  if (marked.join() !== Array.from({ length: 9 }, (_, c) => at + c).join()) {
    throw new Error(`count targets at ${marked}`);
  }
  if (Array.from(cells.slice(at, at + 9)).join("") !== "100001000") {
    throw new Error(`counted cells ${Array.from(cells.slice(at, at + 9))}`);
  }
  if (Array.from(cells).reduce((a, b) => a + b, 0) !== 2) {
    throw new Error("targets outside the noun");
  }
});

// A zero decoder head's cross-entropy is ln(classes) per target: 2·ln 3 for the row-and-column
// heads (3 classes each), ln 2 per cell for the count head.
const zeroHeadCases = [
  { head: "reference", types: ["relative_h"], added: 2 * Math.log(3) },
  { head: "relation", types: ["relative_h"], added: 2 * Math.log(3) },
  { head: "count", types: ["count_color_shape"], added: Math.log(2) },
] as const;
for (const { head, types, added } of zeroHeadCases) {
  Deno.test(`shapes model: a zero ${head} head adds its weight times ${added.toFixed(4)} to the joint loss`, async () => {
    const { tokenizer, config, p, rope, stream } = await jointSetup(0.1, head);
    const batch = (targets: boolean) =>
      jointBatch(stream, 0, 3, types, 20, tokenizer, config, rope, targets);
    const value = async (a: np.Array) => (await a.data())[0];
    const without = await value(jointLoss(config, 0.25)({ ...p }, batch(false)));
    const withHead = await value(jointLoss(config, 0.25, { [head]: 0.5 })({ ...p }, batch(true)));
    const expected = without + 0.5 * added;
    if (!(Math.abs(withHead - expected) < 1e-5 * expected)) {
      throw new Error(
        `with the ${head} head ${withHead} != ${without} + 0.5·${added} = ${expected}`,
      );
    }
  });
}

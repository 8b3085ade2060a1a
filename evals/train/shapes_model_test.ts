import { init, type numpy as np } from "@jax-js/jax";
import { createTokenizer, ropeInvFreq } from "../../src/mod.ts";
import { initParams, ropeTables, toDevice } from "../../src/train/mod.ts";
import { COLOR_NAMES, type Scene, SHAPES } from "../datasets/mod.ts";
import { ShapesStream, TASK_TYPES } from "./shapes_data.ts";
import {
  cellBatch,
  cellLabelArrays,
  cellLoss,
  jointBatch,
  jointLoss,
  positionHead,
  qaLoss,
  shapesConfig,
  stage1Head,
} from "./shapes_model.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";

const scene: Scene = {
  width: 384,
  background: "white",
  objects: [
    { shape: "star", color: "green", size: "small", row: 0, col: 0, cx: 60, cy: 60, d: 46 },
    { shape: "square", color: "blue", size: "large", row: 1, col: 2, cx: 320, cy: 190, d: 92 },
  ],
};

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

Deno.test("shapes model: the joint loss is the answer loss plus the weighted cell loss plus 2·ln 3 for a zero position head", async () => {
  await init("wasm");
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    shapesConfig(4096),
  );
  const config = shapesConfig(tokenizer.size);
  const host = initParams(config, 3);
  for (const [k, v] of stage1Head(config, () => 0.5)) host.set(k, v);
  for (const [k, v] of positionHead(config, () => 0)) host.set(k, v);
  const p = toDevice(host);
  const rope = ropeTables(ropeInvFreq(config.lm_hidden_dim / config.lm_n_heads, 1e5), 64);
  const stream = new ShapesStream({ seed: 7, size: 96 });
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

import { init } from "@jax-js/jax";
import { createTokenizer, ropeInvFreq } from "../../src/mod.ts";
import { type HostParams, loadParams, ropeTables, toDevice } from "../../src/train/mod.ts";
import { growDecoderBlocks, grownLayout, identityBlockTensor } from "./grow_decoder.ts";
import { widthOf } from "./grow_width.ts";
import { ShapesStream, TASK_TYPES } from "./shapes_data.ts";
import { qaBatch, qaLoss, shapesConfig } from "./shapes_model.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";

Deno.test("grow decoder: inserted blocks are spread evenly after trained ones", () => {
  const cases: [number, number, number[]][] = [
    [4, 4, [0, 1, 2, 3]],
    [4, 5, [0, 1, 2, -1, 3]],
    [4, 6, [0, 1, -1, 2, 3, -1]],
    [4, 8, [0, -1, 1, -1, 2, -1, 3, -1]],
    [2, 5, [0, -1, 1, -1, -1]],
  ];
  for (const [from, to, expected] of cases) {
    const got = grownLayout(from, to);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(
        `${from} → ${to}: ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`,
      );
    }
  }
  for (const to of [3, 17, 4.5]) {
    let message = "";
    try {
      grownLayout(4, to);
    } catch (error) {
      message = (error as Error).message;
    }
    if (!message.includes(`not ${to}`)) throw new Error(`4 → ${to} was not refused by name`);
  }
});

Deno.test("grow decoder: trained blocks are renumbered, inserted ones come from fresh, the rest is kept", () => {
  const tensor = (value: number) => ({ shape: [1], data: new Float32Array([value]) });
  const group: HostParams = new Map([
    ["decoder.blocks.0.mlp.up_proj.weight", tensor(10)],
    ["decoder.blocks.1.mlp.up_proj.weight", tensor(11)],
    ["decoder.norm.weight", tensor(5)],
  ]);
  const grown = growDecoderBlocks(group, [0, -1, 1], () => new Float32Array([-1]));
  const read = (name: string) => grown.get(name)?.data[0];
  const got = [0, 1, 2].map((i) => read(`decoder.blocks.${i}.mlp.up_proj.weight`));
  if (
    JSON.stringify(got) !== "[10,-1,11]" || read("decoder.norm.weight") !== 5 || grown.size !== 4
  ) {
    throw new Error(`grown blocks ${JSON.stringify(got)}, ${grown.size} tensors`);
  }
});

Deno.test("grow decoder: the committed model grown by two blocks gives the same loss; without zero output projections it would not", async () => {
  await init("wasm");
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    shapesConfig(4096),
  );
  const { config: stored, params } = await loadParams("data/models/shapes-nano");
  const from = stored.lm_n_blocks;
  const rope = ropeTables(ropeInvFreq(32, 1e5), 64);
  const stream = new ShapesStream({ seed: 5, size: 96 });
  const lossOf = async (blocks: number, p: HostParams) => {
    const config = shapesConfig(tokenizer.size, 32, blocks, widthOf(stored));
    const batch = qaBatch(stream, 0, 4, TASK_TYPES, 20, tokenizer, config, rope);
    return (await qaLoss(config)(toDevice(p), batch).data())[0];
  };
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 3.4;
  const layout = grownLayout(from, from + 2);
  const before = await lossOf(from, params);
  const after = await lossOf(
    from + 2,
    growDecoderBlocks(params, layout, (name, shape) => identityBlockTensor(name, shape, noise)),
  );
  if (!(Math.abs(after - before) <= 1e-5 * before)) {
    throw new Error(`loss ${before} before growing, ${after} after`);
  }
  const perturbed = await lossOf(
    from + 2,
    growDecoderBlocks(params, layout, (name, shape) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b));
      return data.map(() => (/norm/.test(name) ? 1 : 0.02 * noise()));
    }),
  );
  if (!(Math.abs(perturbed - before) > 1e-4 * before)) { // ten times the tolerance above
    throw new Error(`random output projections left the loss at ${perturbed} (was ${before})`);
  }
});

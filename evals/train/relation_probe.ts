/**
 * Where a ShapesBench model's decoder works out a relative-position answer: on relative
 * questions about pictures of a seed never trained on, linear probes ({@link trainProbe}, scored
 * on a held-out half) read from each decoder block's output
 *
 * - at the shape word of the second object the question names: that object's own column, and
 *   where the first object lies from it (the signs of the column and the row differences: what
 *   the relation head of `--relation-weight` asks for there);
 * - at the last prompt token (where the answer is predicted): the same two signs.
 *
 * A sign read near 100% at the second object's word means the comparison is made in the text; a
 * sign read only at the answer position, or at chance everywhere, means it is not.
 *
 * ```sh
 * deno run -A evals/train/relation_probe.ts --model data/models/shapes-nano [--samples 600]
 * ```
 *
 * @module
 */
import { init } from "@jax-js/jax";
import { createTokenizer, ropeInvFreq } from "../../src/mod.ts";
import {
  type BlockTap,
  loadParams,
  modalityProjector,
  ropeTables,
  toDevice,
  trainProbe,
  visionEncoder,
  vlmLogitsOfImage,
} from "../../src/train/mod.ts";
import { ShapesStream } from "./shapes_data.ts";
import { imageTokensOf } from "./shapes_model.ts";
import { jointBatch } from "./shapes_joint.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";
import { countFlag, flagValue, runScript } from "./cli_flags.ts";

/** Held-out probe accuracies of one decoder block's output. */
export type BlockReadout = {
  /** At the second named object's shape word: its own column. */
  secondColumn: number;
  /** There: the sign of the first object's column minus the second's. */
  columnSign: number;
  /** There: the sign of the rows' difference. */
  rowSign: number;
  /** At the last prompt token: the sign of the columns' difference. */
  answerColumnSign: number;
  /** There: the sign of the rows' difference. */
  answerRowSign: number;
};

/** The readout of every decoder block, and the share of the commonest sign class (chance). */
export type RelationReadout = { blocks: BlockReadout[]; chance: { column: number; row: number } };

/** Reads out the model folder `model` on `samples` relative questions of data seed `seed`. */
export async function relationReadout(
  model: string,
  samples = 600,
  seed = 4242,
): Promise<RelationReadout> {
  const { config, params } = await loadParams(model);
  const p = toDevice(params);
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    config,
  );
  const textLength = 40, imageTokens = imageTokensOf(config), total = imageTokens + textLength;
  const rope = ropeTables(ropeInvFreq(config.lm_hidden_dim / config.lm_n_heads, 1e5), total);
  const stream = new ShapesStream({ seed, size: config.vit_img_size });
  const blocks = config.lm_n_blocks, d = config.lm_hidden_dim;
  const atSecond: Float32Array[][] = Array.from({ length: blocks }, () => []);
  const atAnswer: Float32Array[][] = Array.from({ length: blocks }, () => []);
  const labels = { second: [] as string[], column: [] as string[], row: [] as string[] };
  for (let first = 0; first < samples; first += 50) {
    const size = Math.min(50, samples - first);
    const batch = jointBatch(
      stream,
      first,
      size,
      ["relative_h", "relative_v"],
      textLength,
      tokenizer,
      config,
      rope,
      true,
    );
    const [relMask, relRow, relCol, refCol, mask] = await Promise.all(
      [batch.relMask!, batch.relRow!, batch.relCol!, batch.refCol!, batch.mask].map((a) =>
        a.data()
      ),
    );
    // What the forward does not read.
    [batch.refRow!, batch.refMask!, batch.countCells!, batch.countMask!].forEach((a) =>
      a.dispose()
    );
    [batch.targets, batch.row, batch.col].forEach((a) => a.dispose());
    [batch.color, batch.shape, batch.size, batch.sizeMask].forEach((a) => a.dispose());
    const taps: BlockTap[] = Array.from({ length: blocks }, (_, block) => ({ block }));
    const image = modalityProjector(
      visionEncoder(batch.patches, { ...p }, config),
      { ...p },
      config,
    );
    vlmLogitsOfImage(image, batch, { ...p }, config, taps).dispose();
    const hidden = await Promise.all(taps.map((tap) => tap.hidden!.data())) as Float32Array[];
    for (let j = 0; j < size; j++) {
      const row = Array.from({ length: total }, (_, k) => j * total + k);
      const second = row.find((at) => relMask[at] === 1);
      if (second === undefined) continue;
      const answer = row.find((at) => mask[at] === 1)!;
      hidden.forEach((h, block) => {
        atSecond[block].push(h.slice(second * d, (second + 1) * d));
        atAnswer[block].push(h.slice(answer * d, (answer + 1) * d));
      });
      labels.second.push(String(refCol[second]));
      labels.column.push(String(relCol[second]));
      labels.row.push(String(relRow[second]));
    }
  }
  const accuracy = async (x: Float32Array[], y: string[]) =>
    (await trainProbe(x, y, { valSplit: 0.5 })).accuracy;
  const out: BlockReadout[] = [];
  for (let block = 0; block < blocks; block++) {
    out.push({
      secondColumn: await accuracy(atSecond[block], labels.second),
      columnSign: await accuracy(atSecond[block], labels.column),
      rowSign: await accuracy(atSecond[block], labels.row),
      answerColumnSign: await accuracy(atAnswer[block], labels.column),
      answerRowSign: await accuracy(atAnswer[block], labels.row),
    });
  }
  const commonest = (y: string[]) => {
    const counts = new Map<string, number>();
    for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
    return Math.max(...counts.values()) / y.length;
  };
  return {
    blocks: out,
    chance: { column: commonest(labels.column), row: commonest(labels.row) },
  };
}

if (import.meta.main) {
  await runScript(async () => {
    await init("wasm");
    const model = flagValue("model") ?? "data/models/shapes-nano";
    const samples = countFlag("samples", 600);
    const { blocks, chance } = await relationReadout(model, samples);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
    console.log(`relative questions read by linear probes (${samples} samples), ${model}:`);
    console.log(
      `chance (commonest class): column sign ${pct(chance.column)}, row sign ${pct(chance.row)}`,
    );
    console.log(
      "block | 2nd object: own column  column sign  row sign | answer: column sign  row sign",
    );
    blocks.forEach((b, i) => {
      console.log(
        `${String(i).padStart(5)} |            ${pct(b.secondColumn)}      ${pct(b.columnSign)}  ${
          pct(b.rowSign)
        } |          ${pct(b.answerColumnSign)}   ${pct(b.answerRowSign)}`,
      );
    });
  });
}

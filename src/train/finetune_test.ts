import { init } from "@jax-js/jax";
import sharp from "sharp";
import { presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { createTokenizer } from "../pipeline/mod.ts";
import { withTempDir } from "../testing/mod.ts";
import { finetune, TrainingDivergedError } from "./finetune.ts";
import type { FinetuneExample } from "./finetune_data.ts";
import { loadParams } from "./params.ts";

await init("wasm");

const config = presetConfig("tiny-v0.1");
const tokenizerJson = JSON.parse(
  await Deno.readTextFile(
    new URL("../testing/tokenizers/byte_level/tokenizer.json", import.meta.url),
  ),
);
const tokenizer = createTokenizer({ tokenizerJson }, config);

/** 16 flat-colour pictures with a little texture: the answer is the colour's name. */
async function colourData(dir: string): Promise<FinetuneExample[]> {
  const examples: FinetuneExample[] = [];
  for (let i = 0; i < 16; i++) {
    const red = i % 2 === 0;
    const pixels = new Uint8Array(64 * 64 * 3);
    for (let p = 0; p < 64 * 64; p++) {
      const noise = (p * 37 + i * 11) % 23;
      pixels.set(red ? [200 + noise, 30, 30] : [30, 30, 200 + noise], p * 3);
    }
    const path = `${dir}/${i}.png`;
    await Deno.writeFile(
      path,
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer(),
    );
    examples.push({ image: path, question: "Colour?", answer: red ? "red" : "blue" });
  }
  return examples;
}

Deno.test("finetune: training the head improves validation accuracy and leaves frozen tensors bit-identical", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(config, `${dir}/base`, { seed: 3 });
    const examples = await colourData(dir);
    const result = await finetune(`${dir}/base`, tokenizer, examples, `${dir}/tuned`, {
      train: "head",
      epochs: 15,
      lr: 3e-2,
      batch: 4,
      valSplit: 0.25,
      patience: 15,
    });
    if (!(result.accuracyAfter > result.accuracyBefore && result.accuracyAfter >= 0.75)) {
      throw new Error(`validation accuracy ${result.accuracyBefore} -> ${result.accuracyAfter}`);
    }
    const before = (await loadParams(`${dir}/base`)).params;
    const after = (await loadParams(`${dir}/tuned`)).params;
    for (const [name, { data }] of before) {
      const other = after.get(name)!.data;
      const same = other.every((x, i) => x === data[i]);
      if (name === "decoder.head.weight" ? same : !same) {
        throw new Error(
          `${name}: ${same ? "unchanged although trained" : "changed although frozen"}`,
        );
      }
    }
    await Deno.stat(`${dir}/tuned/loss.svg`);
  });
});

Deno.test("finetune: an existing output folder and a diverging learning rate are named errors", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(config, `${dir}/base`, { seed: 4 });
    const examples = await colourData(dir);
    await Deno.mkdir(`${dir}/taken`);
    let error: unknown;
    try {
      await finetune(`${dir}/base`, tokenizer, examples, `${dir}/taken`);
    } catch (e) {
      error = e;
    }
    if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${error}`);
    error = undefined;
    try {
      await finetune(`${dir}/base`, tokenizer, examples, `${dir}/nan`, {
        train: "all",
        lr: 1e30,
        epochs: 3,
        batch: 4,
      });
    } catch (e) {
      error = e;
    }
    if (!(error instanceof TrainingDivergedError)) {
      throw new Error(`expected TrainingDivergedError, got ${error}`);
    }
    let written = true;
    await Deno.stat(`${dir}/nan`).catch(() => written = false);
    if (written) throw new Error("a diverged run left an output folder");
  });
});

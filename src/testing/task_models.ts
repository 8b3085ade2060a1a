/**
 * Test helpers for the tasks: a reference-fixture model in a temporary cache, and an independent
 * hand computation of continuation log-probabilities through the KV-cached one-token path.
 *
 * @module
 */
import type { Flavour } from "../model/mod.ts";
import { fixturePath } from "./fixtures.ts";
import { withTempDir } from "./temp.ts";
import { BYTE_LEVEL_TOKENIZER } from "./tokenizers/mod.ts";
import { NanoVLM, type Request } from "../pipeline/mod.ts";

/** The path of a file of a reference fixture (e.g. `image_a.png`). */
export function fixtureFile(name: string, file: string): string {
  return fixturePath("reference", name, file);
}

/** Loads a reference fixture's model (byte-level tokenizer, temporary graph cache) for `fn`. */
export async function withFixtureModel(
  name: string,
  fn: (model: NanoVLM) => Promise<void>,
  flavour: Flavour = "fast",
): Promise<void> {
  await withTempDir(async (cacheDir) => {
    const model = await NanoVLM.load(fixtureFile(name, "checkpoint"), {
      tokenizer: BYTE_LEVEL_TOKENIZER,
      cacheDir,
      flavour,
    });
    try {
      await fn(model);
    } finally {
      await model.release();
    }
  });
}

/**
 * Log-probabilities of `ids` after the prompt of `request`, computed token by token: the prompt
 * is prefilled, then each continuation token is fed through the KV cache as generation does; each
 * log-probability is `x[t] - log(sum(exp(x)))` over the raw logits of the step before it.
 */
export async function handLogProbs(
  model: NanoVLM,
  request: Request,
  ids: readonly number[],
): Promise<number[]> {
  const { prompt } = await model.prepare([request]);
  const runtime = model.runtime;
  let step = await runtime.decode({
    embeds: prompt.embeds,
    batch: 1,
    tokens: prompt.length,
    attentionMask: prompt.attentionMask[0],
    positionIds: [...Array(prompt.length).keys()],
  });
  const out: number[] = [];
  for (const [j, id] of ids.entries()) {
    const logits = Array.from(step.logits);
    const top = Math.max(...logits);
    const normalizer = Math.log(logits.reduce((sum, x) => sum + Math.exp(x - top), 0)) + top;
    out.push(logits[id] - normalizer);
    if (j + 1 === ids.length) break;
    step = await runtime.decode({
      embeds: await runtime.embedTokens([[id]]),
      batch: 1,
      tokens: 1,
      attentionMask: new Array<number>(prompt.length + j + 1).fill(1),
      positionIds: [prompt.length + j],
      cache: step.cache,
    });
  }
  return out;
}

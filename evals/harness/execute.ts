/**
 * Running one batch of a task's items on a model, through the same task functions and defaults
 * as the task commands (`caption`, `ask`, `choose`, `retrieve`), so a record holds what the
 * command prints for that item.
 *
 * @module
 */
import { join } from "node:path";
import {
  askRequest,
  captionRequest,
  choose,
  type GenerationOptions,
  InputError,
  type NanoVLM,
  PROMPT_DEFAULTS,
  retrieve,
} from "../../src/mod.ts";
import type { Generation } from "../../src/mod.ts";
import type { ManifestItem } from "../datasets/mod.ts";
import type { CachedResponse } from "./response_cache.ts";
import { retrievalCaptions } from "./scoring.ts";
import type { SuiteTask } from "./suite.ts";

type Mcq = Extract<ManifestItem, { task: "mcq" }>;

/** The image file of an item. */
export function imageOf(task: SuiteTask, item: ManifestItem): string {
  return join(task.dataset.dir, item.image);
}

/**
 * The user text sent for an item: the task's template for the model's generation (filled with
 * `{question}` and `{hint}`), else the task command's default (the caption prompt, or the question).
 */
export function promptText(task: SuiteTask, item: ManifestItem, generation: Generation): string {
  const template = typeof task.prompt === "string" ? task.prompt : task.prompt?.[generation];
  const question = "question" in item ? item.question : "";
  if (template === undefined) {
    return task.kind === "caption" || task.kind === "retrieval"
      ? PROMPT_DEFAULTS[generation].caption
      : question;
  }
  const hint = "hint" in item && item.hint ? item.hint : "";
  return template.replaceAll("{question}", question).replaceAll("{hint}", hint);
}

/** The options of an mcq item, in letter order. */
export function mcqOptions(item: Mcq): string[] {
  if (!item.options) {
    throw new InputError(
      `mcq item ${item.id} has its options inline (options: null)`,
      "give the options as {A: ..., B: ...} in the manifest",
    );
  }
  return Object.values(item.options);
}

/** One item to run: the item, its prompt text. */
export interface Work {
  /** The manifest item. */
  item: ManifestItem;
  /** The user text after templating. */
  prompt: string;
}

/**
 * Runs a batch of items of one task (`caption` and `vqa` batch into one generate call; `mcq` and
 * `retrieval` run item by item, each batching its own continuations).
 */
export async function runBatch(
  model: NanoVLM,
  task: SuiteTask,
  allItems: readonly ManifestItem[],
  works: readonly Work[],
  generation: GenerationOptions,
): Promise<CachedResponse[]> {
  if (task.kind === "caption" || task.kind === "vqa") {
    const requests = works.map(({ item, prompt }) =>
      task.kind === "caption"
        ? captionRequest(model, imageOf(task, item), { prompt })
        : askRequest(model, imageOf(task, item), prompt)
    );
    const results = await model.generate(requests, generation);
    return results.map((r) => ({ prediction: r.text, tokens: r.tokens, stopReason: r.stopReason }));
  }
  const out: CachedResponse[] = [];
  if (task.kind === "mcq") {
    for (const { item, prompt } of works) {
      const options = mcqOptions(item as Mcq);
      const choice = await choose(model, imageOf(task, item), prompt, options, {
        method: task.method,
        normalize: task.by,
        generation,
      });
      const letter = choice.index < 0 ? "" : String.fromCharCode(65 + choice.index);
      out.push(
        choice.scores
          ? {
            prediction: letter,
            tokens: [],
            options: choice.scores.map((s, i) => ({
              letter: String.fromCharCode(65 + i),
              sum: s.sum,
              mean: s.mean,
            })),
          }
          : { prediction: letter, tokens: [], text: choice.text },
      );
    }
    return out;
  }
  const { texts } = retrievalCaptions(allItems);
  for (const { item, prompt } of works) {
    const result = await retrieve(model, [imageOf(task, item)], texts, {
      by: task.by,
      priorCorrection: task.priorCorrection,
      prompt,
    });
    out.push({ prediction: result.imageToText[0], tokens: [], row: result.scores[0] });
  }
  return out;
}

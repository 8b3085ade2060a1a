/**
 * What the gallery shows beside a prediction: the item's picture, question and references, looked
 * up in the datasets the run used (`run.json` names the suite file, or the dataset folder of an
 * ad-hoc `--dataset` run; the suite names a dataset folder per task).
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { type Dataset, loadDataset, type ManifestItem } from "../datasets/mod.ts";

/** An item's picture, question and references. */
export interface ItemDetails {
  /** Absolute path of the picture. */
  image: string;
  /** The question, with the options of a multiple-choice item. */
  question?: string;
  /** Reference captions, answers, or the right option. */
  references: string[];
}

/** The details of a manifest item of `dataset`. */
export function itemDetails(item: ManifestItem, dataset: Dataset): ItemDetails {
  const image = resolve(dataset.dir, item.image);
  switch (item.task) {
    case "caption":
      return { image, references: item.references };
    case "vqa":
      return { image, question: item.question, references: [...new Set(item.answers)] };
    case "mcq": {
      const options = item.options
        ? ` ${Object.entries(item.options).map(([k, v]) => `(${k}) ${v}`).join(" ")}`
        : "";
      const right = item.options?.[item.answer];
      return {
        image,
        question: `${item.question}${options}`,
        references: [right === undefined ? item.answer : `${item.answer}: ${right}`],
      };
    }
    case "retrieval":
      return { image, references: item.captions };
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The dataset folders a run used, from its `run.json` (none when it or the suite is gone). */
export async function runDatasetDirs(dir: string): Promise<string[]> {
  const run = await readJson(`${dir}/run.json`);
  const source = run?.suiteSource;
  if (typeof source !== "string") return [];
  if (run?.adhoc === true) return [source];
  const suite = await readJson(source);
  const tasks = Array.isArray(suite?.tasks) ? suite.tasks as { dataset?: unknown }[] : [];
  const dirs = tasks
    .map((task) => task.dataset)
    .filter((d): d is string => typeof d === "string" && !d.includes("${"))
    .map((d) => resolve(dirname(source), d));
  return [...new Set(dirs)];
}

/**
 * Details of every item of the datasets a run used, by item id. Datasets that are no longer
 * readable are left out: the gallery then shows predictions without pictures.
 */
export async function runItemDetails(dir: string): Promise<Map<string, ItemDetails>> {
  const details = new Map<string, ItemDetails>();
  for (const datasetDir of await runDatasetDirs(dir)) {
    let dataset: Dataset;
    try {
      dataset = await loadDataset(datasetDir, { checkImages: false });
    } catch {
      continue;
    }
    for (const item of dataset.items) details.set(item.id, itemDetails(item, dataset));
  }
  return details;
}

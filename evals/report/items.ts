/**
 * What the gallery shows beside a prediction: the item's picture, question and references, looked
 * up in the datasets the run used (`run.json` names the suite file, or the dataset folder of an
 * ad-hoc `--dataset` run; the suite names a dataset folder per task).
 *
 * @module
 */
import { resolve } from "node:path";
import type { Dataset, ManifestItem } from "../datasets/mod.ts";
import { datasetSuite, loadSuite, type RunManifest } from "../harness/mod.ts";

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

/** The datasets a run used, through its `run.json` and suite (none when either is gone). */
export async function runDatasets(dir: string): Promise<Dataset[]> {
  let run: Partial<RunManifest>;
  try {
    run = JSON.parse(await Deno.readTextFile(`${dir}/run.json`));
  } catch {
    return [];
  }
  if (typeof run.suiteSource !== "string") return [];
  try {
    const suite = run.adhoc
      ? await datasetSuite(run.suiteSource)
      : await loadSuite(run.suiteSource);
    return [...new Set(suite.tasks.map((task) => task.dataset))];
  } catch {
    return [];
  }
}

/**
 * Details of every item of the datasets a run used, by item id. When the datasets are no longer
 * readable the map is empty: the gallery then shows predictions without pictures.
 */
export async function runItemDetails(dir: string): Promise<Map<string, ItemDetails>> {
  const details = new Map<string, ItemDetails>();
  for (const dataset of await runDatasets(dir)) {
    for (const item of dataset.items) details.set(item.id, itemDetails(item, dataset));
  }
  return details;
}

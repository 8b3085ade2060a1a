/**
 * `nanovlm dataset import coco|vqav2|karpathy`: official annotation files plus a picture folder
 * into a dataset folder (the manifest format every other command reads).
 *
 * @module
 */
import {
  type DatasetInfo,
  importCocoCaptions,
  importKarpathy,
  importVqaV2,
  type ManifestItem,
  readJsonFile,
  TASK_KINDS,
  writeImportedDataset,
} from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { flag, parseCommandArgs, type ParsedArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";

const COMMON_OPTIONS = {
  images: { type: "string" },
  out: { type: "string" },
  name: { type: "string" },
  license: { type: "string" },
  force: { type: "boolean" },
} as const;

const COMMON_HELP =
  `  --images <dir>       the folder holding the pictures the annotations name; required
  --out <dir>          the dataset folder to write (atomically); required
  --name <name>        the dataset's name (default: the importer's, e.g. coco-captions)
  --license <text>     the licence recorded in dataset.json (default: "see the source's terms")
  --force              replace an existing --out folder`;

function required(command: string, parsed: ParsedArgs, name: string, example: string): string {
  const value = stringOption(parsed, name);
  if (!value) {
    throw new InputError(`${command}: --${name} is required`, `e.g. --${name} ${example}`);
  }
  return value;
}

async function writeImport(
  command: string,
  parsed: ParsedArgs,
  defaults: { name: string; source: string },
  items: ManifestItem[],
): Promise<number> {
  const out = required(command, parsed, "out", "data/mydataset");
  const info: DatasetInfo = {
    name: stringOption(parsed, "name") ?? defaults.name,
    version: "1",
    tasks: TASK_KINDS.filter((task) => items.some((item) => item.task === task)),
    license: stringOption(parsed, "license") ?? "see the source's terms",
    source: defaults.source,
  };
  const images = await writeImportedDataset(
    out,
    info,
    items,
    required(command, parsed, "images", "/data/coco/val2014"),
    { overwrite: flag(parsed, "force") },
  );
  const counts = info.tasks.map((t) => `${items.filter((i) => i.task === t).length} ${t}`);
  console.log(`wrote ${out}: ${images} pictures, ${counts.join(", ")} items`);
  return 0;
}

/** The `dataset import coco` command. */
export const datasetImportCocoCommand: Command = {
  name: "dataset import coco",
  summary: "COCO captions annotations + pictures into a dataset folder",
  help: `usage: deno task nanovlm dataset import coco --annotations <captions.json> --images <dir>
       --out <dir> [options]

One caption item per image with at least one caption (references in annotation order), ids
coco-<image_id>. The pictures are copied from --images, named by the annotations' file_name.

options:
  --annotations <path> COCO captions annotations, e.g. captions_val2014.json; required
  --split <name>       the split name stored on each item (default none)
${COMMON_HELP}

example:
  deno task nanovlm dataset import coco --annotations annotations/captions_val2014.json \\
    --images val2014 --out data/coco-val2014`,
  async run(args) {
    const name = "dataset import coco";
    const parsed = parseCommandArgs(name, args, {
      ...COMMON_OPTIONS,
      annotations: { type: "string" },
      split: { type: "string" },
    });
    const file = required(name, parsed, "annotations", "captions_val2014.json");
    const items = importCocoCaptions(await readJsonFile(file, "COCO captions"), {
      file,
      split: stringOption(parsed, "split"),
    });
    return writeImport(name, parsed, {
      name: "coco-captions",
      source: `COCO captions (${file}), imported by nanovlm dataset import coco`,
    }, items);
  },
};

/** The `dataset import vqav2` command. */
export const datasetImportVqaCommand: Command = {
  name: "dataset import vqav2",
  summary: "VQA v2 questions + annotations + pictures into a dataset folder",
  help: `usage: deno task nanovlm dataset import vqav2 --questions <questions.json>
       --annotations <annotations.json> --images <dir> --out <dir> [options]

One vqa item per question (ten human answers each), ids vqa-<question_id>. Pictures are named
COCO_<data_subtype>_<12-digit image id>.jpg as in the COCO folders.

options:
  --questions <path>   e.g. v2_OpenEnded_mscoco_val2014_questions.json; required
  --annotations <path> e.g. v2_mscoco_val2014_annotations.json; required
  --split <name>       the split name stored on each item (default none)
${COMMON_HELP}

example:
  deno task nanovlm dataset import vqav2 --questions v2_OpenEnded_mscoco_val2014_questions.json \\
    --annotations v2_mscoco_val2014_annotations.json --images val2014 --out data/vqav2-val`,
  async run(args) {
    const name = "dataset import vqav2";
    const parsed = parseCommandArgs(name, args, {
      ...COMMON_OPTIONS,
      questions: { type: "string" },
      annotations: { type: "string" },
      split: { type: "string" },
    });
    const questions = required(
      name,
      parsed,
      "questions",
      "v2_OpenEnded_mscoco_val2014_questions.json",
    );
    const annotations = required(name, parsed, "annotations", "v2_mscoco_val2014_annotations.json");
    const items = importVqaV2(
      await readJsonFile(questions, "VQA v2 questions"),
      await readJsonFile(annotations, "VQA v2 annotations"),
      { split: stringOption(parsed, "split") },
    );
    return writeImport(name, parsed, {
      name: "vqav2",
      source: `VQA v2 (${questions}, ${annotations}), imported by nanovlm dataset import vqav2`,
    }, items);
  },
};

/** The `dataset import karpathy` command. */
export const datasetImportKarpathyCommand: Command = {
  name: "dataset import karpathy",
  summary: "a Karpathy split (dataset_coco.json, ...) + pictures into a dataset folder",
  help: `usage: deno task nanovlm dataset import karpathy --split-file <dataset_coco.json>
       --images <dir> --out <dir> [options]

One retrieval item per image of the split (its five sentences as captions), and with --captions
one caption item per image too. Pictures are found as <images>/<filepath>/<filename> (COCO's
val2014/ and train2014/ folders under --images).

options:
  --split-file <path>  dataset_coco.json or dataset_flickr30k.json; required
  --split <name>       test (default), val, train or restval
  --captions           also write caption items
${COMMON_HELP}

example:
  deno task nanovlm dataset import karpathy --split-file dataset_coco.json --images coco \\
    --captions --out data/coco-karpathy-test`,
  async run(args) {
    const name = "dataset import karpathy";
    const parsed = parseCommandArgs(name, args, {
      ...COMMON_OPTIONS,
      "split-file": { type: "string" },
      split: { type: "string" },
      captions: { type: "boolean" },
    });
    const file = required(name, parsed, "split-file", "dataset_coco.json");
    const split = stringOption(parsed, "split") ?? "test";
    const items = importKarpathy(await readJsonFile(file, "Karpathy split"), {
      split,
      captions: flag(parsed, "captions"),
    });
    return writeImport(name, parsed, {
      name: `karpathy-${split}`,
      source: `Karpathy split ${split} (${file}), imported by nanovlm dataset import karpathy`,
    }, items);
  },
};

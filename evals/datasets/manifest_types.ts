/**
 * Types of the manifest dataset format (metrics.md §5): a folder holding `dataset.json` (what the
 * dataset is), `manifest.jsonl` (one evaluation item per line) and `images/` (the pictures the
 * items name by relative path), optionally with `images.sha256` (`sha256sum` format).
 *
 * Field names follow the official formats they mirror (COCO, VQA v2, VLMEvalKit), hence the
 * snake_case keys.
 *
 * @module
 */

/** The four kinds of evaluation item. */
export type TaskKind = "caption" | "vqa" | "mcq" | "retrieval";

/** Every task kind, in a fixed order. */
export const TASK_KINDS: readonly TaskKind[] = ["caption", "vqa", "mcq", "retrieval"];

/** An image id: COCO uses integers, other sources strings. */
export type ImageId = number | string;

/** What produced a generated dataset, so it can be made again. */
export interface GeneratorInfo {
  /** Generator name, e.g. `shapesbench`. */
  name: string;
  /** Generator version; a change means different images or items. */
  version: string;
  /** The seed the dataset was generated from. */
  seed: number;
}

/** The contents of `dataset.json`. */
export interface DatasetInfo {
  /** Short dataset name, e.g. `shapesbench`. */
  name: string;
  /** Dataset version string. */
  version: string;
  /** The task kinds its items use. */
  tasks: TaskKind[];
  /** Licence of the dataset as a whole (items may name their own). */
  license: string;
  /** Where the data comes from. */
  source: string;
  /** The generator, for generated datasets. */
  generator?: GeneratorInfo;
  /** Creation date (ISO 8601), optional so generated datasets stay byte-identical. */
  created?: string;
  /** Free-form description. */
  description?: string;
}

/** Fields every manifest item has. */
export interface ItemBase {
  /** Unique item id within the dataset. */
  id: string;
  /** The kind of item. */
  task: TaskKind;
  /** Image path relative to the dataset folder, e.g. `images/000001.png`. */
  image: string;
  /** Id shared by all items about the same image. */
  image_id: ImageId;
  /** Split name (`test`, `val`, ...). */
  split?: string;
  /** Licence of this item's image, where it differs from the dataset's. */
  license?: string;
  /** Origin of this item's image. */
  source?: string;
  /** Free data: scene graph, difficulty, category, original ids. */
  meta?: Record<string, unknown>;
}

/** A captioning item: one image and its reference captions. */
export interface CaptionItem extends ItemBase {
  /** Always `caption`. */
  task: "caption";
  /** Reference captions (at least one). */
  references: string[];
}

/** A VQA item (VQA v2 fields). */
export interface VqaItem extends ItemBase {
  /** Always `vqa`. */
  task: "vqa";
  /** Question id as in VQA results (`[{question_id, answer}]`). */
  question_id: ImageId;
  /** The question text. */
  question: string;
  /** Ground-truth answers (usually 10; official `{answer}` dicts are reduced to their text). */
  answers: string[];
  /** `yes/no`, `number` or `other`. */
  answer_type?: string;
  /** VQA question type (its first words) or a project-specific template name. */
  question_type?: string;
  /** The most common answer. */
  multiple_choice_answer?: string;
}

/** A multiple-choice item (VLMEvalKit/MMStar fields). */
export interface McqItem extends ItemBase {
  /** Always `mcq`. */
  task: "mcq";
  /** The question text. */
  question: string;
  /** Options by letter (`A`, `B`, ... in order), or null when they are inline in the question. */
  options: Record<string, string> | null;
  /** The correct letter. */
  answer: string;
  /** Extra context shown before the question. */
  hint?: string | null;
  /** Category name. */
  category?: string;
  /** Second-level category name. */
  l2_category?: string;
}

/** An image-centric retrieval item: its captions are numbered in manifest order. */
export interface RetrievalItem extends ItemBase {
  /** Always `retrieval`. */
  task: "retrieval";
  /** The captions that belong to this image (and to no other). */
  captions: string[];
}

/** Any manifest item. */
export type ManifestItem = CaptionItem | VqaItem | McqItem | RetrievalItem;

/** A loaded dataset. */
export interface Dataset {
  /** The dataset folder (absolute or as given). */
  dir: string;
  /** `dataset.json`. */
  info: DatasetInfo;
  /** `manifest.jsonl` items, in file order. */
  items: ManifestItem[];
}

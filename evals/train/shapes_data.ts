/**
 * The ShapesBench training stream: scenes from the benchmark's own generator (1-6 objects, 8
 * colours, 5 shapes, 3×3 grid) rendered at 384 px and resized exactly as the v0.1 pipeline
 * resizes (Pillow bilinear to `vit_img_size`), with the benchmark's question templates and a
 * canonical caption.
 *
 * Determinism: sample `s` of a stream depends only on `(seed, s)`. Images are reused `reuse`
 * times within windows of `window` images (in a seeded random order), so resuming needs only the
 * sample counter.
 *
 * @module
 */
import { groupObjects, groupPhrase, joinList, plural } from "../datasets/mod.ts";
import { COLOR_NAMES, COLUMNS, referable, ROWS, SHAPES } from "../datasets/mod.ts";
import { Rng } from "../datasets/mod.ts";
import { vqaQuestions } from "../datasets/mod.ts";
import { renderScene } from "../datasets/mod.ts";
import { randomScene, type Scene } from "../datasets/mod.ts";
import { type NanoVLMConfig, PILLOW_BILINEAR, pillowResize } from "../../src/mod.ts";

/**
 * The ShapesBench VQA templates, plus `caption`, plus three training-only questions the benchmark
 * never asks: `where` (names one object's cell), `count_pair` (the colour-and-shape count for
 * any colour and any shape the picture holds, together or not: 0 where they never meet) and
 * `count_confusable` (the benchmark's colour-and-shape count, asked only where two or more other
 * objects match half of it).
 */
export const TASK_TYPES = [
  "count_all",
  "count_color",
  "count_shape",
  "count_color_shape",
  "exists",
  "color",
  "shape",
  "position_h",
  "position_v",
  "relative_h",
  "relative_v",
  "caption",
  "where",
  "count_pair",
  "count_confusable",
] as const;
/** A task type. */
export type TaskType = typeof TASK_TYPES[number];

/** Task types the benchmark does not ask: drawn in training only when given a weight. */
export const TRAINING_ONLY_TYPES: readonly TaskType[] = ["where", "count_pair", "count_confusable"];

/**
 * `count_color=3,exists=2` (`--type-weights`) → whole-number weights of known VQA types; an
 * unknown type or a weight that is not a whole number ≥ 0 is a named error.
 */
export function parseTypeWeights(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of text.split(",")) {
    const [type, value] = part.split("=");
    const weight = Number(value);
    if (!TASK_TYPES.includes(type as TaskType) || type === "caption") {
      throw new Error(
        `--type-weights: unknown VQA type "${type}" (known: ${TASK_TYPES.join(", ")})`,
      );
    }
    if (!Number.isInteger(weight) || weight < 0) {
      throw new Error(
        `--type-weights: weight of ${type} must be a whole number ≥ 0, got "${value}"`,
      );
    }
    weights[type] = weight;
  }
  return weights;
}

/** The caption question and canonical target: every group of objects in row-major first-seen order. */
export const CAPTION_QUESTION = "What is this?";

/** `two small green stars, a large blue square and a red circle`. */
export function canonicalCaption(scene: Scene): string {
  return joinList(groupObjects(scene).map((g) => groupPhrase(g)));
}

/** One rendered scene: pixels in [0, 1] NCHW and the scene graph. */
export interface SceneImage {
  /** The scene graph. */
  scene: Scene;
  /** `3 × S × S` float32 pixels as `ToTensor` produces them. */
  pixels: Float32Array;
}

/** Renders a scene at 384 px and resizes it to `size` with Pillow bilinear, as v0.1 preprocessing. */
export function renderForModel(scene: Scene, size: number): Float32Array {
  const rgb = renderScene(scene);
  const small = pillowResize(
    { width: scene.width, height: scene.width, data: rgb },
    size,
    size,
    PILLOW_BILINEAR,
  );
  const plane = size * size, out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = small.data[i * 3 + c] / 255;
  }
  return out;
}

/** A question-answer item about one image. */
export interface QaItem {
  /** Task type. */
  type: TaskType;
  /** The user text (question, or the caption prompt). */
  question: string;
  /** The target answer text (no leading space). */
  answer: string;
  /** The objects the question names as "the <colour> <shape>", in the order it names them. */
  mentions: Mention[];
}

/** An object a question names, with the grid cell it is in. */
export interface Mention {
  /** Colour name. */
  color: string;
  /** Shape name. */
  shape: string;
  /** Grid row 0-2. */
  row: number;
  /** Grid column 0-2. */
  col: number;
}

/** The objects `question` names as "the <colour> <shape>" that `scene` holds exactly once. */
export function mentionsOf(question: string, scene: Scene): Mention[] {
  const single = referable(scene);
  return [...question.matchAll(/\bthe (\w+) (\w+)/g)].flatMap(([, color, shape]) => {
    const o = single.find((x) => x.color === color && x.shape === shape);
    return o ? [{ color, shape, row: o.row, col: o.col }] : [];
  });
}

/** Every item of a scene by type (VQA drafts from the benchmark generator, plus the caption). */
export function itemsOf(scene: Scene, rng: Rng): Map<TaskType, QaItem[]> {
  const byType = new Map<TaskType, QaItem[]>();
  for (const draft of vqaQuestions(scene, rng)) {
    const type = draft.template as TaskType;
    const list = byType.get(type) ?? [];
    list.push({
      type,
      question: draft.question,
      answer: draft.answer,
      mentions: mentionsOf(draft.question, scene),
    });
    byType.set(type, list);
  }
  const where = referable(scene).map((o): QaItem => {
    const question = `Where is the ${o.color} ${o.shape}?`;
    return {
      type: "where",
      question,
      answer: `${ROWS[o.row]} ${COLUMNS[o.col]}`,
      mentions: mentionsOf(question, scene),
    };
  });
  if (where.length > 0) byType.set("where", where);
  byType.set("count_pair", countPairItems(scene));
  const confusable = confusableCountItems(scene);
  if (confusable.length > 0) byType.set("count_confusable", confusable);
  byType.set("caption", [{
    type: "caption",
    question: CAPTION_QUESTION,
    answer: canonicalCaption(scene),
    mentions: [],
  }]);
  return byType;
}

/**
 * `How many <colour> <shape>s are there?` for every colour and every shape of the scene, in
 * `COLOR_NAMES` × `SHAPES` order: the benchmark's colour-and-shape count, whose errors were
 * counting an object that shares only one of the two, asked also where the two never meet.
 */
export function countPairItems(scene: Scene): QaItem[] {
  const colors = COLOR_NAMES.filter((c) => scene.objects.some((o) => o.color === c));
  const shapes = SHAPES.filter((shape) => scene.objects.some((o) => o.shape === shape));
  return colors.flatMap((color) =>
    shapes.map((shape): QaItem => ({
      type: "count_pair",
      question: `How many ${color} ${plural(shape)} are there?`,
      answer: String(scene.objects.filter((o) => o.color === color && o.shape === shape).length),
      mentions: [],
    }))
  );
}

/** How many objects must match a pair by colour alone or by shape alone for {@link confusableCountItems} to ask it. */
export const CONFUSABLE_AT_LEAST = 2;

/**
 * `How many <colour> <shape>s are there?` for each colour-and-shape pair the scene holds (as the
 * benchmark asks it: the count is at least 1) that at least {@link CONFUSABLE_AT_LEAST} other
 * objects match by colour alone or by shape alone. On fresh splits the benchmark's errors grew
 * with such objects (1.9% of questions wrong with none, 12–45% with two to five) and were mostly
 * counts one too high: this asks for the hard cases on purpose.
 */
export function confusableCountItems(scene: Scene): QaItem[] {
  const pairs = new Map<string, Pick<Scene["objects"][number], "color" | "shape">>();
  for (const o of scene.objects) pairs.set(`${o.color} ${o.shape}`, o);
  return [...pairs.values()].flatMap(({ color, shape }): QaItem[] => {
    const both = scene.objects.filter((o) => o.color === color && o.shape === shape).length;
    const half = scene.objects.filter((o) => (o.color === color) !== (o.shape === shape)).length;
    if (half < CONFUSABLE_AT_LEAST) return [];
    return [{
      type: "count_confusable",
      question: `How many ${color} ${plural(shape)} are there?`,
      answer: String(both),
      mentions: [],
    }];
  });
}

/** Per-cell labels of a scene (stage 1): colour 0 = empty / 1-8, shape 0 = empty / 1-5, size 0/1. */
export function cellLabels(scene: Scene): { color: number[]; shape: number[]; size: number[] } {
  const color = new Array(9).fill(0), shape = new Array(9).fill(0), size = new Array(9).fill(-1);
  for (const o of scene.objects) {
    const cell = o.row * 3 + o.col;
    color[cell] = 1 + COLOR_NAMES.indexOf(o.color);
    shape[cell] = 1 + SHAPES.indexOf(o.shape);
    size[cell] = o.size === "large" ? 1 : 0;
  }
  return { color, shape, size };
}

/** Options of {@link ShapesStream}. */
export interface StreamOptions {
  /** Data seed. */
  seed: number;
  /** Model input size (`vit_img_size`). */
  size: number;
  /** Uses of each image (default 4). */
  reuse?: number;
  /** Images per reuse window (default 512). */
  window?: number;
  /** Highest object count of a scene (curriculum; default 6 = the benchmark's). */
  maxObjects?: number;
}

/** A deterministic, resumable stream of (image, item) samples. */
export class ShapesStream {
  readonly #seed: number;
  readonly #size: number;
  readonly #reuse: number;
  readonly #window: number;
  readonly #maxObjects: number;
  #windowIndex = -1;
  #order: Uint32Array = new Uint32Array(0);
  #cache = new Map<number, SceneImage>();

  /** A stream; see {@link StreamOptions}. */
  constructor(options: StreamOptions) {
    this.#seed = options.seed;
    this.#size = options.size;
    this.#reuse = options.reuse ?? 4;
    this.#window = options.window ?? 512;
    this.#maxObjects = options.maxObjects ?? 6;
  }

  /** The scene of image `n` (a pure function of seed and n). */
  sceneOf(n: number): Scene {
    const rng = new Rng(this.#seed, n, 0x5ce7e);
    for (let attempt = 0;; attempt++) {
      const scene = randomScene(rng, 384);
      if (scene.objects.length <= this.#maxObjects || attempt > 50) return scene;
    }
  }

  /** Image `n`, rendered (cached within the current window). */
  image(n: number): SceneImage {
    let found = this.#cache.get(n);
    if (!found) {
      const scene = this.sceneOf(n);
      found = { scene, pixels: renderForModel(scene, this.#size) };
      this.#cache.set(n, found);
    }
    return found;
  }

  /** Which image and which use of it sample `s` is. */
  locate(s: number): { image: number; use: number } {
    const span = this.#window * this.#reuse;
    const w = Math.floor(s / span);
    if (w !== this.#windowIndex) {
      this.#windowIndex = w;
      this.#cache = new Map();
      const rng = new Rng(this.#seed, w, 0x0dde5);
      const order = new Uint32Array(span);
      for (let i = 0; i < span; i++) order[i] = i;
      for (let i = span - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      this.#order = order;
    }
    const slot = this.#order[s - w * span];
    return { image: w * this.#window + Math.floor(slot / this.#reuse), use: slot % this.#reuse };
  }

  /**
   * Sample `s`: its image and one item of a type drawn from `types` (uniformly among the types
   * the scene has questions for).
   */
  sample(s: number, types: readonly TaskType[]): { image: SceneImage; item: QaItem } {
    const { image: n, use } = this.locate(s);
    const image = this.image(n);
    const rng = new Rng(this.#seed, n, 0x9a + use, s);
    const items = itemsOf(image.scene, rng);
    const available = types.filter((t) => items.has(t));
    const type = available.length > 0 ? rng.pick(available) : "caption";
    return { image, item: rng.pick(items.get(type)!) };
  }
}

/** The v0.1 prompt text of a question. */
export function promptText(question: string): string {
  return `Question: ${question} Answer:`;
}

/** The trained config's image size is the only preprocessing input. */
export type DataConfig = Pick<NanoVLMConfig, "vit_img_size">;

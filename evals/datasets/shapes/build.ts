/**
 * ShapesBench (metrics.md §4c): a seeded procedural benchmark with exact ground truth for
 * captioning, VQA, multiple choice and retrieval. Image `i` depends only on the seed and the
 * images before it, so a smaller `count` gives a prefix of a larger one.
 *
 * @module
 */
import { InputError } from "../../../src/mod.ts";
import type {
  DatasetInfo,
  ManifestItem,
  McqItem,
  RetrievalItem,
  VqaItem,
} from "../manifest_types.ts";
import { writeDataset, type WriteOptions } from "../write.ts";
import { referenceCaptions, retrievalCaptions } from "./captions.ts";
import { Rng } from "./prng.ts";
import { choiceQuestions, vqaQuestions } from "./questions.ts";
import { encodePng, renderScene } from "./raster.ts";
import { centreRange, type EditKind, minimalEdit, randomScene, type Scene } from "./scene.ts";

/** Bumped whenever the same seed would give different images or items. */
export const SHAPESBENCH_VERSION = "1.0.0";

/** Options of {@link generateShapesBench}. */
export interface ShapesBenchOptions {
  /** Seed (default 0). */
  seed?: number;
  /** Number of images (default 200). */
  count?: number;
  /** Canvas side in pixels (default 384). */
  width?: number;
}

/** A generated scene with the edit that made it, if it is a minimal pair of the previous one. */
export interface GeneratedScene {
  /** Position in the split (also the image id). */
  index: number;
  /** The scene graph. */
  scene: Scene;
  /** Set when the scene is a minimal edit of the previous one. */
  edit?: EditKind;
}

/** Whether every object's box lies inside its cell with the margin (edits can break this). */
function fitsGrid(scene: Scene): boolean {
  return scene.objects.every((o) => {
    const [x0, x1] = centreRange(o.col, o.d, scene.width);
    const [y0, y1] = centreRange(o.row, o.d, scene.width);
    return o.cx >= x0 && o.cx <= x1 && o.cy >= y0 && o.cy <= y1;
  });
}

/**
 * The scenes of a ShapesBench split. Every fourth image is a minimal edit of the one before
 * (a hard retrieval negative); no two images share a retrieval caption.
 */
export function generateScenes(seed: number, count: number, width = 384): GeneratedScene[] {
  const out: GeneratedScene[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < count; index++) {
    let chosen: GeneratedScene | undefined;
    for (let attempt = 0; attempt < 1000 && !chosen; attempt++) {
      const rng = new Rng(seed, index, attempt);
      const candidate: GeneratedScene = index % 4 === 3
        ? { index, ...minimalEdit(out[index - 1].scene, rng) }
        : { index, scene: randomScene(rng, width) };
      const key = retrievalCaptions(candidate.scene)[0];
      if (fitsGrid(candidate.scene) && !seen.has(key)) {
        chosen = candidate;
        seen.add(key);
      }
    }
    if (!chosen) {
      throw new InputError(
        `ShapesBench: no unique scene found for image ${index}`,
        "use a smaller --count (the scene space is large, so this should not happen)",
      );
    }
    out.push(chosen);
  }
  return out;
}

const pad = (index: number) => String(index).padStart(5, "0");

/** The difficulty tier by object count: easy 1-2, medium 3-4, hard 5-6. */
export function difficulty(scene: Scene): "easy" | "medium" | "hard" {
  const n = scene.objects.length;
  return n <= 2 ? "easy" : n <= 4 ? "medium" : "hard";
}

/** The manifest items of one scene: caption, VQA, multiple choice, retrieval. */
export function sceneItems(generated: GeneratedScene, seed: number): ManifestItem[] {
  const { index, scene } = generated;
  const rng = new Rng(seed, index, 0x51a7e5);
  const base = {
    image: `images/${pad(index)}.png`,
    image_id: index,
    split: "test",
  };
  const level = difficulty(scene);
  const items: ManifestItem[] = [{
    id: `shapes-${pad(index)}-caption`,
    task: "caption",
    ...base,
    references: referenceCaptions(scene, rng),
    meta: { difficulty: level, ...(generated.edit ? { edit: generated.edit } : {}), scene },
  }];
  const drafts = vqaQuestions(scene, rng);
  drafts.forEach((draft, k) => {
    const item: VqaItem = {
      id: `shapes-${pad(index)}-vqa-${k}`,
      task: "vqa",
      ...base,
      question_id: index * 100 + k,
      question: draft.question,
      answers: Array(10).fill(draft.answer),
      answer_type: draft.answerType,
      question_type: draft.template,
      multiple_choice_answer: draft.answer,
      meta: { difficulty: level, ...(draft.negative ? { negative: draft.negative } : {}) },
    };
    items.push(item);
  });
  choiceQuestions(drafts, rng).forEach((choice, k) => {
    const letters = choice.options.map((_, i) => String.fromCharCode(65 + i));
    const item: McqItem = {
      id: `shapes-${pad(index)}-mcq-${k}`,
      task: "mcq",
      ...base,
      question: choice.question,
      options: Object.fromEntries(letters.map((letter, i) => [letter, choice.options[i]])),
      answer: letters[choice.answerIndex],
      category: choice.template,
      meta: { difficulty: level },
    };
    items.push(item);
  });
  const retrieval: RetrievalItem = {
    id: `shapes-${pad(index)}-retrieval`,
    task: "retrieval",
    ...base,
    captions: retrievalCaptions(scene),
    meta: { difficulty: level },
  };
  items.push(retrieval);
  return items;
}

/** The `dataset.json` of a ShapesBench split. */
export function shapesBenchInfo(seed: number): DatasetInfo {
  return {
    name: "shapesbench",
    version: SHAPESBENCH_VERSION,
    tasks: ["caption", "vqa", "mcq", "retrieval"],
    license: "CC0-1.0",
    source: "procedurally generated by nanovlm-lab (evals/datasets/shapes)",
    generator: { name: "shapesbench", version: SHAPESBENCH_VERSION, seed },
    description: "Solid shapes on a 3x3 grid with exact ground truth (metrics.md §4c). " +
      "The scene graph of each image is in its caption item's meta.scene.",
  };
}

/**
 * Generates a ShapesBench split in memory: dataset info, items (grouped by image) and PNGs.
 *
 * @example
 * ```ts
 * const bench = await generateShapesBench({ seed: 0, count: 20 });
 * console.log(bench.items.length, bench.images.size);
 * ```
 */
export async function generateShapesBench(options: ShapesBenchOptions = {}): Promise<{
  info: DatasetInfo;
  items: ManifestItem[];
  images: Map<string, Uint8Array>;
}> {
  const seed = options.seed ?? 0;
  const width = options.width ?? 384;
  const scenes = generateScenes(seed, options.count ?? 200, width);
  const items = scenes.flatMap((generated) => sceneItems(generated, seed));
  const images = new Map<string, Uint8Array>();
  for (const { index, scene } of scenes) {
    images.set(`images/${pad(index)}.png`, await encodePng(renderScene(scene), width));
  }
  return { info: shapesBenchInfo(seed), items, images };
}

/** The README written into every generated ShapesBench folder. */
export function shapesBenchReadme(seed: number, count: number, width: number): string {
  return `# ShapesBench (seed ${seed}, ${count} images)

Generated by \`deno task nanovlm dataset shapes --seed ${seed} --count ${count} --size ${width}\`
(generator version ${SHAPESBENCH_VERSION}); do not edit by hand. Solid circles, squares,
triangles, stars and hexagons in eight colours on a 3×3 grid (${width}×${width} PNG), with exact
ground truth for captioning (5 references per image), VQA (counting, colour, shape, existence,
absolute and relative position), multiple choice and retrieval (2 fully specific captions per
image). The scene graph of each image is in its caption item's \`meta.scene\`. Every fourth
image is a minimal edit of the one before it (a hard retrieval negative; \`meta.edit\`).
Rules: metrics.md §4c and evals/datasets/shapes/. \`deno task nanovlm dataset check <dir>\`
re-verifies every answer and hash.

Licence: CC0-1.0 (procedurally generated by nanovlm-lab).
`;
}

/** Generates a ShapesBench split and writes it as a manifest dataset folder. */
export async function writeShapesBench(
  dir: string,
  options: ShapesBenchOptions = {},
  writeOptions: WriteOptions = {},
): Promise<{ images: number; items: number }> {
  const { info, items, images } = await generateShapesBench(options);
  const readme = shapesBenchReadme(info.generator!.seed, images.size, options.width ?? 384);
  await writeDataset(dir, info, items, images, {
    ...writeOptions,
    extraFiles: new Map([["README.md", readme]]),
  });
  return { images: images.size, items: items.length };
}

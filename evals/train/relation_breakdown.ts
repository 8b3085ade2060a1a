/**
 * Where a ShapesBench model gets relation questions ("Is the red circle to the left of the blue
 * square?", "... above ...") right and wrong: the accuracy of the greedy answers on a manifest
 * split, broken down by the gold answer, the distance between the two objects along the asked
 * axis, and whether the first-named object comes first in the image tokens' reading order
 * (row-major). A model that compares token order instead of columns answers "above" well (in
 * row-major order, earlier means higher) and "left of" at chance; this shows it.
 *
 * ```sh
 * deno run -A evals/train/relation_breakdown.ts --model data/models/shapes-nano --data data/shapesbench
 * ```
 *
 * @module
 */
import { ask, NanoVLM } from "../../src/mod.ts";
import { normalizeVqaAnswer } from "../metrics/mod.ts";
import type { Scene } from "../datasets/mod.ts";
import { type ShapesbenchReport, tally } from "./eval_shapesbench.ts";
import { mentionsOf } from "./shapes_data.ts";
import { flagValue, runScript } from "./cli_flags.ts";

/** The groups one relation question falls in, e.g. `relative_h gap 1`, `relative_h x first in reading order`. */
export function relationGroups(
  type: string,
  question: string,
  answer: string,
  scene: Scene,
): string[] {
  const mentions = mentionsOf(question, scene);
  if (mentions.length !== 2) throw new Error(`"${question}" does not name two single objects`);
  const [x, y] = mentions;
  const horizontal = type === "relative_h";
  const gap = horizontal ? Math.abs(x.col - y.col) : Math.abs(x.row - y.row);
  const first = x.row * 3 + x.col < y.row * 3 + y.col;
  return [
    `${type} answer ${answer}`,
    `${type} gap ${gap}`,
    `${type} x ${first ? "first" : "second"} in reading order`,
  ];
}

/** Accuracy per group of every relation question in the manifest split `dataDir`. */
export async function relationBreakdown(
  modelDir: string,
  dataDir: string,
): Promise<ShapesbenchReport["vqa"]> {
  const model = await NanoVLM.load(modelDir, { tokenizer: modelDir });
  const items = (await Deno.readTextFile(`${dataDir}/manifest.jsonl`)).split("\n")
    .filter((line) => line).map((line) => JSON.parse(line));
  const scenes = new Map<number, Scene>(
    items.filter((i) => i.meta?.scene).map((i) => [i.image_id, i.meta.scene]),
  );
  const groups: ShapesbenchReport["vqa"] = {};
  for (const item of items) {
    if (item.question_type !== "relative_h" && item.question_type !== "relative_v") continue;
    const scene = scenes.get(item.image_id);
    if (!scene) throw new Error(`${dataDir}: no scene graph for image ${item.image_id}`);
    const gold = item.multiple_choice_answer as string;
    const { text } = await ask(model, `${dataDir}/${item.image}`, item.question, {
      maxNewTokens: 4,
    });
    const ok = normalizeVqaAnswer(text) === normalizeVqaAnswer(gold);
    for (const group of relationGroups(item.question_type, item.question, gold, scene)) {
      tally(groups, group, ok);
    }
  }
  return groups;
}

if (import.meta.main) {
  await runScript(async () => {
    const groups = await relationBreakdown(
      flagValue("model") ?? "data/models/shapes-nano",
      flagValue("data") ?? "data/shapesbench",
    );
    console.log("| group | correct | % |\n|---|---|---|");
    for (const [group, { correct, total, accuracy }] of Object.entries(groups).sort()) {
      console.log(`| ${group} | ${correct}/${total} | ${(100 * accuracy).toFixed(1)} |`);
    }
  });
}

/**
 * `nanovlm dataset check`: validates a manifest dataset folder and prints a summary.
 *
 * @module
 */
import { loadDataset, summarizeDataset } from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { flag, parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const HELP = `usage: deno task nanovlm dataset check <dir> [--json]

Validates a manifest dataset folder and prints its items per task and split. The folder holds:
  dataset.json     {"name", "version", "tasks": [...], "license", "source"}
  manifest.jsonl   one item per line: {"id", "task", "image": "images/...", "image_id", ...} with,
                   per task: caption {"references"}, vqa {"question_id", "question", "answers"},
                   mcq {"question", "options": {"A": ...}, "answer"}, retrieval {"captions"}
  images/          the pictures (paths may not leave the folder)
  images.sha256    optional, in sha256sum format
Checks every line of manifest.jsonl (errors name the line and field; an empty manifest is
invalid), that every image exists and is an image file (all missing or non-image ones are listed
at once, with the items that use them), the SHA-256 of every image listed in images.sha256, and,
for ShapesBench, that every answer and caption follows from the scene graph.

options:
  --json    print the summary as JSON

examples:
  deno task nanovlm dataset check data/photos
  deno task nanovlm dataset check data/shapesbench --json`;

/** The `dataset check` command. */
export const datasetCheckCommand: Command = {
  name: "dataset check",
  summary: "validate a manifest dataset folder and print a summary",
  help: HELP,
  async run(args) {
    const parsed = parseCommandArgs("dataset check", args, { json: { type: "boolean" } });
    if (parsed.positionals.length !== 1) {
      throw new InputError(
        "dataset check: expected exactly one dataset folder",
        "e.g. deno task nanovlm dataset check data/photos",
      );
    }
    const dir = parsed.positionals[0];
    const summary = await summarizeDataset(await loadDataset(dir));
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(summary, null, 2));
    } else {
      console.log(`${dir}: ${summary.name} ${summary.version} (${summary.license}) — valid`);
      console.log(`  images: ${summary.images} (${summary.hashedImages} verified by SHA-256)`);
      for (const [task, n] of Object.entries(summary.itemsPerTask)) {
        console.log(`  ${task}: ${n} items`);
      }
      console.log(
        `  splits: ${
          Object.entries(summary.itemsPerSplit).map(([s, n]) => `${s} ${n}`).join(", ")
        }`,
      );
      if (summary.groundTruthChecked) {
        console.log("  ground truth: every answer follows from its scene graph");
      }
    }
    return 0;
  },
};

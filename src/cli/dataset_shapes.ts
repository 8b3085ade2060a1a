/**
 * `nanovlm dataset shapes`: generates a ShapesBench split (metrics.md §4c) as a manifest dataset.
 *
 * @module
 */
import { writeShapesBench } from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";

const HELP =
  `usage: deno task nanovlm dataset shapes --out <dir> [--seed n] [--count n] [--size px] [--force]

Generates ShapesBench: solid shapes on a 3x3 grid with exact ground truth, as a manifest dataset
(dataset.json + manifest.jsonl + images/ + images.sha256) with caption, VQA, multiple-choice and
retrieval items. The same seed always gives byte-identical images and items; a smaller --count
gives a prefix of a larger one.

options:
  --out <dir>     folder to create (must not exist unless --force)
  --seed <n>      generator seed, 0-4294967295 (default 0)
  --count <n>     number of images, 1-100000 (default 200)
  --size <px>     canvas side in pixels, 96-1024 (default 384)
  --force         replace an existing folder

examples:
  deno task nanovlm dataset shapes --out data/shapesbench
  deno task nanovlm dataset shapes --out /tmp/shapes-1k --seed 7 --count 1000`;

/** The `dataset shapes` command. */
export const datasetShapesCommand: Command = {
  name: "dataset shapes",
  summary: "generate a ShapesBench split (procedural shapes with exact ground truth)",
  help: HELP,
  async run(args) {
    const parsed = parseCommandArgs("dataset shapes", args, {
      out: { type: "string" },
      seed: { type: "string" },
      count: { type: "string" },
      size: { type: "string" },
      force: { type: "boolean" },
    });
    const out = stringOption(parsed, "out");
    if (!out || parsed.positionals.length > 0) {
      throw new InputError(
        "dataset shapes: --out <dir> is required and no positional arguments are taken",
        "e.g. deno task nanovlm dataset shapes --out data/shapesbench",
      );
    }
    const seed = integerOption(parsed, "seed", { min: 0, max: 0xffffffff }) ?? 0;
    const count = integerOption(parsed, "count", { min: 1, max: 100000 }) ?? 200;
    const width = integerOption(parsed, "size", { min: 96, max: 1024 }) ?? 384;
    const written = await writeShapesBench(out, { seed, count, width }, {
      overwrite: flag(parsed, "force"),
    });
    console.log(`wrote ${out}: ${written.images} images, ${written.items} items (seed ${seed})`);
    return 0;
  },
};

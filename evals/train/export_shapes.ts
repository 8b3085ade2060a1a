/**
 * Exports a training state of the ShapesBench model as a checkpoint folder the toolkit (and the
 * original PyTorch code) loads: `config.json`, `model.safetensors` (F16 with `--float16`),
 * `tokenizer.json` and `tokenizer_config.json`, written atomically.
 *
 * ```sh
 * deno run -A evals/train/export_shapes.ts --run runs/shapes-nano --out data/models/shapes-nano --float16
 * ```
 *
 * @module
 */
import { createTokenizer } from "../../src/mod.ts";
import { loadState, saveCheckpoint } from "../../src/train/mod.ts";
import { shapesConfig } from "./shapes_model.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";
import { flagValue, runScript } from "./cli_flags.ts";
import type { DecoderWidth } from "./grow_width.ts";

/** Writes the checkpoint folder `out` from the state file of `run`. */
export async function exportShapes(run: string, out: string, float16: boolean): Promise<void> {
  const state = await loadState(`${run}/state.bin`);
  const tokenizerJson = shapesTokenizerJson();
  const tokenizerConfig = shapesTokenizerConfig();
  const size = createTokenizer({ tokenizerJson, tokenizerConfig }, shapesConfig(4096)).size;
  const config = shapesConfig(
    size,
    (state.meta.patch as number | undefined) ?? 32,
    (state.meta.decoderBlocks as number | undefined) ?? 4,
    state.meta.decoderWidth as DecoderWidth | undefined,
  );
  await saveCheckpoint(config, state.groups.params, out, {
    float16,
    extraFiles: {
      "tokenizer.json": JSON.stringify(tokenizerJson),
      "tokenizer_config.json": JSON.stringify(tokenizerConfig, null, 2) + "\n",
    },
  });
}

if (import.meta.main) {
  await runScript(async () => {
    const run = flagValue("run") ?? "runs/shapes-nano";
    const out = flagValue("out") ?? "data/models/shapes-nano";
    await exportShapes(run, out, Deno.args.includes("--float16"));
    console.log(`wrote ${out}`);
  });
}

/**
 * Held-out ShapesBench figures of a checkpoint folder with the jax-js forward pass (the same
 * evaluation the trainer logs): per-type accuracy on a seed never used in training, captions by
 * greedy decoding. Works on F32 or F16 checkpoints.
 *
 * ```sh
 * deno run -A evals/train/eval_heldout.ts --model data/models/shapes-nano --per-type 100
 * ```
 *
 * @module
 */
import { init } from "@jax-js/jax";
import { loadTokenizer, ropeInvFreq } from "../../src/mod.ts";
import { loadParams, ropeTables, toDevice } from "../../src/train/mod.ts";
import { evaluateQa } from "./shapes_eval.ts";
import { countFlag, flagValue, runScript } from "./cli_flags.ts";

if (import.meta.main) {
  await runScript(async () => {
    await init("wasm");
    const dir = flagValue("model") ?? "data/models/shapes-nano";
    const { config, params } = await loadParams(dir);
    const tokenizer = await loadTokenizer(dir, config);
    const headDim = config.lm_hidden_dim / config.lm_n_heads;
    const rope = ropeTables(ropeInvFreq(headDim, config.lm_re_base), 64);
    const result = await evaluateQa(toDevice(params), config, tokenizer, {
      seed: countFlag("seed", 999_001),
      perType: countFlag("per-type", 48),
      rope,
    });
    console.log(JSON.stringify(result));
  });
}

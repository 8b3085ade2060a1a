/**
 * `nanovlm parity`: runs a reference fixture's exact inputs through our graphs and compares every
 * stage with the original PyTorch code's goldens.
 *
 * @module
 */
import { openCheckpoint } from "../checkpoint/mod.ts";
import { formatParity, openFixture, runParity } from "../parity/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import { choiceOption, flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { InputError } from "../errors.ts";
import { parsePrecision } from "../model/mod.ts";
import { quantizationFromArgs } from "./model_options.ts";

/** The `parity` command. */
export const parityCommand: Command = {
  name: "parity",
  summary: "compare every stage with a reference fixture of the original code",
  help: `usage: deno task nanovlm parity <fixture-dir> [options]

Feeds the fixture's exact inputs (pixel values, input ids, masks, image-token layout from its
manifest.json) through every stage and compares each golden tensor of goldens.safetensors:
max-abs error, error relative to the golden's max-abs, cosine similarity. Then runs greedy
generation for the single prompt and the padded batch and compares the ids. Exits 1 on any failure.

Bounds: fp32 — every stage within 1e-4 of the golden's max-abs, greedy ids identical;
fp16 — drift reported per stage, logits must keep cosine >= 0.999; int8 — prefill logits cosine >= 0.99;
int4 — prefill logits cosine >= 0.8 (the lowest precision of any module decides).

options:
  --checkpoint <dir>          checkpoint folder (default: <fixture-dir>/checkpoint)
  --precision <p>             fp32 (default), fp16, int8, int4 or a per-module mix such as
                              decoder=int4,head=int8 (see caption --help)
  --quant-block 32|64|128     int8/int4 block size (default 32)
  --quant-asymmetric          int8/int4 with a zero point per block
  --quant-accuracy 0|4        MatMulNBits accuracy level (default 4)
  --flavour fast|inspect      default inspect (compares every internal stage)
  --device cpu|cuda|webgpu|auto  execution provider (default cpu)
  --threads <n>               onnxruntime intra-op threads (default: all available cores)
  --cache-dir <dir>           graph cache (default ~/.cache/nanovlm-lab)
  --json                      print {"pass", "stages": [...], "greedy": {...}}

example:
  deno task nanovlm parity ../shared/fixtures/reference/v0.1-tiny`,
  async run(args) {
    const parsed = parseCommandArgs("parity", args, {
      checkpoint: { type: "string" },
      precision: { type: "string" },
      "quant-block": { type: "string" },
      "quant-asymmetric": { type: "boolean" },
      "quant-accuracy": { type: "string" },
      flavour: { type: "string" },
      threads: { type: "string" },
      device: { type: "string" },
      "cache-dir": { type: "string" },
      json: { type: "boolean" },
    });
    const dir = parsed.positionals[0];
    if (!dir || parsed.positionals.length > 1) {
      throw new InputError(
        "parity takes exactly one fixture folder",
        "run `deno task nanovlm parity --help`",
      );
    }
    const precision = parsePrecision(stringOption(parsed, "precision") ?? "fp32");
    const flavour = choiceOption(parsed, "flavour", ["fast", "inspect"] as const) ?? "inspect";
    const provider = choiceOption(parsed, "device", ["cpu", "cuda", "webgpu", "auto"] as const) ??
      "cpu";
    const fixture = await openFixture(dir);
    const checkpoint = await openCheckpoint(
      stringOption(parsed, "checkpoint") ?? `${dir}/checkpoint`,
    );
    const runtime = await NanoVLMRuntime.load(checkpoint, {
      flavour,
      precision,
      quantization: quantizationFromArgs(parsed),
      provider,
      threads: integerOption(parsed, "threads", { min: 1 }),
      cacheDir: stringOption(parsed, "cache-dir"),
      debug: flag(parsed, "debug"),
    });
    try {
      const report = await runParity(fixture, runtime);
      console.log(flag(parsed, "json") ? JSON.stringify(report) : formatParity(report));
      return report.pass ? 0 : 1;
    } finally {
      await runtime.release();
    }
  },
};

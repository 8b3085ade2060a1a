/**
 * `nanovlm synth (--preset <name> | --config <file>) --out <dir> [--seed <n>] [--force]`:
 * writes a deterministic random-init checkpoint in the original on-disk layout.
 *
 * @module
 */
import {
  loadConfig,
  type NanoVLMConfig,
  presetConfig,
  PRESETS,
  synthesizeCheckpoint,
} from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { flag, integerOption, numberOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";

const presetList = Object.entries(PRESETS).map(([name, p]) =>
  `  ${name.padEnd(13)} ${p.description}`
)
  .join("\n");

/** The `synth` command. */
export const synthCommand: Command = {
  name: "synth",
  summary: "write a random-init checkpoint of a preset or config (original on-disk layout)",
  help:
    `usage: deno task nanovlm synth (--preset <name> | --config <file>) --out <dir> [--seed <n>] [--force]
                              [--max-gib <n>]

Writes config.json (exactly as Python's json.dumps(asdict(cfg), indent=4)) and model.safetensors
(as safetensors.torch.save_model: tied head stored once, RoPE inv_freq included) with seeded
random weights. The folder appears complete or not at all, also on Ctrl-C. A checkpoint over
--max-gib or larger than the free space of the output's filesystem is refused before writing.

options:
  --preset <name>   a named shape (below)
  --config <file>   a config.json (or a checkpoint folder holding one) of any generation
  --out <dir>       output folder; must be new or empty unless --force
  --seed <n>        weight seed, an integer >= 0 (default 0)
  --force           replace a non-empty output folder
  --max-gib <n>     most GiB the weights may take (default 16; the largest nanoVLM is ~1.8 GB)
  --debug           show stack traces on errors
  -h, --help        show this help

presets:
${presetList}

examples:
  deno task nanovlm synth --preset tiny-v0.1 --out /tmp/tiny
  deno task nanovlm synth --preset 222m --out /tmp/nanoVLM-222M --seed 7`,
  async run(args) {
    const parsed = parseCommandArgs("synth", args, {
      preset: { type: "string" },
      config: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      force: { type: "boolean" },
      "max-gib": { type: "string" },
    });
    const preset = stringOption(parsed, "preset");
    const configPath = stringOption(parsed, "config");
    const out = stringOption(parsed, "out");
    if ((preset === undefined) === (configPath === undefined)) {
      throw new InputError(
        "synth: give exactly one of --preset and --config",
        `e.g. --preset tiny-v0.1 (presets: ${Object.keys(PRESETS).join(", ")})`,
      );
    }
    if (!out) throw new InputError("synth: --out <dir> is required", "e.g. --out /tmp/tiny");
    if (parsed.positionals.length > 0) {
      throw new InputError(
        `synth: unexpected argument "${parsed.positionals[0]}"`,
        "run `deno task nanovlm synth --help`",
      );
    }
    let config: NanoVLMConfig;
    if (preset !== undefined) config = presetConfig(preset);
    else {
      const loaded = await loadConfig(configPath!);
      for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
      config = loaded.config;
    }
    const seed = integerOption(parsed, "seed", { min: 0, max: 2 ** 32 - 1 }) ?? 0;
    const maxGib = numberOption(parsed, "max-gib", { min: Number.MIN_VALUE });
    const started = performance.now();
    const result = await synthesizeCheckpoint(config, out, {
      seed,
      force: flag(parsed, "force"),
      ...(maxGib === undefined ? {} : { maxBytes: maxGib * 2 ** 30 }),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `wrote ${out}: ${config.generation}, ${
        result.parameters.toLocaleString("en-US")
      } parameters in ${result.tensors} tensors, ${
        result.weightsBytes.toLocaleString("en-US")
      } bytes (seed ${seed}, ${seconds} s)`,
    );
    return 0;
  },
};

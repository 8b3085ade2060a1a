/**
 * `nanovlm demo`: the first thing to run. Synthesizes a small checkpoint into a temporary folder,
 * opens it, and prints what it found. Later issues grow this into the full demo.
 *
 * @module
 */
import { openCheckpoint } from "../checkpoint/checkpoint.ts";
import { presetConfig } from "../checkpoint/presets.ts";
import { synthesizeCheckpoint } from "../checkpoint/synthetic.ts";
import { parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { checkpointInfo, formatInfo } from "./info.ts";

/** The `demo` command. */
export const demoCommand: Command = {
  name: "demo",
  summary: "synthesize a small checkpoint, inspect it and print a summary",
  help: `usage: deno task demo [--preset <name>]

Writes a random-init checkpoint (default preset tiny-current) into a temporary folder, opens it
as any downloaded checkpoint would be opened, prints its description and removes it again.

options:
  --preset <name>  the shape to synthesize (see \`nanovlm synth --help\`; default tiny-current)
  --debug          show stack traces on errors
  -h, --help       show this help`,
  async run(args) {
    const parsed = parseCommandArgs("demo", args, { preset: { type: "string" } });
    const preset = stringOption(parsed, "preset") ?? "tiny-current";
    const config = presetConfig(preset);
    const dir = await Deno.makeTempDir({ prefix: "nanovlm-demo-" });
    try {
      const out = `${dir}/checkpoint`;
      const synth = await synthesizeCheckpoint(config, out, { seed: 0 });
      console.log(`synthesized preset ${preset} (${synth.tensors} tensors) into ${out}\n`);
      const ckpt = await openCheckpoint(out);
      console.log(formatInfo(checkpointInfo(ckpt)));
      console.log(
        `\nsummary: a ${ckpt.config.generation} checkpoint with ${
          ckpt.parameters.total.toLocaleString("en-US")
        } parameters was written and read back; every tensor matches its config.`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    return 0;
  },
};

/**
 * `nanovlm doctor`: what this machine can run.
 *
 * @module
 */
import { formatDoctor, probeWebGpu, runDoctor } from "../runtime/mod.ts";
import { flag, parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

/** The `doctor` command. */
export const doctorCommand: Command = {
  name: "doctor",
  summary: "check onnxruntime, the CUDA and WebGPU providers and threads",
  help: `usage: deno task nanovlm doctor [--json]

Reports the onnxruntime-node version, whether the CUDA execution provider's libraries are
present and loadable, whether the bundled WebGPU provider finds an adapter (a one-node graph is
run on it), the intra-op threads every session gets, and the exact steps to install the CUDA provider for Deno.

options:
  --json   print the report as JSON`,
  async run(args) {
    const parsed = parseCommandArgs("doctor", args, { json: { type: "boolean" } });
    const report = { ...runDoctor(), webgpu: await probeWebGpu() };
    console.log(flag(parsed, "json") ? JSON.stringify(report, null, 2) : formatDoctor(report));
    return 0;
  },
};

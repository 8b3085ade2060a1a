/**
 * `nanovlm doctor`: what this machine can run.
 *
 * @module
 */
import { formatDoctor, runDoctor } from "../runtime/mod.ts";
import { flag, parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

/** The `doctor` command. */
export const doctorCommand: Command = {
  name: "doctor",
  summary: "check onnxruntime, the CUDA provider and threads",
  help: `usage: deno task nanovlm doctor [--json]

Reports the onnxruntime-node version, whether the CUDA execution provider's libraries are
present and loadable, thread settings, and the exact steps to install the CUDA provider for Deno.

options:
  --json   print the report as JSON`,
  run(args) {
    const parsed = parseCommandArgs("doctor", args, { json: { type: "boolean" } });
    const report = runDoctor();
    console.log(flag(parsed, "json") ? JSON.stringify(report, null, 2) : formatDoctor(report));
    return Promise.resolve(0);
  },
};

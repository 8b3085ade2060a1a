/**
 * `nanovlm eval merge`: join the run folders of `eval --shard i/n` into one run folder, checking
 * that they cover the suite exactly once; optionally gate the merged run.
 *
 * @module
 */
import { formatError, InputError } from "../errors.ts";
import { formatGateReport, mergeShards } from "../../evals/harness/mod.ts";
import { flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { EXIT_ERROR, EXIT_REGRESSION, gate } from "./eval.ts";
import { formatEvalSummary } from "./eval_output.ts";

const NAME = "eval merge";

/** The `eval merge` command. */
export const evalMergeCommand: Command = {
  name: NAME,
  summary: "join the folders of `eval --shard i/n` runs (each item exactly once) into one run",
  help: `usage: deno task nanovlm eval merge <shard dir>... --out <dir> [--baseline <file>] [--json]

Checks that the folders are the finished shards 1/n ... n/n of one run (same suite, model, cells,
limit and options), that each shard is given once and that their records cover every item of every
cell exactly once; then writes the merged run folder (records, results, summary.json, tables) as
an unsharded run would have.

options:
  --out <dir>          the merged run folder (new or empty)
  --baseline <file>    gate the merged run (exit 1 on a regression)
  --json               print the merged summary.json

exit codes: 0 done, 1 regression against --baseline, 2 error

example (a CI matrix of 4 jobs, then one merge job):
  deno task nanovlm eval --suite shapes --shard 2/4 --out runs/shard-2
  deno task nanovlm eval merge runs/shard-1 runs/shard-2 runs/shard-3 runs/shard-4 --out runs/shapes`,
  async run(args) {
    try {
      const parsed = parseCommandArgs(NAME, args, {
        out: { type: "string" },
        baseline: { type: "string" },
        json: { type: "boolean" },
      });
      const out = stringOption(parsed, "out");
      if (!out) {
        throw new InputError(
          `${NAME}: --out is required`,
          "name the merged run folder, e.g. --out runs/merged",
        );
      }
      const details = await mergeShards(parsed.positionals, out);
      const baseline = stringOption(parsed, "baseline");
      const report = baseline ? await gate(details, baseline, out) : undefined;
      if (flag(parsed, "json")) {
        console.log(
          JSON.stringify(report ? { ...details.summary, gate: report } : details.summary, null, 2),
        );
      } else {
        console.log(formatEvalSummary(details.summary));
        console.log(`\nmerged ${parsed.positionals.length} shards into ${out}`);
        if (report) console.log(formatGateReport(report));
      }
      return report?.status === "regressed" ? EXIT_REGRESSION : 0;
    } catch (error) {
      console.error(formatError(error, args.includes("--debug")));
      return EXIT_ERROR;
    }
  },
};

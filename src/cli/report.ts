/**
 * `nanovlm report DIR`: (re-)renders the report of an eval output folder: `DIR/report.html`
 * (self-contained), `DIR/report.md` and `DIR/figures/*.png`.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { writeReport } from "../../evals/report/mod.ts";
import { integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";

/** The `report` command. */
export const reportCommand: Command = {
  name: "report",
  summary: "write report.html, report.md and PNG figures for an eval output folder",
  help: `usage: deno task nanovlm report <DIR> [options]

Reads DIR/summary.json and DIR/records/<cell>.jsonl (as \`nanovlm eval --out DIR\` writes them)
and writes, each atomically:
  DIR/report.html   one self-contained page: tables, figures as inline SVG, pictures inline,
                    no script and no network
  DIR/report.md     the same tables, the PNG figures by relative path, the gallery as a table
  DIR/figures/*.png quality vs latency (95% intervals), per-category bars, per-token latency,
                    drift against the first cell
The first cell is the reference for differences, drift and the gallery of changed items.

options:
  --title <text>    page title (default "nanovlm eval: <suite>")
  --worst <n>       worst items in the gallery (default 6)
  --changed <n>     changed items in the gallery at most (default 6)
  --debug           show stack traces on errors
  -h, --help        show this help

example:
  deno task nanovlm eval --suite smoke --out reports/smoke && deno task nanovlm report reports/smoke`,
  async run(args) {
    const parsed = parseCommandArgs("report", args, {
      title: { type: "string" },
      worst: { type: "string" },
      changed: { type: "string" },
    });
    if (parsed.positionals.length !== 1) {
      throw new InputError(
        `report: expected one eval output folder, got ${parsed.positionals.length}`,
        "usage: deno task nanovlm report <DIR>",
      );
    }
    const files = await writeReport(parsed.positionals[0], {
      title: stringOption(parsed, "title"),
      worst: integerOption(parsed, "worst", { min: 0, max: 1000 }),
      changed: integerOption(parsed, "changed", { min: 0, max: 1000 }),
    });
    console.log(`report: ${files.html}`);
    console.log(`        ${files.markdown}`);
    console.log(
      `        ${files.figures.length} figures in ${
        files.html.replace(/report\.html$/, "figures/")
      }`,
    );
    return 0;
  },
};

/**
 * `nanovlm eval`: run a suite (or every task of a dataset folder) over precisions × devices,
 * with records, the response cache, resume, shards, quality beside performance, and the
 * regression gate. Exit codes: 0 pass, 1 a regression against `--baseline`, 2 an error.
 *
 * @module
 */
import { formatError, InputError } from "../errors.ts";
import { writeAtomically } from "../checkpoint/mod.ts";
import { defaultCacheDir } from "../runtime/mod.ts";
import {
  type Baseline,
  compareBaseline,
  datasetSuite,
  DEFAULT_MODEL,
  defaultModel,
  defaultProgress,
  formatGateReport,
  type GateReport,
  loadSuite,
  makeBaseline,
  modelIdentity,
  parseCells,
  parseShard,
  runEval,
  runIsDeterministic,
  silentProgress,
  type SummaryWithDetails,
  writeJsonAtomic,
} from "../../evals/harness/mod.ts";
import { writeReport } from "../../evals/report/mod.ts";
import { flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { formatEvalSummary } from "./eval_output.ts";
import {
  GENERATION_HELP,
  GENERATION_OPTIONS,
  generationOptionsFromArgs,
  listOption,
} from "./model_options.ts";

const NAME = "eval";

/** Exit code of a run whose gate found a regression. */
export const EXIT_REGRESSION = 1;
/** Exit code of a run that failed (bad input, engine failure). */
export const EXIT_ERROR = 2;

async function readBaseline(path: string): Promise<Baseline> {
  let value: Baseline;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new InputError(
      `cannot read the baseline ${path}: ${(error as Error).message}`,
      "pass a file written by --write-baseline",
    );
  }
  if (!value || typeof value.suite !== "string" || !Array.isArray(value.cells) || !value.model) {
    throw new InputError(
      `${path} is not a baseline (no suite, model and cells)`,
      "pass a file written by --write-baseline",
    );
  }
  return value;
}

/** Runs the gate against a baseline and writes `gate.json` beside the summary. */
export async function gate(
  details: SummaryWithDetails,
  baselinePath: string,
  out: string,
): Promise<GateReport> {
  const report = compareBaseline(await readBaseline(baselinePath), details, { file: baselinePath });
  await writeJsonAtomic(`${out}/gate.json`, { baseline: baselinePath, ...report });
  return report;
}

/** The `eval` command. */
export const evalCommand: Command = {
  name: NAME,
  summary:
    "run a suite over precisions x devices: records, cache, resume, shards, quality + latency, gate",
  help:
    `usage: deno task nanovlm eval (--suite <name|file.json> | --dataset <dir>) [--model <dir> --tokenizer <path>] [options]

Runs every task of a suite (evals/suites/<name>.json: smoke, shapes, photos, coco_karpathy,
vqav2_val, mmstar) or, with --dataset, every task kind of a dataset folder with the task commands'
default prompts and options (a record then equals what caption/ask/choose/retrieve print). Each
cell (precision x device) gets records/<cell>.jsonl (one line per item, synced per batch),
results/<cell>/<task>.json as each task ends, and at the end summary.json (quality with 95%
bootstrap intervals and categories, paired comparisons with the first cell, performance: load,
vision ms per tile, time to first token, decode tok/s, per-token p50/p90/p99, peak RSS, machine)
and tables/*.parquet|csv.

options:
  --suite <name|file>        a bundled suite or a suite file
  --dataset <dir>            an ad-hoc suite: every task kind of the folder, command defaults
  --model <dir>              checkpoint folder (default: the embedded default model, shapes-nano,
                             trained on ShapesBench: data/models/shapes-nano)
  --tokenizer <path>         tokenizer.json or its folder (required with --model)
  --precision <list>         cells' precisions, comma-separated: fp32, fp16, or a per-module mix
                             such as vision=fp16,decoder=fp32 (repeat --precision to separate mixes);
                             default fp32
  --device <list>            cpu, cuda, auto, comma-separated (default cpu)
  --limit <n>                at most n items per task
  --out <dir>                run folder (default runs/<suite>)
  --resume                   continue the run in --out (after a crash or kill): nothing done twice
  --shard <i/n>              run the i-th of n deterministic shares; join with \`eval merge\`
  --baseline <file>          compare with a baseline: exit 1 on a regression (evals/baselines/)
  --write-baseline <file>    write this run as the baseline
  --batch-size <n>           rows per model call for caption/vqa (default the suite's, 1)
  --threads <n>              onnxruntime intra-op threads
  --flavour fast|inspect     graph flavour (default fast)
  --cache-dir <dir>          graphs, converted weights and responses (default $NANOVLM_CACHE or
                             ~/.cache/nanovlm-lab)
  --no-cache                 do not read or write the response cache
  --no-report                do not write report.html / report.md / figures/ (nanovlm report
                             DIR writes them later)
  --quiet                    no progress output
  --json                     print summary.json (with the gate's report under "gate")

${GENERATION_HELP}
  (they override the suite's generation options)

exit codes: 0 done (gate passed), 1 regression against --baseline, 2 error

examples:
  deno task nanovlm eval --suite smoke --baseline evals/baselines/smoke.json
  deno task nanovlm eval --suite shapes --model ckpt --tokenizer tok/ --precision fp32,fp16 --limit 50
  deno task nanovlm eval --dataset data/photos --model ckpt --tokenizer tok/ --out runs/photos`,
  async run(args) {
    try {
      return await runEvalCommand(args);
    } catch (error) {
      console.error(formatError(error, args.includes("--debug")));
      return EXIT_ERROR;
    }
  },
};

async function runEvalCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(NAME, args, {
    suite: { type: "string" },
    dataset: { type: "string" },
    model: { type: "string" },
    tokenizer: { type: "string" },
    precision: { type: "string", multiple: true },
    device: { type: "string", multiple: true },
    limit: { type: "string" },
    out: { type: "string" },
    resume: { type: "boolean" },
    shard: { type: "string" },
    baseline: { type: "string" },
    "write-baseline": { type: "string" },
    "batch-size": { type: "string" },
    threads: { type: "string" },
    flavour: { type: "string" },
    "cache-dir": { type: "string" },
    "no-cache": { type: "boolean" },
    "no-report": { type: "boolean" },
    quiet: { type: "boolean" },
    json: { type: "boolean" },
    ...GENERATION_OPTIONS,
  });
  if (parsed.positionals.length > 0) {
    throw new InputError(
      `${NAME}: unexpected argument "${parsed.positionals[0]}"`,
      "every input is a named option; see `eval --help`",
    );
  }
  const suiteName = stringOption(parsed, "suite");
  const datasetDir = stringOption(parsed, "dataset");
  if ((suiteName === undefined) === (datasetDir === undefined)) {
    throw new InputError(
      `${NAME}: give exactly one of --suite and --dataset`,
      "e.g. --suite smoke, or --dataset data/photos",
    );
  }
  const baselinePath = stringOption(parsed, "baseline");
  const writeBaselinePath = stringOption(parsed, "write-baseline");
  if (baselinePath && writeBaselinePath) {
    throw new InputError(
      `${NAME}: --baseline and --write-baseline exclude each other`,
      "compare with a baseline, or write one",
    );
  }
  const shardText = stringOption(parsed, "shard");
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (shard && (baselinePath || writeBaselinePath)) {
    throw new InputError(
      `${NAME}: a shard covers part of the suite; the gate needs all of it`,
      "merge the shards (`eval merge --baseline …`) and gate the merged run",
    );
  }
  const cells = parseCells(listOption(parsed, "precision"), listOption(parsed, "device"));
  const limit = integerOption(parsed, "limit", { min: 1 });
  const batchSize = integerOption(parsed, "batch-size", { min: 1 });
  const threads = integerOption(parsed, "threads", { min: 1 });
  const flavourText = stringOption(parsed, "flavour");
  if (flavourText !== undefined && flavourText !== "fast" && flavourText !== "inspect") {
    throw new InputError(
      `--flavour must be fast or inspect, got "${flavourText}"`,
      "use --flavour fast",
    );
  }
  const generation = generationOptionsFromArgs(parsed);
  const cacheDir = stringOption(parsed, "cache-dir") ?? defaultCacheDir();
  let model = stringOption(parsed, "model");
  let tokenizer = stringOption(parsed, "tokenizer");
  let labels: { model: string; tokenizer: string } | undefined;
  if (model === undefined) {
    if (tokenizer !== undefined) {
      throw new InputError(
        `${NAME}: --tokenizer without --model`,
        "pass --model too, or neither for the default model",
      );
    }
    ({ model, tokenizer } = await defaultModel());
    labels = { model: DEFAULT_MODEL.label, tokenizer: DEFAULT_MODEL.tokenizer };
  } else if (tokenizer === undefined) {
    throw new InputError(
      `${NAME}: --model needs --tokenizer (checkpoints do not include it)`,
      "pass --tokenizer <tokenizer.json or its folder>",
    );
  }
  const suite = suiteName !== undefined
    ? await loadSuite(suiteName)
    : await datasetSuite(datasetDir!);
  const out = stringOption(parsed, "out") ?? `runs/${suite.name.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
  if (baselinePath) {
    // Refuse a baseline of another suite or model before any work (and any file) is done.
    const baseline = await readBaseline(baselinePath);
    const { identity } = await modelIdentity(model, tokenizer!, cacheDir);
    if (baseline.suite !== suite.name || baseline.model.configSha256 !== identity.configSha256) {
      throw new InputError(
        `${baselinePath} is a baseline of suite "${baseline.suite}" and model ${baseline.model.path} (config ${
          baseline.model.configSha256.slice(0, 12)
        }); this run is suite "${suite.name}" on ${model} (config ${
          identity.configSha256.slice(0, 12)
        })`,
        `compare with the baseline of this suite and model, or write one with --write-baseline`,
      );
    }
    const absent = cells.filter((cell) => !baseline.cells.some((c) => c.name === cell.name));
    if (absent.length > 0) {
      throw new InputError(
        `${baselinePath} has no cell ${absent.map((c) => c.name).join(", ")} (it has ${
          baseline.cells.map((c) => c.name).join(", ")
        })`,
        "run the baseline's cells (--precision, --device), or write a baseline with these cells",
      );
    }
  }
  const details = await runEval({
    suite,
    model,
    tokenizer: tokenizer!,
    cells,
    out,
    resume: flag(parsed, "resume"),
    limit,
    shard,
    generation,
    cacheDir,
    useCache: !flag(parsed, "no-cache"),
    threads,
    flavour: flavourText as "fast" | "inspect" | undefined,
    batchSize,
    labels,
    progress: flag(parsed, "quiet") ? silentProgress : defaultProgress(),
  });
  let report: GateReport | undefined;
  if (baselinePath) report = await gate(details, baselinePath, out);
  if (writeBaselinePath) {
    const baseline = makeBaseline(details, {
      deterministic: runIsDeterministic(suite, generation),
    });
    await writeAtomically(
      writeBaselinePath,
      (temp) => Deno.writeTextFile(temp, JSON.stringify(baseline, null, 1) + "\n"),
    );
  }
  // The report reads what the run wrote (summary, records, gate.json); a shard's is partial.
  const reportFiles = flag(parsed, "no-report") || shard ? undefined : await writeReport(out);
  if (flag(parsed, "json")) {
    console.log(
      JSON.stringify(report ? { ...details.summary, gate: report } : details.summary, null, 2),
    );
  } else {
    console.log(formatEvalSummary(details.summary));
    console.log(`\nsummary: ${out}/summary.json; records: ${out}/records/; tables: ${out}/tables/`);
    if (reportFiles) console.log(`report: ${reportFiles.html}`);
    if (report) console.log(formatGateReport(report));
    if (writeBaselinePath) console.log(`baseline written: ${writeBaselinePath}`);
  }
  return report?.status === "regressed" ? EXIT_REGRESSION : 0;
}

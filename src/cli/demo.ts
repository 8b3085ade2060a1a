/**
 * `nanovlm demo`: the main job in one command, without any download. On the embedded default
 * model (shapes-nano, trained on ShapesBench) it runs the `demo` suite (a few ShapesBench items
 * of every kind) over fp32 and fp16 on the CPU with the eval harness, writes the report (quality beside latency, per-category
 * bars, drift, a gallery, one attention heat map) under `reports/demo/`, prints where it is, and,
 * when the reference
 * fixtures are beside the repository, checks parity with the original PyTorch code.
 *
 * @module
 */
import { writeReport } from "../../evals/report/mod.ts";
import {
  DEFAULT_MODEL,
  defaultModel,
  defaultProgress,
  loadSuite,
  parseCells,
  runEval,
  silentProgress,
} from "../../evals/harness/mod.ts";
import { openCheckpoint, writeAtomically } from "../checkpoint/mod.ts";
import { FIXTURES_DIR, openFixture, runParity } from "../parity/mod.ts";
import { defaultCacheDir, NanoVLMRuntime } from "../runtime/mod.ts";
import { flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { attentionFigure, attentionQuestion } from "./demo_attention.ts";
import { formatEvalSummary } from "./eval_output.ts";

/** Where the demo writes its eval output and report. */
export const DEMO_OUT: string = decodeURIComponent(
  new URL("../../reports/demo", import.meta.url).pathname,
);

/** What the demo says about its model, first thing. */
export const DEMO_MODEL_NOTE = `The model is ${DEFAULT_MODEL.description}. ` +
  "The demo shows how well it answers ShapesBench items, and how fp16 changes its outputs " +
  "and its speed.";

async function parityLine(cacheDir: string): Promise<{ line: string; pass: boolean }> {
  const fixtureDir = `${FIXTURES_DIR}/reference/head-tiny`;
  if (!(await Deno.stat(fixtureDir).then(() => true, () => false))) {
    return { line: `parity skipped: no reference fixtures at ${FIXTURES_DIR}`, pass: true };
  }
  const fixture = await openFixture(fixtureDir);
  const runtime = await NanoVLMRuntime.load(await openCheckpoint(`${fixtureDir}/checkpoint`), {
    flavour: "inspect",
    cacheDir,
  });
  try {
    const report = await runParity(fixture, runtime);
    const worst = report.stages.reduce((a, b) => (b.rel > a.rel ? b : a), report.stages[0]);
    const greedy = report.greedy.single.pass && report.greedy.batch.pass;
    return {
      line: `parity with the original PyTorch code on head-tiny: ${
        report.pass ? "PASS" : "FAIL"
      } (${report.stages.length} stages, worst ${worst.name} at ${
        worst.rel.toExponential(1)
      } relative; greedy ids ${greedy ? "identical" : "DIFFERENT"})`,
      pass: report.pass,
    };
  } finally {
    await runtime.release();
  }
}

/** The `demo` command. */
export const demoCommand: Command = {
  name: "demo",
  summary: "the main job on the bundled model: eval fp32 vs fp16 on CPU, write the report",
  help: `usage: deno task demo [options]

Runs the whole job on the embedded default model, with no download:
  1. the \`demo\` suite (evals/suites/demo.json: a few ShapesBench items of every task kind,
     the pictures the model was trained on) over fp32 and fp16 on the CPU, with the eval harness (records, quality with 95%
     intervals, latency, paired comparison);
  2. the report: reports/demo/report.html (self-contained), report.md and figures/*.png, with
     the attention of one ShapesBench answer painted over its picture;
  3. when ../shared/fixtures is present, parity with the original PyTorch code.
The model is ${DEFAULT_MODEL.description}.

options:
  --out <dir>     where the eval output and the report go (default reports/demo; replaced)
  --limit <n>     at most n items per task (default: the suite's)
  --cache-dir <d> graphs and converted weights (default $NANOVLM_CACHE or ~/.cache/nanovlm-lab)
  --quiet         no progress output
  --debug         show stack traces on errors
  -h, --help      show this help`,
  async run(args) {
    const parsed = parseCommandArgs("demo", args, {
      out: { type: "string" },
      limit: { type: "string" },
      "cache-dir": { type: "string" },
      quiet: { type: "boolean" },
    });
    const out = stringOption(parsed, "out") ?? DEMO_OUT;
    const limit = integerOption(parsed, "limit", { min: 1 });
    const cacheDir = stringOption(parsed, "cache-dir") ?? defaultCacheDir();
    console.log(`nanovlm demo\n\n${DEMO_MODEL_NOTE}\n`);
    const { model, tokenizer } = await defaultModel();
    const suite = await loadSuite("demo");
    const cells = parseCells(["fp32,fp16"], ["cpu"]);
    console.log(
      `1. eval: suite ${suite.name} (${suite.tasks.map((t) => t.name).join(", ")}) on ${
        cells.map((c) => c.name).join(" and ")
      }`,
    );
    const start = performance.now();
    // Built beside `out` and renamed into place: no half-written report after an error or Ctrl-C.
    const figures = await writeAtomically(out, async (temp) => {
      const details = await runEval({
        suite,
        model,
        tokenizer,
        cells,
        out: temp,
        limit,
        cacheDir,
        // Responses are not cached: the demo measures the model's latency every time.
        useCache: false,
        labels: { model: DEFAULT_MODEL.label, tokenizer: DEFAULT_MODEL.tokenizer },
        progress: flag(parsed, "quiet") ? silentProgress : defaultProgress(),
      });
      console.log(`\n${formatEvalSummary(details.summary)}`);
      const shapes = suite.tasks.find((t) => t.kind === "vqa")!.dataset;
      const attention = await attentionFigure(
        model,
        tokenizer,
        cacheDir,
        attentionQuestion(shapes.items, shapes.dir),
      );
      const files = await writeReport(temp, {
        title: "nanovlm demo: fp32 vs fp16 on the CPU",
        notes: [DEMO_MODEL_NOTE],
        sections: [{ heading: "Attention", figures: [attention] }],
      });
      return files.figures.length;
    });
    console.log(
      `\n2. report (${((performance.now() - start) / 1000).toFixed(1)} s for eval + report):\n` +
        `   ${out}/report.html\n   ${out}/report.md, ${figures} PNG figures in ${out}/figures/`,
    );
    const parity = await parityLine(cacheDir);
    console.log(`\n3. ${parity.line}`);
    return parity.pass ? 0 : 1;
  },
};

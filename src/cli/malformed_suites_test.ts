/**
 * The malformed-input corpus for evaluation suites (issue 13 acceptance; the other command-line
 * cases are in `malformed_test.ts`): suite files that are not JSON, not regular or too large,
 * unknown task kinds, missing or empty datasets, duplicate names, out-of-range generation values,
 * prompt placeholder typos and bad cell lists. Each is a named error from `loadSuite` and, at the
 * command line, `eval` exits 2 with the message and its fix, before writing anything.
 */
import { loadSuite } from "../../evals/harness/mod.ts";
import { presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { assert, assertRejects, BYTE_LEVEL_TOKENIZER, withTempDir } from "../testing/mod.ts";
import { evalCommand } from "./eval.ts";
import { datasetShapesCommand } from "./dataset_shapes.ts";
import { runCaptured } from "./score_testing.ts";

/** One case: write a suite under `dir` (its path returned), run eval with `extra` options. */
interface Case {
  name: string;
  suite: (dir: string, dataset: string) => Promise<string>;
  extra?: string[];
  /** The case is in the suite file (so loadSuite itself must refuse it). */
  inFile: boolean;
  pattern: RegExp;
}

/** A suite file holding `value` (JSON-encoded unless a string). */
async function suiteFile(dir: string, value: unknown, name = "suite.json"): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
}

/** A one-task suite over `dataset` with `task`'s fields added. */
const oneTask = (dataset: string, task: Record<string, unknown> = {}) => ({
  name: "broken",
  tasks: [{ kind: "vqa", dataset, limit: 1, ...task }],
});

const CASES: Case[] = [
  {
    name: "a YAML suite file",
    suite: (dir) => suiteFile(dir, "name: broken\ntasks:\n  - kind: vqa\n", "suite.yaml"),
    inFile: true,
    pattern: /suite\.yaml: suite files are JSON, not YAML/,
  },
  {
    name: "YAML text in a .json file",
    suite: (dir) => suiteFile(dir, "name: broken\ntasks:\n  - kind: vqa\n"),
    inFile: true,
    pattern: /suite\.json: not valid JSON/,
  },
  {
    name: "a FIFO (would hang)",
    suite: async (dir) => {
      const { success } = await new Deno.Command("mkfifo", { args: [`${dir}/suite.json`] })
        .output();
      assert(success, "mkfifo");
      return `${dir}/suite.json`;
    },
    inFile: true,
    pattern: /suite file .*suite\.json is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: "a 9 MiB suite file",
    suite: (dir, dataset) => suiteFile(dir, JSON.stringify(oneTask(dataset)) + " ".repeat(9 << 20)),
    inFile: true,
    pattern: /suite\.json is 9\.0 MiB, over the 8\.0 MiB a suite file may hold/,
  },
  {
    name: "not UTF-8",
    suite: async (dir) => {
      await Deno.writeFile(`${dir}/suite.json`, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
      return `${dir}/suite.json`;
    },
    inFile: true,
    pattern: /suite file .*suite\.json is not UTF-8 text/,
  },
  {
    name: "an unknown task kind",
    suite: (dir, dataset) => suiteFile(dir, oneTask(dataset, { kind: "ocr" })),
    inFile: true,
    pattern: /tasks\[0\]\.kind must be one of caption, vqa, mcq, retrieval, got "ocr"/,
  },
  {
    name: "a missing dataset folder",
    suite: (dir) => suiteFile(dir, oneTask(`${dir}/no-such-dataset`)),
    inFile: true,
    pattern: /tasks\[0\]\.dataset names no dataset folder: .*no-such-dataset/,
  },
  {
    name: "a dataset with an empty manifest",
    suite: async (dir, dataset) => {
      await Deno.mkdir(`${dir}/ds`);
      await Deno.copyFile(`${dataset}/dataset.json`, `${dir}/ds/dataset.json`);
      await Deno.writeTextFile(`${dir}/ds/manifest.jsonl`, "");
      return suiteFile(dir, oneTask(`${dir}/ds`));
    },
    inFile: true,
    pattern: /manifest\.jsonl has no items: an empty dataset is not a dataset/,
  },
  {
    name: "duplicate task names",
    suite: (dir, dataset) =>
      suiteFile(dir, {
        name: "broken",
        tasks: [
          { name: "q", kind: "vqa", dataset },
          { name: "q", kind: "mcq", dataset },
        ],
      }),
    inFile: true,
    pattern: /tasks\[1\]\.name repeats "q"/,
  },
  {
    name: "no tasks",
    suite: (dir) => suiteFile(dir, { name: "broken", tasks: [] }),
    inFile: true,
    pattern: /suite\.json: tasks must be a non-empty list/,
  },
  {
    name: "generation topP 2",
    suite: (dir, dataset) => suiteFile(dir, oneTask(dataset, { generation: { topP: 2 } })),
    inFile: true,
    pattern: /tasks\[0\]\.generation\.topP must be in \(0, 1\], got 2/,
  },
  {
    name: "generation maxNewTokens -5",
    suite: (dir, dataset) =>
      suiteFile(dir, { ...oneTask(dataset), generation: { maxNewTokens: -5 } }),
    inFile: true,
    pattern: /suite\.json: generation\.maxNewTokens must be an integer >= 0, got -5/,
  },
  {
    name: "a prompt placeholder typo",
    suite: (dir, dataset) =>
      suiteFile(dir, oneTask(dataset, { prompt: "{questoin} Answer with one word." })),
    inFile: true,
    pattern:
      /tasks\[0\]\.prompt holds \{questoin\}, which is not a placeholder \(a prompt may hold \{question\} and \{hint\}\)/,
  },
  {
    name: "a bad precision list",
    suite: (dir, dataset) => suiteFile(dir, oneTask(dataset)),
    extra: ["--precision", "fp32,fp8"],
    inFile: false,
    pattern: /must be one of fp32, fp16, int8, int4; got "fp8"/,
  },
  {
    name: "an unknown device",
    suite: (dir, dataset) => suiteFile(dir, oneTask(dataset)),
    extra: ["--device", "cpu,tpu"],
    inFile: false,
    pattern: /--device: "tpu" is not one of cpu, cuda, auto/,
  },
];

/** Runs `eval`, returning its exit code and what it printed on stderr. */
async function runEval(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    const { code } = await runCaptured(evalCommand, args);
    return { code, stderr: lines.join("\n") };
  } finally {
    console.error = original;
  }
}

Deno.test(`malformed suites: ${CASES.length} cases, each a named error before any output`, async (t) => {
  await withTempDir(async (root) => {
    const ckpt = `${root}/ckpt`;
    const dataset = `${root}/dataset`;
    await synthesizeCheckpoint(presetConfig("tiny-v0.1"), ckpt, { seed: 0 });
    await runCaptured(datasetShapesCommand, ["--out", dataset, "--count", "2", "--seed", "1"]);
    for (const c of CASES) {
      await t.step(c.name, async () => {
        await withTempDir(async (dir) => {
          const suite = await c.suite(dir, dataset);
          if (c.inFile) await assertRejects(() => loadSuite(suite), InputError, c.pattern);
          const { code, stderr } = await runEval([
            "--suite",
            suite,
            "--model",
            ckpt,
            "--tokenizer",
            BYTE_LEVEL_TOKENIZER,
            "--cache-dir",
            `${dir}/cache`,
            "--out",
            `${dir}/out`,
            "--quiet",
            ...(c.extra ?? []),
          ]);
          assert(code === 2, `exit code ${code}, expected 2`);
          assert(c.pattern.test(stderr), `stderr does not match ${c.pattern}:\n${stderr}`);
          // A named error prints its fix; anything else says "unexpected internal error".
          assert(/^error: .*\n {2}fix: /s.test(stderr), `not a named error:\n${stderr}`);
          let wrote = true;
          try {
            await Deno.stat(`${dir}/out`);
          } catch {
            wrote = false;
          }
          assert(!wrote, "eval wrote its output folder before refusing");
        });
      });
    }
  });
});

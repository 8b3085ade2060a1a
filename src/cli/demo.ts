/**
 * `nanovlm demo`: the first thing to run. On the embedded default it shows the whole chain without
 * any download: a small checkpoint synthesized in the exact nanoVLM layout and described; ONNX
 * graphs built from it; a bundled photograph captioned end to end (random weights, so the text is
 * noise — the point is the path); and, when the reference fixtures are beside the repository,
 * parity with the original PyTorch code.
 *
 * @module
 */
import {
  checkpointInfo,
  openCheckpoint,
  presetConfig,
  synthesizeCheckpoint,
} from "../checkpoint/mod.ts";
import { FIXTURES_DIR, openFixture, runParity } from "../parity/mod.ts";
import { byteLevelTokenizerFiles, NanoVLM } from "../pipeline/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import { parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { formatInfo } from "./info.ts";

/** The bundled photograph the demo captions. */
export const DEMO_IMAGE: string = decodeURIComponent(
  new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The `demo` command. */
export const demoCommand: Command = {
  name: "demo",
  summary: "synthesize a checkpoint, build its graphs, caption a photo, check parity",
  help: `usage: deno task demo [--preset <name>]

Runs the whole chain on the embedded default, with no download:
  1. writes a random-init checkpoint (default preset tiny-current) in the original layout and
     describes it as \`nanovlm info\` does;
  2. builds its ONNX graphs and captions a bundled photograph (data/photos) with the byte-level
     stand-in tokenizer — random weights, so the words are noise;
  3. when ../shared/fixtures is present, checks parity with the original PyTorch code on the
     reference fixture of the same generation.

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
      console.log(`1. synthesized preset ${preset} (${synth.tensors} tensors)\n`);
      const ckpt = await openCheckpoint(out);
      console.log(formatInfo(checkpointInfo(ckpt)));

      const start = performance.now();
      const model = await NanoVLM.load(out, {
        tokenizer: byteLevelTokenizerFiles(),
        cacheDir: `${dir}/cache`,
      });
      const loaded = performance.now();
      try {
        const [result] = await model.generate([{ images: [DEMO_IMAGE], text: "What is this?" }], {
          maxNewTokens: 12,
        });
        console.log(
          `\n2. graphs built and loaded in ${(loaded - start).toFixed(0)} ms; captioned ${
            DEMO_IMAGE.split("/").slice(-3).join("/")
          } in ${(performance.now() - loaded).toFixed(0)} ms`,
        );
        console.log(`   tokens ${result.tokens.join(" ")}`);
        console.log(`   text   ${JSON.stringify(result.text)} (random weights: noise by design)`);
      } finally {
        await model.release();
      }

      const fixtureName = {
        "v0.1": "v0.1-tiny",
        "v0.2": "v0.2-tiny",
        "current": "head-tiny",
      }[ckpt.config.generation];
      const fixtureDir = `${FIXTURES_DIR}/reference/${fixtureName}`;
      if (await exists(fixtureDir)) {
        const fixture = await openFixture(fixtureDir);
        const runtime = await NanoVLMRuntime.load(
          await openCheckpoint(`${fixtureDir}/checkpoint`),
          {
            flavour: "inspect",
            cacheDir: `${dir}/cache`,
          },
        );
        try {
          const report = await runParity(fixture, runtime);
          const worst = report.stages.reduce((a, b) => (b.rel > a.rel ? b : a), report.stages[0]);
          console.log(
            `\n3. parity with the original PyTorch code on ${fixtureName}: ${
              report.pass ? "PASS" : "FAIL"
            } — ${report.stages.length} stages, worst ${worst.name} at ${
              worst.rel.toExponential(1)
            } relative; greedy ids ${
              report.greedy.single.pass && report.greedy.batch.pass ? "identical" : "DIFFERENT"
            }`,
          );
          console.log(`   (full table: deno task nanovlm parity ${fixtureDir})`);
          if (!report.pass) return 1;
        } finally {
          await runtime.release();
        }
      } else {
        console.log(`\n3. parity skipped: no reference fixtures at ${FIXTURES_DIR}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    return 0;
  },
};

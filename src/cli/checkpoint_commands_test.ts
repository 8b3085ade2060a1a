import { configToJson, presetConfig } from "../checkpoint/mod.ts";
import { ConfigError, InputError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";
import { infoCommand } from "./info.ts";
import { synthCommand } from "./synth.ts";

/** Runs a command and returns what it printed with console.log. */
async function captured(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    return { code: await run(), out: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

const GENERATION = { "v0.1-tiny": "v0.1", "v0.2-tiny": "v0.2", "head-tiny": "current" };

for (const fixture of REFERENCE_FIXTURES) {
  fixtureTest(`cli info --json: ${fixture} counts match the manifest`, async () => {
    const dir = fixturePath("reference", fixture, "checkpoint");
    const manifest = JSON.parse(
      await Deno.readTextFile(fixturePath("reference", fixture, "manifest.json")),
    );
    const { code, out } = await captured(() => infoCommand.run([dir, "--json"]));
    assertEquals(code, 0);
    const info = JSON.parse(out);
    assertEquals(info.generation, GENERATION[fixture]);
    assertEquals(info.parameters.total, manifest.checkpoint.n_parameters_unique);
    assertEquals(info.tensors, manifest.checkpoint["model.safetensors"].n_tensors);
    assertEquals(info.imageTokensPerImage, 16); // (64 / 8 / 2)^2, fixtures README
    assertEquals(info.fileBytes, manifest.checkpoint["model.safetensors"].bytes);
    assertEquals(info.vocabSize, manifest.config.lm_vocab_size);
  });

  fixtureTest(
    `cli synth --config: ${fixture}'s config.json is written byte-identically`,
    async () => {
      await withTempDir(async (dir) => {
        const config = fixturePath("reference", fixture, "checkpoint", "config.json");
        const { code } = await captured(() =>
          synthCommand.run(["--config", config, "--out", `${dir}/out`, "--seed", "4"])
        );
        assertEquals(code, 0);
        assertEquals(
          await Deno.readFile(`${dir}/out/config.json`),
          await Deno.readFile(config),
        );
      });
    },
  );
}

Deno.test("cli info: human-readable text names the generation, parameters and geometry", async () => {
  await withTempDir(async (dir) => {
    await captured(() => synthCommand.run(["--preset", "tiny-current", "--out", dir]));
    const { out } = await captured(() => infoCommand.run([dir]));
    assert(out.includes("generation   current"), out);
    assert(
      out.includes("parameters   239,872 (vision 116,544, projector 16,384, decoder 106,944)"),
      out,
    );
    assert(out.includes("-> 16 tokens per image"), out);
    assert(out.includes("up to 9 tiles + 1 global image"), out); // 192 / 64 = 3 -> 3x3 tiles
  });
});

Deno.test("cli synth: refuses a non-empty folder without --force, bad options are InputErrors", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/x`, "");
    await assertRejects(
      () => synthCommand.run(["--preset", "tiny-v0.1", "--out", dir]),
      InputError,
      /is not empty; refusing to overwrite it/,
    );
    await assertRejects(
      () => synthCommand.run(["--preset", "nope", "--out", `${dir}/a`]),
      InputError,
      /unknown preset "nope"/,
    );
    await assertRejects(
      () => synthCommand.run(["--preset", "tiny-v0.1", "--config", "c.json", "--out", `${dir}/a`]),
      InputError,
      /exactly one of --preset and --config/,
    );
    await assertRejects(
      () => synthCommand.run(["--preset", "tiny-v0.1", "--out", `${dir}/a`, "--seed=-1"]),
      InputError,
      /--seed must be an integer >= 0/,
    );
    const { code } = await captured(() =>
      synthCommand.run(["--preset", "tiny-v0.1", "--out", dir, "--force"])
    );
    assertEquals(code, 0);
  });
});

Deno.test("cli synth: an absurd config is refused before writing; --max-gib sets the bound", async () => {
  await withTempDir(async (dir) => {
    // lm_hidden_dim 16,384 and lm_vocab_size 2^21 (each within its bound): 144 GB of weights.
    const huge = { ...presetConfig("tiny-v0.1"), lm_hidden_dim: 1 << 14, lm_vocab_size: 1 << 21 };
    await Deno.writeTextFile(`${dir}/config.json`, configToJson(huge));
    await assertRejects(
      () => synthCommand.run(["--config", `${dir}/config.json`, "--out", `${dir}/out`]),
      ConfigError,
      /weights take 144 GB in float32 .* over the 16 GiB synth writes at most/,
    );
    await assertRejects(
      () => synthCommand.run(["--preset", "tiny-v0.1", "--out", `${dir}/out`, "--max-gib", "0"]),
      InputError,
      /--max-gib must be a number/,
    );
    // tiny-v0.1 is about 1 MB: a bound of 1/2048 GiB (512 KiB) refuses it, 1/512 GiB takes it.
    await assertRejects(
      () =>
        synthCommand.run([
          "--preset",
          "tiny-v0.1",
          "--out",
          `${dir}/out`,
          "--max-gib",
          "0.00048828125",
        ]),
      ConfigError,
      /over the 0\.00048828125 GiB synth writes at most/,
    );
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["config.json"]);
    const { code } = await captured(() =>
      synthCommand.run(["--preset", "tiny-v0.1", "--out", `${dir}/out`, "--max-gib", "0.001953125"])
    );
    assertEquals(code, 0);
  });
});

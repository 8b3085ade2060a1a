import { InputError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  BYTE_LEVEL_TOKENIZER,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { askCommand } from "./ask.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile } from "./task_testing.ts";

/** A copy of the v0.2-tiny fixture whose config allows only `maxPositions` positions. */
async function shortContextModel(dir: string, maxPositions: number): Promise<string> {
  const source = fixturePath("reference", "v0.2-tiny", "checkpoint");
  const target = `${dir}/short`;
  await Deno.mkdir(target);
  await Deno.copyFile(`${source}/model.safetensors`, `${target}/model.safetensors`);
  const config = await Deno.readTextFile(`${source}/config.json`);
  await Deno.writeTextFile(
    `${target}/config.json`,
    config.replace(
      /"lm_max_position_embeddings": \d+/,
      `"lm_max_position_embeddings": ${maxPositions}`,
    ),
  );
  return target;
}

/** Runs `ask` capturing stdout and the warnings. */
async function askCaptured(args: string[]) {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...parts: unknown[]) => warnings.push(parts.join(" "));
  try {
    return { ...(await runCaptured(askCommand, args)), warnings };
  } finally {
    console.warn = warn;
  }
}

fixtureTest(
  "ask: a prompt over the model's positions is cut with a warning, or refused",
  async () => {
    await withTempDir(async (dir) => {
      // v0.2-tiny: its image tokens plus the question in bytes are well over 120 positions.
      const model = await shortContextModel(dir, 120);
      const question = "Is it ".repeat(30) + "red?";
      const args = [
        "--model",
        model,
        "--tokenizer",
        BYTE_LEVEL_TOKENIZER,
        "--cache-dir",
        `${dir}/cache`,
        "--image",
        fixtureFile("v0.2-tiny", "image_a.png"),
        "--question",
        question,
        "--max-new-tokens",
        "2",
        "--json",
      ];
      const cut = await askCaptured(args);
      assertEquals(cut.code, 0);
      assertEquals(cut.warnings.length, 1, cut.warnings.join("\n"));
      const removed = Number(cut.warnings[0].match(/cut (\d+) token\(s\) from the left/)?.[1]);
      assert(removed > 50, cut.warnings[0]);
      assert(cut.warnings[0].includes("maximum length 120"), cut.warnings[0]);

      const right = await askCaptured([...args, "--truncate", "right"]);
      assert(
        right.warnings[0].includes(`cut ${removed} token(s) from the right`),
        right.warnings[0],
      );

      const smaller = await askCaptured([...args, "--max-length", "110"]);
      assert(smaller.warnings[0].includes(`cut ${removed + 10} token(s)`), smaller.warnings[0]);

      await assertRejects(
        () => askCaptured([...args, "--truncate", "error"]),
        InputError,
        /needs \d+ positions, over the maximum length 120/,
      );
      await assertRejects(
        () => askCaptured([...args, "--truncate", "middle"]),
        InputError,
        /--truncate must be one of left, right, error/,
      );
    });
  },
);

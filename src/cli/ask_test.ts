import { openCheckpoint } from "../checkpoint/mod.ts";
import { loadTokenizer } from "../pipeline/mod.ts";
import {
  assertEquals,
  BYTE_LEVEL_TOKENIZER,
  fixtureManifest,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";
import { askCommand } from "./ask.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `ask ${name} --json: text and tokens are the fixture's 12 greedy tokens`,
    async () => {
      const manifest = fixtureManifest(name);
      const expected = manifest.cases.greedy.raw_argmax_ids ?? manifest.cases.greedy.generated_ids;
      const config = (await openCheckpoint(fixtureFile(name, "checkpoint"))).config;
      const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, config);
      await withTempDir(async (dir) => {
        const { code, stdout } = await runCaptured(askCommand, [
          ...modelArgs(name, dir),
          "--image",
          fixtureFile(name, "image_a.png"),
          "--question",
          "What is this?",
          "--max-new-tokens",
          "12",
          "--json",
        ]);
        assertEquals(code, 0);
        const output = JSON.parse(stdout);
        assertEquals(output.tokens, expected);
        assertEquals(output.text, tokenizer.decode(expected));
        assertEquals(output.stopReason, "length");
      });
    },
  );
}

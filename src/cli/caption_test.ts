import { InputError } from "../errors.ts";
import { assert, assertEquals, assertRejects, fixtureTest, withTempDir } from "../testing/mod.ts";
import { askCommand } from "./ask.ts";
import { captionCommand } from "./caption.ts";
import { terminal } from "./generation_output.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

const NAME = "head-tiny";

fixtureTest("caption: plain text, streamed text to a terminal, and --json agree", async () => {
  await withTempDir(async (dir) => {
    const args = [
      ...modelArgs(NAME, dir),
      "--image",
      fixtureFile(NAME, "image_b.png"),
      "--max-new-tokens",
      "8",
    ];
    const json = JSON.parse((await runCaptured(captionCommand, [...args, "--json"])).stdout);
    assertEquals(json.tokens.length, 8);
    const original = { ...terminal };
    const chunks: string[] = [];
    terminal.isTerminal = () => false;
    try {
      const plain = await runCaptured(captionCommand, args);
      assertEquals(plain.stdout, json.text);
      terminal.isTerminal = () => true;
      terminal.write = (text) => chunks.push(text);
      const streamed = await runCaptured(captionCommand, args);
      assertEquals(streamed.stdout, "");
      assertEquals(chunks.join(""), `${json.text}\n`);
    } finally {
      Object.assign(terminal, original);
    }
  });
});

fixtureTest("caption --num-beams 3 --num-return-sequences 2: two scored sequences", async () => {
  await withTempDir(async (dir) => {
    const { stdout } = await runCaptured(captionCommand, [
      ...modelArgs("v0.2-tiny", dir),
      "--image",
      fixtureFile("v0.2-tiny", "image_a.png"),
      "--max-new-tokens",
      "4",
      "--num-beams",
      "3",
      "--num-return-sequences",
      "2",
      "--json",
    ]);
    const output = JSON.parse(stdout);
    assertEquals(output.sequences.length, 2);
    assertEquals(output.tokens, output.sequences[0].tokens);
    assert(output.sequences[0].score >= output.sequences[1].score);
  });
});

/** Runs `caption` (or `ask`) on the v0.1 fixture with extra args, expecting an InputError. */
async function rejects(extra: string[], pattern: RegExp, command = captionCommand) {
  await withTempDir(async (dir) => {
    const args = [
      ...modelArgs("v0.1-tiny", dir),
      "--image",
      fixtureFile("v0.1-tiny", "image_a.png"),
    ];
    await assertRejects(() => runCaptured(command, [...args, ...extra]), InputError, pattern);
  });
}

fixtureTest("caption/ask: bad options are clear errors before anything runs", async () => {
  await rejects(["--top-p", "1.5"], /--top-p must be in \(0, 1\], got "1\.5"/);
  await rejects(["--top-p", "0"], /--top-p must be in \(0, 1\]/);
  await rejects(["--num-beams", "0"], /--num-beams must be an integer >= 1/);
  // A separate "-1" looks like an option to the parser; both spellings are errors.
  await rejects(["--max-new-tokens", "-1"], /--max-new-tokens/);
  await rejects(["--max-new-tokens=-1"], /--max-new-tokens must be an integer >= 0/);
  await rejects(["--min-new-tokens=-3"], /--min-new-tokens must be an integer >= 0/);
  await rejects(["--temperature=-1"], /--temperature/);
  await rejects(
    ["--precision", "fp8"],
    /--precision must be one of fp32, fp16, int8, int4; got "fp8"/,
  );
  await rejects(["--device", "tpu"], /--device must be one of cpu, cuda, webgpu, auto/);
  await rejects(["--num-return-sequences", "2"], /needs at least as many beams/);
  await rejects(["--stop", ""], /--stop/);
  await rejects(["--frobnicate"], /frobnicate/);
  await rejects(["stray.png"], /unexpected argument "stray.png"/);
  await rejects([], /--question is required/, askCommand);
});

fixtureTest("caption/ask: missing model, tokenizer or image, and a wrong image count", async () => {
  await assertRejects(
    () => runCaptured(captionCommand, ["--image", "x.png"]),
    InputError,
    /--model is required/,
  );
  await withTempDir(async (dir) => {
    const [model, checkpoint] = modelArgs("v0.1-tiny", dir);
    await assertRejects(
      () => runCaptured(captionCommand, [model, checkpoint, "--image", "x.png"]),
      InputError,
      /no tokenizer given/,
    );
  });
  await withTempDir(async (dir) => {
    await assertRejects(
      () => runCaptured(captionCommand, modelArgs("v0.1-tiny", dir)),
      InputError,
      /--image is required/,
    );
  });
  const image = fixtureFile("v0.1-tiny", "image_a.png");
  await rejects(["--image", image], /v0.1 prompt takes exactly one image, got 2/);
  await rejects(["--question", "Two?", "--image", image], /exactly one image, got 2/, askCommand);
});

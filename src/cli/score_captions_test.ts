import { assert, assertClose, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { InputError } from "../errors.ts";
import { scoreCaptionsCommand } from "./score_captions.ts";
import { runCaptured, writeJson } from "./score_testing.ts";

// Raw captions that PTB-tokenize to metrics.md's vector C1 ("red circle"/"blue square" refs,
// "red circle"/"blue circle" candidates): CIDEr-D 5.0 and 1.25 by hand, corpus 3.125; BLEU-1 of
// image 2 = 1/2, ROUGE-L of image 2 = 1/2.
const COCO_REFS = {
  images: [{ id: 1 }, { id: 2 }],
  annotations: [
    { id: 10, image_id: 1, caption: "Red circle." },
    { id: 11, image_id: 2, caption: '"Blue" square!' },
  ],
};
const PREDS = [{ image_id: 1, caption: "red circle" }, { image_id: 2, caption: "Blue circle..." }];

function checkC1(output: Record<string, unknown>) {
  const { corpus, perItem } = output as {
    corpus: Record<string, number>;
    perItem: Record<string, Record<string, number>>;
  };
  assertEquals(Object.keys(corpus), ["bleu1", "bleu2", "bleu3", "bleu4", "ciderD", "rougeL"]);
  assertEquals(Object.keys(perItem), ["1", "2"]);
  assertClose(corpus.ciderD, 3.125, 1e-12);
  assertClose(perItem["1"].ciderD, 5, 1e-12);
  assertClose(perItem["2"].ciderD, 1.25, 1e-12);
  assertClose(perItem["2"].bleu1, 0.5, 1e-8);
  assertClose(perItem["2"].rougeL, 0.5, 1e-12);
}

Deno.test("score captions: COCO annotations + results, --json", async () => {
  await withTempDir(async (dir) => {
    const refs = await writeJson(dir, "refs.json", COCO_REFS);
    const preds = await writeJson(dir, "preds.json", PREDS);
    const { code, stdout } = await runCaptured(scoreCaptionsCommand, [
      "--refs",
      refs,
      "--preds",
      preds,
      "--json",
    ]);
    assertEquals(code, 0);
    checkC1(JSON.parse(stdout));
  });
});

Deno.test("score captions: manifest folder form and the table output", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/dataset.json`,
      JSON.stringify({
        name: "t",
        version: "1",
        tasks: ["caption"],
        license: "CC0-1.0",
        source: "test",
      }),
    );
    await Deno.writeTextFile(
      `${dir}/manifest.jsonl`,
      [
        {
          id: "c1",
          task: "caption",
          image: "images/1.png",
          image_id: 1,
          references: ["Red circle."],
        },
        {
          id: "c2",
          task: "caption",
          image: "images/2.png",
          image_id: 2,
          references: ['"Blue" square!'],
        },
      ].map((line) => JSON.stringify(line)).join("\n") + "\n",
    );
    const preds = await writeJson(dir, "preds.json", PREDS);
    const json = await runCaptured(scoreCaptionsCommand, [
      "--refs",
      dir,
      "--preds",
      preds,
      "--json",
    ]);
    checkC1(JSON.parse(json.stdout));
    const table = await runCaptured(scoreCaptionsCommand, ["--refs", dir, "--preds", preds]);
    assert(/ciderD\s+3\.1250/.test(table.stdout), table.stdout);
  });
});

Deno.test("score captions: --tokenize none scores the text as given", async () => {
  await withTempDir(async (dir) => {
    const refs = await writeJson(dir, "refs.json", COCO_REFS);
    const preds = await writeJson(dir, "preds.json", PREDS);
    const { stdout } = await runCaptured(scoreCaptionsCommand, [
      "--refs",
      refs,
      "--preds",
      preds,
      "--tokenize",
      "none",
      "--json",
    ]);
    // Untokenized, "Red circle." and "red circle" share no token: ROUGE-L of image 1 is 0.
    assertEquals(JSON.parse(stdout).perItem["1"].rougeL, 0);
  });
});

Deno.test("score captions: errors name the file, the item and the field", async () => {
  await withTempDir(async (dir) => {
    const refs = await writeJson(dir, "refs.json", COCO_REFS);
    const run = (args: string[]) => () => runCaptured(scoreCaptionsCommand, args);
    const bad = await writeJson(dir, "bad.json", [{ image_id: 1, caption: "x" }, { image_id: 2 }]);
    await assertRejects(
      run(["--refs", refs, "--preds", bad]),
      InputError,
      /bad\.json: \[1\]\.caption must be a string/,
    );
    const extra = await writeJson(dir, "extra.json", [...PREDS, { image_id: 3, caption: "x" }]);
    await assertRejects(
      run(["--refs", refs, "--preds", extra]),
      InputError,
      /images not in .*refs\.json \(first: 3\)/,
    );
    const partial = await writeJson(dir, "partial.json", PREDS.slice(0, 1));
    await assertRejects(
      run(["--refs", refs, "--preds", partial]),
      InputError,
      /no prediction for 1 image/,
    );
    const subset = await runCaptured(scoreCaptionsCommand, [
      "--refs",
      refs,
      "--preds",
      partial,
      "--subset",
      "--json",
    ]);
    assertEquals(Object.keys(JSON.parse(subset.stdout).perItem), ["1"]);
    const broken = await writeJson(dir, "broken.json", "{not json");
    await assertRejects(
      run(["--refs", broken, "--preds", partial]),
      InputError,
      /broken\.json is not valid JSON/,
    );
    await assertRejects(
      run(["--refs", `${dir}/missing.json`, "--preds", partial]),
      InputError,
      /file not found: .*missing\.json/,
    );
    await assertRejects(run(["--refs", refs]), InputError, /--refs and --preds are required/);
    await assertRejects(
      run(["--refs", refs, "--preds", partial, "--tokenize", "x"]),
      InputError,
      /--tokenize/,
    );
  });
});

// The score commands read what the other commands and the dataset format give them: a dataset
// folder with per-item JSONL predictions (eval records), and `retrieve --json` through a pipe.
import {
  loadDataset,
  type ManifestItem,
  toCocoCaptionResults,
  toCocoCaptions,
} from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { retrieveCommand } from "./retrieve.ts";
import { scoreCaptionsCommand } from "./score_captions.ts";
import { scoreMcqCommand } from "./score_mcq.ts";
import { scoreRetrievalCommand } from "./score_retrieval.ts";
import { runCaptured, writeJson } from "./score_testing.ts";
import { scoreVqaCommand } from "./score_vqa.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

const SHAPES = new URL("../../data/shapesbench", import.meta.url).pathname;

type Of<T extends ManifestItem["task"]> = Extract<ManifestItem, { task: T }>;

async function shapes() {
  const dataset = await loadDataset(SHAPES, { checkImages: false });
  const of = <T extends ManifestItem["task"]>(task: T) =>
    dataset.items.filter((i): i is Of<T> => i.task === task);
  return { dataset, of };
}

/** Writes `{"id", "prediction"}` lines (with a task field, as eval records have). */
async function writeRecords(
  dir: string,
  records: { id: string; task: string; prediction: string }[],
) {
  const path = `${dir}/records.jsonl`;
  await Deno.writeTextFile(path, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}

Deno.test("score captions: a dataset folder + records JSONL equals the COCO files it exports to", async () => {
  const { dataset, of } = await shapes();
  const captions = of("caption");
  const vqa = of("vqa");
  // Each image gets its own last reference as prediction; vqa lines in the file are skipped.
  const records = [
    ...captions.map((item) => ({
      id: item.id,
      task: "caption",
      prediction: item.references.at(-1)!,
    })),
    ...vqa.slice(0, 3).map((item) => ({ id: item.id, task: "vqa", prediction: "red" })),
  ];
  await withTempDir(async (dir) => {
    const jsonl = await writeRecords(dir, records);
    const viaDataset = JSON.parse(
      (await runCaptured(scoreCaptionsCommand, ["--refs", SHAPES, "--preds", jsonl, "--json"]))
        .stdout,
    );
    const refs = await writeJson(dir, "refs.json", toCocoCaptions(captions));
    const preds = await writeJson(
      dir,
      "preds.json",
      toCocoCaptionResults(dataset.items, records.filter((r) => r.task === "caption")),
    );
    const viaCoco = JSON.parse(
      (await runCaptured(scoreCaptionsCommand, ["--refs", refs, "--preds", preds, "--json"]))
        .stdout,
    );
    assertEquals(viaDataset.corpus, viaCoco.corpus);
    assert(viaDataset.corpus.bleu1 > 0.5, "a reference scored against the others");
    // manifest.jsonl names the same dataset.
    const viaManifest = JSON.parse(
      (await runCaptured(scoreCaptionsCommand, [
        "--refs",
        `${SHAPES}/manifest.jsonl`,
        "--preds",
        jsonl,
        "--json",
      ])).stdout,
    );
    assertEquals(viaManifest.corpus, viaDataset.corpus);
  });
});

Deno.test("score vqa and score mcq read a dataset folder and records: hand-counted accuracies", async () => {
  const { of } = await shapes();
  const vqa = of("vqa");
  const mcq = of("mcq");
  // VQA: every answer right but the first (ShapesBench's ten answers are identical: 1 or 0 each).
  // MCQ: letters as a model writes them; the first two wrong, one with no letter at all.
  const wrong = (answer: string) => (answer === "A" ? "B" : "A");
  const records = [
    ...vqa.map((item, i) => ({
      id: item.id,
      task: "vqa",
      prediction: i === 0 ? "no such answer" : item.answers[0],
    })),
    ...mcq.map((item, i) => ({
      id: item.id,
      task: "mcq",
      prediction: i === 0
        ? `(${wrong(item.answer)})`
        : i === 1
        ? "I cannot tell"
        : `${item.answer}.`,
    })),
  ];
  await withTempDir(async (dir) => {
    const jsonl = await writeRecords(dir, records);
    const vqaResult = JSON.parse(
      (await runCaptured(scoreVqaCommand, ["--annotations", SHAPES, "--preds", jsonl, "--json"]))
        .stdout,
    );
    assertClose(vqaResult.accuracy, (vqa.length - 1) / vqa.length, 1e-12);
    const mcqResult = JSON.parse(
      (await runCaptured(scoreMcqCommand, ["--dataset", SHAPES, "--preds", jsonl, "--json"]))
        .stdout,
    );
    assertClose(mcqResult.accuracy, (mcq.length - 2) / mcq.length, 1e-12);
    assertEquals(mcqResult.perItem[mcq[1].id], { extracted: "", correct: 0 });
    const categories = new Set(mcq.map((item) => item.category ?? ""));
    assertEquals(Object.keys(mcqResult.perCategory).length, categories.size);

    const partial = await writeRecords(dir, records.slice(0, 5));
    await assertRejects(
      () => runCaptured(scoreMcqCommand, ["--dataset", SHAPES, "--preds", partial]),
      InputError,
      /no prediction for \d+ mcq item/,
    );
    const stranger = await writeRecords(dir, [{ id: "nope-1", task: "mcq", prediction: "A" }]);
    await assertRejects(
      () => runCaptured(scoreVqaCommand, ["--annotations", SHAPES, "--preds", stranger]),
      InputError,
      /1 prediction\(s\) for items not in/,
    );
    await assertRejects(
      () => runCaptured(scoreVqaCommand, ["--annotations", `${dir}/none.json`, "--preds", jsonl]),
      InputError,
      /VQA annotations file not found/,
    );
  });
});

fixtureTest("retrieve --json | score retrieval --scores -: the pipe equals the file", async () => {
  const images = ["image_a.png", "image_b.png"].map((f) => fixtureFile("head-tiny", f));
  await withTempDir(async (dir) => {
    const retrieved = await runCaptured(retrieveCommand, [
      ...modelArgs("head-tiny", dir),
      ...images.flatMap((i) => ["--image", i]),
      ...["a dog", "a cat", "red", "blue"].flatMap((t) => ["--text", t]),
      "--json",
    ]);
    assertEquals(JSON.parse(retrieved.stdout).captionsPerImage, 2);
    const file = await writeJson(dir, "retrieved.json", retrieved.stdout);
    const fromFile = JSON.parse(
      (await runCaptured(scoreRetrievalCommand, ["--scores", file, "--json"])).stdout,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        new URL("./main.ts", import.meta.url).pathname,
        "score",
        "retrieval",
        "--scores",
        "-",
        "--json",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(retrieved.stdout));
    await writer.close();
    const out = await child.output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), fromFile);
    // 2 images × 2 captions: R@10 is 100% both ways.
    assertEquals([fromFile.i2t["R@10"], fromFile.t2i["R@10"]], [100, 100]);
  });
});

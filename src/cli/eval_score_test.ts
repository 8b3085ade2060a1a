import { assertEquals, withTempDir } from "../testing/mod.ts";
import { loadDataset, type ManifestItem } from "../../evals/datasets/mod.ts";
import { defaultModel } from "../../evals/harness/mod.ts";
import { cellRecords, cli, readSummary } from "./eval_testing.ts";

const DATA = (name: string) => new URL(`../../data/${name}`, import.meta.url).pathname;

type Item<K> = Extract<ManifestItem, { task: K }>;

/** Runs `score <what> … --json` on files written from the records and returns its JSON. */
async function score(args: string[], cache: string): Promise<Record<string, unknown>> {
  const result = await cli(["score", ...args, "--json"], cache);
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

async function checkAgainstScore(
  dir: string,
  dataset: string,
  out: string,
  cache: string,
): Promise<number> {
  const { items } = await loadDataset(DATA(dataset));
  const byId = new Map(items.map((item) => [item.id, item]));
  const summary = await readSummary(out);
  const records = await cellRecords(out);
  let checked = 0;
  for (const [task, result] of Object.entries(summary.cells[0].tasks)) {
    const taskRecords = records.filter((r) => r.task === task);
    if (result.kind === "caption") {
      const preds = taskRecords.map((r) => ({
        image_id: byId.get(r.id)!.image_id,
        caption: r.prediction,
      }));
      await Deno.writeTextFile(`${dir}/${task}.json`, JSON.stringify(preds));
      const scored = await score([
        "captions",
        "--refs",
        DATA(dataset),
        "--preds",
        `${dir}/${task}.json`,
        "--subset",
      ], cache);
      assertEquals(result.metrics, scored.corpus, `${dataset} ${task}`);
    } else if (result.kind === "vqa") {
      const vqa = taskRecords.map((r) => byId.get(r.id) as Item<"vqa">);
      await Deno.writeTextFile(
        `${dir}/${task}-ann.json`,
        JSON.stringify({
          annotations: vqa.map((q) => ({
            question_id: q.question_id,
            answers: q.answers,
            answer_type: q.answer_type,
          })),
        }),
      );
      const preds = taskRecords.map((r, i) => ({
        question_id: vqa[i].question_id,
        answer: r.prediction,
      }));
      await Deno.writeTextFile(`${dir}/${task}.json`, JSON.stringify(preds));
      const scored = await score([
        "vqa",
        "--annotations",
        `${dir}/${task}-ann.json`,
        "--preds",
        `${dir}/${task}.json`,
      ], cache);
      assertEquals(result.metrics.accuracy, scored.accuracy, `${dataset} ${task}`);
    } else if (result.kind === "mcq") {
      const preds = taskRecords.map((r) => JSON.stringify({ id: r.id, prediction: r.prediction }));
      await Deno.writeTextFile(`${dir}/${task}.jsonl`, preds.join("\n") + "\n");
      const scored = await score([
        "mcq",
        "--dataset",
        DATA(dataset),
        "--preds",
        `${dir}/${task}.jsonl`,
        "--subset",
      ], cache);
      assertEquals(result.metrics.accuracy, scored.accuracy, `${dataset} ${task}`);
      assertEquals(result.metrics.macroAccuracy, scored.macroAccuracy, `${dataset} ${task}`);
    } else if (result.kind === "retrieval") {
      const scores = taskRecords.map((r) => r.row!);
      await Deno.writeTextFile(
        `${dir}/${task}.json`,
        JSON.stringify({ scores, captionsPerImage: 2 }),
      );
      const scored = await score(["retrieval", "--scores", `${dir}/${task}.json`], cache) as Record<
        string,
        Record<string, number>
      >;
      for (const direction of ["i2t", "t2i"]) {
        for (const metric of ["R@1", "R@5", "R@10", "medianRank", "meanRank", "mrr"]) {
          assertEquals(
            result.metrics[`${direction}.${metric}`],
            scored[direction][metric],
            `${task} ${direction}.${metric}`,
          );
        }
      }
      assertEquals(result.metrics.rsum, scored.rsum as unknown as number);
    }
    checked++;
  }
  return checked;
}

Deno.test("eval: the summary's metrics equal `score` run on the records' predictions (ShapesBench, photos)", async () => {
  await withTempDir(async (dir) => {
    const cache = `${dir}/cache`;
    const shapes = await cli(
      ["eval", "--suite", "smoke", "--quiet", "--out", `${dir}/shapes`],
      cache,
    );
    assertEquals(shapes.code, 0, shapes.stderr);
    assertEquals(await checkAgainstScore(dir, "shapesbench", `${dir}/shapes`, cache), 5);
    const photos = await cli([
      "eval",
      "--dataset",
      DATA("photos"),
      "--limit",
      "4",
      "--max-new-tokens",
      "6",
      "--quiet",
      "--out",
      `${dir}/photos`,
    ], cache);
    assertEquals(photos.code, 0, photos.stderr);
    assertEquals(await checkAgainstScore(dir, "photos", `${dir}/photos`, cache), 3);
  });
});

Deno.test("eval --dataset: each record equals what caption / ask / choose print for its item", async () => {
  await withTempDir(async (dir) => {
    const cache = `${dir}/cache`;
    const out = `${dir}/photos`;
    const run = await cli([
      "eval",
      "--dataset",
      DATA("photos"),
      "--limit",
      "1",
      "--max-new-tokens",
      "6",
      "--quiet",
      "--out",
      out,
    ], cache);
    assertEquals(run.code, 0, run.stderr);
    const { model, tokenizer } = await defaultModel();
    const { items } = await loadDataset(DATA("photos"));
    const common = [
      "--model",
      model,
      "--tokenizer",
      tokenizer,
      "--max-new-tokens",
      "6",
      "--json",
    ];
    const image = (id: string) => `${DATA("photos")}/${items.find((i) => i.id === id)!.image}`;
    const command = async (args: string[]) => {
      const result = await cli(args, cache);
      assertEquals(result.code, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const records = await cellRecords(out);
    const caption = records.find((r) => r.kind === "caption")!;
    const printed = await command(["caption", ...common, "--image", image(caption.id)]);
    assertEquals([caption.prediction, caption.tokens], [printed.text, printed.tokens]);
    const vqa = records.find((r) => r.kind === "vqa")!;
    const question = (items.find((i) => i.id === vqa.id) as Item<"vqa">).question;
    assertEquals(vqa.prompt, question);
    const answered = await command([
      "ask",
      ...common,
      "--image",
      image(vqa.id),
      "--question",
      question,
    ]);
    assertEquals([vqa.prediction, vqa.tokens], [answered.text, answered.tokens]);
    const mcq = records.find((r) => r.kind === "mcq")!;
    const item = items.find((i) => i.id === mcq.id) as Item<"mcq">;
    const chosen = await command([
      "choose",
      ...common,
      "--image",
      image(mcq.id),
      "--question",
      item.question,
      ...Object.values(item.options!).flatMap((o) => ["--option", o]),
    ]);
    assertEquals(mcq.prediction, String.fromCharCode(65 + chosen.index));
    assertEquals(mcq.options!.map((o) => o.sum), chosen.scores.map((s: { sum: number }) => s.sum));
  });
});

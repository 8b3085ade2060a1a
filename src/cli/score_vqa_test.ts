import { assert, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { InputError } from "../errors.ts";
import { scoreVqaCommand } from "./score_vqa.ts";
import { runCaptured, writeJson } from "./score_testing.ts";

const answers = (list: string[]) =>
  list.map((answer, i) => ({ answer, answer_confidence: "yes", answer_id: i + 1 }));

// Question 1: ten "yes", predicted "Yes" (metrics.md V7: official 0, lmms 1).
// Question 2: gray×7 / grey×3, predicted "grey" (V13: 0.9 in both).
const ANNOTATIONS = {
  annotations: [
    { question_id: 1, answer_type: "yes/no", answers: answers(Array(10).fill("yes")) },
    {
      question_id: 2,
      answer_type: "other",
      answers: [...Array(7).fill("gray"), ...Array(3).fill("grey")],
    },
  ],
};
const PREDS = [{ question_id: 1, answer: "Yes" }, { question_id: 2, answer: "grey" }];

Deno.test("score vqa: both identical-answer modes, lmms by default", async () => {
  await withTempDir(async (dir) => {
    const annotations = await writeJson(dir, "ann.json", ANNOTATIONS);
    const preds = await writeJson(dir, "preds.json", PREDS);
    const base = ["--annotations", annotations, "--preds", preds, "--json"];
    const lmms = JSON.parse((await runCaptured(scoreVqaCommand, base)).stdout);
    assertEquals(lmms.perItem, { "1": 1, "2": 0.9 });
    assertEquals(lmms.accuracy, 0.95);
    const official = JSON.parse(
      (await runCaptured(scoreVqaCommand, [...base, "--identical", "official"])).stdout,
    );
    assertEquals(official.perItem, { "1": 0, "2": 0.9 });
    assertEquals(official.perAnswerType, { "yes/no": 0, other: 0.9 });
    const table = await runCaptured(scoreVqaCommand, [
      "--annotations",
      annotations,
      "--preds",
      preds,
    ]);
    assert(/overall\s+2\s+0\.9500/.test(table.stdout), table.stdout);
  });
});

Deno.test("score vqa: bad files name the item and field", async () => {
  await withTempDir(async (dir) => {
    const annotations = await writeJson(dir, "ann.json", ANNOTATIONS);
    const run = (args: string[]) => () => runCaptured(scoreVqaCommand, args);
    const bad = await writeJson(dir, "bad.json", [{ question_id: 1, answer: 3 }]);
    await assertRejects(
      run(["--annotations", annotations, "--preds", bad]),
      InputError,
      /bad\.json: \[0\]\.answer must be a string, got 3/,
    );
    const badAnn = await writeJson(dir, "badann.json", {
      annotations: [{ question_id: 1, answers: [{ a: 1 }] }],
    });
    await assertRejects(
      run(["--annotations", badAnn, "--preds", bad]),
      InputError,
      /annotations\[0\]\.answers\[0\]\.answer must be a string/,
    );
    const preds = await writeJson(dir, "preds.json", PREDS);
    await assertRejects(
      run(["--annotations", annotations, "--preds", preds, "--identical", "x"]),
      InputError,
      /--identical/,
    );
  });
});

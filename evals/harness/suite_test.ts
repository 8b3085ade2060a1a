import { InputError } from "../../src/mod.ts";
import { assertEquals, assertRejects, withTempDir } from "../../src/testing/mod.ts";
import { datasetSuite, loadSuite, parseSuite, SUITES_DIR } from "./suite.ts";

const SHAPES = new URL("../../data/shapesbench", import.meta.url).pathname;
const PHOTOS = new URL("../../data/photos", import.meta.url).pathname;

Deno.test("bundled suites load and name their tasks", async () => {
  for (const name of ["smoke", "shapes", "photos"]) {
    const suite = await loadSuite(name);
    assertEquals(suite.name, name);
  }
  const shapes = await loadSuite("shapes");
  assertEquals(shapes.tasks.map((t) => `${t.name}:${t.kind}`), [
    "caption:caption",
    "vqa:vqa",
    "mcq:mcq",
    "mcq-letter:mcq",
    "retrieval:retrieval",
  ]);
  assertEquals(shapes.tasks[3].method, "letter");
});

Deno.test("suites that need data outside the repo name the variable to set", async () => {
  Deno.env.delete("MMSTAR_DIR");
  await assertRejects(
    () => loadSuite("mmstar"),
    InputError,
    /names \$MMSTAR_DIR, which is not set/,
  );
});

Deno.test("malformed suites: each problem names the file and the key", async () => {
  const file = `${SUITES_DIR}/broken.json`;
  const task = { kind: "vqa", dataset: SHAPES };
  const cases: [unknown, RegExp][] = [
    [[], /broken\.json: \(top level\) must be a JSON object/],
    [{ name: "x", tasks: [task], extra: 1 }, /broken\.json: extra is not a known key/],
    [
      { name: "x", tasks: [{ ...task, promt: "typo" }] },
      /broken\.json: tasks\[0\]\.promt is not a known key/,
    ],
    [
      { name: "x", tasks: [{ ...task, kind: "ocr" }] },
      /tasks\[0\]\.kind must be one of caption, vqa, mcq, retrieval/,
    ],
    [
      { name: "x", tasks: [{ ...task, dataset: "/nonexistent/data" }] },
      /tasks\[0\]\.dataset names no dataset folder/,
    ],
    [
      { name: "x", tasks: [{ kind: "retrieval", dataset: PHOTOS }] },
      /tasks\[0\]\.kind is "retrieval" but dataset .*photos holds no retrieval items/,
    ],
    [
      { name: "x", tasks: [{ ...task, metrics: ["bleu4"] }] },
      /tasks\[0\]\.metrics names "bleu4", not a vqa metric/,
    ],
    [
      { name: "x", tasks: [{ ...task, generation: { maxNewToken: 3 } }] },
      /tasks\[0\]\.generation\.maxNewToken is not a known key/,
    ],
    [
      { name: "x", tasks: [{ ...task, generation: { maxNewTokens: "3" } }] },
      /tasks\[0\]\.generation\.maxNewTokens must be a number/,
    ],
    [{ name: "x", tasks: [{ ...task, limit: 0 }] }, /tasks\[0\]\.limit must be a positive integer/],
    [{ name: "x", tasks: [task, task] }, /tasks\[1\]\.name repeats "vqa"/],
    [
      { name: "x", tasks: [{ ...task, method: "letter" }] },
      /tasks\[0\]\.method applies to mcq tasks only/,
    ],
  ];
  for (const [value, pattern] of cases) {
    await assertRejects(() => parseSuite(value, file), InputError, pattern);
  }
});

Deno.test("a suite file that is not JSON, or not there, is a named error", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/bad.json`, "{ name: smoke");
    await assertRejects(
      () => loadSuite(`${dir}/bad.json`),
      InputError,
      /bad\.json: not valid JSON/,
    );
    await assertRejects(() => loadSuite("nope"), InputError, /no suite "nope".*/);
  });
});

Deno.test("--dataset: one task per kind of the folder, with the task commands' defaults", async () => {
  const suite = await datasetSuite(PHOTOS);
  assertEquals(suite.tasks.map((t) => [t.name, t.method, t.by, t.prompt]), [
    ["caption", "loglik", "sum", undefined],
    ["vqa", "loglik", "sum", undefined],
    ["mcq", "loglik", "sum", undefined],
  ]);
  assertEquals(suite.tasks.every((t) => Object.keys(t.generation).length === 0), true);
});

import { assertEquals } from "../src/testing/mod.ts";
import { type Notebook, notebookErrors, notebookRuleBreaks } from "./notebook_check.ts";

const NOTEBOOKS = decodeURIComponent(new URL("../notebooks/", import.meta.url).pathname);

const clean = (): Notebook => ({
  metadata: { kernelspec: { name: "deno" } },
  cells: [
    { cell_type: "markdown", source: ["# Title\n", "\n", "This shows one thing."] },
    {
      cell_type: "code",
      source: 'import * as nv from "../src/mod.ts";',
      outputs: [],
      execution_count: null,
    },
  ],
});

Deno.test("notebookErrors finds error outputs and uncaught errors on stderr, nothing else", () => {
  const notebook = clean();
  assertEquals(notebookErrors(notebook), []);
  notebook.cells[1].outputs = [
    { output_type: "stream", name: "stdout", text: "error: in stdout is just text" },
    { output_type: "error", ename: "TypeError", evalue: "x is not a function" },
    { output_type: "stream", name: "stderr", text: ["Uncaught Error: boom\n", "  at <anonymous>"] },
  ];
  assertEquals(notebookErrors(notebook), [
    "cell 2: TypeError: x is not a function",
    "cell 2: stderr: Uncaught Error: boom",
  ]);
});

Deno.test("notebookRuleBreaks: outputs, deep imports, a missing first sentence, another kernel", () => {
  assertEquals(notebookRuleBreaks(clean()), []);
  const broken = clean();
  broken.metadata.kernelspec = { name: "python3" };
  broken.cells[0].source = "no title";
  broken.cells[1].outputs = [{ output_type: "stream", name: "stdout", text: "hi" }];
  broken.cells[1].source =
    'import { x } from "../src/viz/attention.ts";\nconst y = await import("./local.ts");';
  assertEquals(notebookRuleBreaks(broken), [
    'kernelspec is not "deno"',
    "the first cell is not a markdown title followed by a sentence saying what it shows",
    "cell 2 has outputs: strip them before committing",
    "cell 2 imports ../src/viz/attention.ts: notebooks import the library through ../src/mod.ts only",
    "cell 2 imports ./local.ts: notebooks import the library through ../src/mod.ts only",
  ]);
});

Deno.test("every committed notebook keeps the rules (outputs stripped, first sentence, ../src/mod.ts)", async () => {
  const names = [...Deno.readDirSync(NOTEBOOKS)].filter((e) => e.name.endsWith(".ipynb")).map((e) =>
    e.name
  ).sort();
  assertEquals(names.length > 0, true);
  for (const name of names) {
    const notebook = JSON.parse(await Deno.readTextFile(`${NOTEBOOKS}${name}`)) as Notebook;
    assertEquals(notebookRuleBreaks(notebook), [], name);
  }
});

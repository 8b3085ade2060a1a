import {
  assertEquals,
  checkImports,
  formatViolations,
  importSpecifiers,
  isTestCode,
  readSourceTree,
} from "./testing/mod.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

Deno.test("import boundary: src/ and evals/ keep the face, layer and test rules", async () => {
  const files = await readSourceTree(ROOT, ["src", "evals"]);
  const violations = checkImports(files);
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} import(s) break the layout rules (src/testing/import_boundary.ts):\n` +
        formatViolations(violations),
    );
  }
});

Deno.test("import boundary: specifiers of imports, re-exports and dynamic imports, not comments", () => {
  const source = `/**
 * @example
 * import { NanoVLM } from "./src/pipeline/nanovlm.ts";
 */
import { a } from "./a.ts";
import type {
  B,
} from '../b/mod.ts';
export * from "./c.ts";
export { d } from "./d.ts";
import "./side_effect.ts";
import sharp from "sharp";
// import { e } from "../e/deep.ts";
const f = await import("../f/mod.ts");
const text = "// not a comment, and import { g } from './g.ts' is a string";
`;
  assertEquals(importSpecifiers(source), [
    "./a.ts",
    "../b/mod.ts",
    "./c.ts",
    "./d.ts",
    "./side_effect.ts",
    "sharp",
    "../f/mod.ts",
  ]);
});

Deno.test("import boundary: a planted deep import, an upward evals import and a testing import are reported", () => {
  const files = new Map([
    // Allowed: sibling, enclosing folder's file, faces of folders not enclosing the file.
    ["src/pipeline/tasks/ask.ts", 'import { x } from "../nanovlm.ts";\nimport "../text/mod.ts";'],
    ["src/pipeline/nanovlm.ts", 'import { y } from "./prepare.ts";\nimport "../errors.ts";'],
    ["src/cli/score.ts", 'import "../../evals/metrics/mod.ts";\nimport "../runtime/mod.ts";'],
    ["evals/metrics/mcq.ts", 'import { InputError } from "../../src/mod.ts";'],
    ["src/model/decoder_test.ts", 'import { assert } from "../testing/mod.ts";'],
    // Violations.
    ["src/cli/caption.ts", 'import { NanoVLM } from "../pipeline/nanovlm.ts";'],
    ["evals/bench/drift.ts", 'import { z } from "../../src/pipeline/text/tokenizer.ts";'],
    ["src/pipeline/merge.ts", 'import { m } from "./mod.ts";'],
    ["src/parity/run.ts", 'import { metric } from "../../evals/metrics/mod.ts";'],
    ["src/cli/demo.ts", 'import { T } from "../testing/mod.ts";'],
  ]);
  const violations = checkImports(files);
  assertEquals(violations.map((v) => [v.file, v.rule]), [
    ["src/cli/caption.ts", "deep-import"],
    ["evals/bench/drift.ts", "deep-import"],
    ["src/pipeline/merge.ts", "enclosing-face"],
    ["src/parity/run.ts", "src-imports-evals"],
    ["src/cli/demo.ts", "production-imports-testing"],
  ]);
  // A deep import names the face to use: the outermost folder of the target not holding the file.
  assertEquals(violations[0].fix, "import src/pipeline/mod.ts instead (its folder's face)");
  assertEquals(violations[1].fix, "import src/mod.ts instead (its folder's face)");
});

Deno.test("import boundary: what counts as test code", () => {
  assertEquals(
    [
      "src/testing/temp.ts",
      "src/cli/ask_test.ts",
      "src/cli/task_testing.ts",
      "evals/metrics/test_vectors.ts",
      "src/cli/ask.ts",
      "evals/bench/pipeline.ts",
    ].map(isTestCode),
    [true, true, true, true, false, false],
  );
});

/**
 * The committed default model, evaluated through the toolkit itself (ONNX graphs, onnxruntime,
 * the toolkit's image loading, tokenizer and generation) on the committed ShapesBench split, its
 * answers scored against the split's gold answers and scene graphs: every issue-12 target that
 * its published evaluation (`training/shapesbench.json`, quoted by the model card) meets must stay
 * met, and every other figure may not fall more than a point below the published one.
 */
import { assert, assertEquals, assertRejects } from "../../src/testing/mod.ts";
import { evaluateShapesbench, type ShapesbenchReport } from "./eval_shapesbench.ts";
import { checkTargets, formatTargets, guardedFigures } from "./shapes_targets.ts";

const root = (path: string) =>
  decodeURIComponent(new URL(`../../${path}`, import.meta.url).pathname);
const share = (correct: number, total: number) => ({ correct, total, accuracy: correct / total });
const report = (countShape: number, captions: number): ShapesbenchReport => ({
  vqa: {
    count_all: share(20, 20),
    count_color: share(19, 20),
    count_shape: share(countShape, 20),
    count_color_shape: share(20, 20),
    color: share(10, 10),
    shape: share(10, 10),
    "yes/no": share(40, 40),
  },
  mcq: { all: share(96, 100) },
  captionNamesEveryObject: captions,
  ciderD: 2,
  examples: [],
});

Deno.test("shapes targets: a report is checked figure by figure (hand-made report)", () => {
  const rows = checkTargets(report(18, 0.89));
  assertEquals(
    rows.filter((r) => !r.met).map((r) => r.name),
    ["vqa count_shape", "captions naming every object"],
  );
  assert(formatTargets(rows).includes("vqa count_shape"));
});

Deno.test("shapes targets: met targets stay met, the others may drop a point (hand-made reports)", () => {
  const published = report(18, 0.89);
  // count_shape 0.90 and captions 0.89 are below their targets: floors 0.89 and 0.88.
  assertEquals(guardedFigures(report(18, 0.885), published).filter((g) => !g.held), []);
  const worse = guardedFigures(report(17, 0.87), published).filter((g) => !g.held);
  assertEquals(worse.map((g) => [g.name, g.floor]), [
    ["vqa count_shape", 0.89],
    ["captions naming every object", 0.88],
  ]);
  // A met target (count_color 0.95) may not fall below the target itself.
  const fell = report(18, 0.89);
  fell.vqa.count_color = share(18, 20);
  assertEquals(guardedFigures(fell, published).filter((g) => !g.held).map((g) => g.name), [
    "vqa count_color",
  ]);
});

Deno.test({
  name: "shapes-nano holds its published ShapesBench figures (200 pictures, every item, fp32)",
  permissions: { read: true, write: true, env: true, ffi: true, sys: true },
  fn: async () => {
    const model = root("data/models/shapes-nano");
    const published: ShapesbenchReport = JSON.parse(
      await Deno.readTextFile(`${model}/training/shapesbench.json`),
    );
    const now = await evaluateShapesbench(model, root("data/shapesbench"));
    console.log(formatTargets(checkTargets(now)));
    const failed = guardedFigures(now, published).filter((g) => !g.held);
    assert(
      failed.length === 0,
      `below the published figures: ${
        failed.map((g) => `${g.name} ${g.figure.toFixed(3)} < ${g.floor.toFixed(3)}`).join(", ")
      }`,
    );
  },
});

Deno.test({
  name:
    "evaluateShapesbench --types: only the named question types and tasks, counted against the split",
  permissions: { read: true, write: true, env: true, ffi: true, sys: true },
  fn: async () => {
    const model = root("data/models/shapes-nano"), data = root("data/shapesbench");
    const manifest = (await Deno.readTextFile(`${data}/manifest.jsonl`)).split("\n")
      .filter((l) => l).map((l) => JSON.parse(l));
    const expected = (type: string) =>
      manifest.filter((i) => i.image_id < 3 && i.question_type === type).length;
    assert(expected("count_all") > 0 && expected("color") > 0, "the first pictures ask both");
    const subset = await evaluateShapesbench(model, data, {
      limitImages: 3,
      types: ["count_all", "color"],
    });
    assertEquals(Object.keys(subset.vqa).sort(), ["color", "count_all"]);
    assertEquals(
      [subset.vqa.count_all.total, subset.vqa.color.total],
      [expected("count_all"), expected("color")],
    );
    assertEquals([Object.keys(subset.mcq).length, subset.ciderD], [0, 0]);
    await assertRejects(
      () => evaluateShapesbench(model, data, { types: ["colour"] }),
      Error,
      /no item of .* has one of the types colour/,
    );
  },
});

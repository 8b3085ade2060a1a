import { GraphBuilder } from "../onnx/mod.ts";
import { assertEquals } from "../testing/mod.ts";
import { type WeightLocation, WeightTable } from "./weights.ts";

/** A float32 tensor of `rows` x `columns` at `offset` (bytes). */
function f32(offset: number, rows: number, columns: number): WeightLocation {
  return { offset, length: rows * columns * 4, type: "float32", shape: [rows, columns] };
}

Deno.test("WeightTable.adjacentRuns: back-to-back tensors of one type and row length, in file order", () => {
  // As safetensors orders a block's attention by name: k, out, q, v.
  const table = new WeightTable(
    "model.safetensors",
    new Map([
      ["k.weight", f32(0, 2, 4)],
      ["out.weight", f32(32, 4, 4)],
      ["q.weight", f32(96, 4, 4)],
      ["v.weight", f32(160, 2, 4)],
      ["gap.weight", f32(200, 2, 4)], // 8 bytes after v ends
      ["half.weight", { offset: 232, length: 16, type: "float16", shape: [2, 4] }],
      ["wide.weight", f32(248, 2, 8)],
    ]),
  );
  assertEquals(table.adjacentRuns(["q.weight", "k.weight", "v.weight"]), [
    ["k.weight"],
    ["q.weight", "v.weight"],
  ]);
  assertEquals(table.adjacentRuns(["v.weight", "gap.weight"]), [["v.weight"], ["gap.weight"]]);
  assertEquals(table.adjacentRuns(["gap.weight", "half.weight", "wide.weight"]), [
    ["gap.weight"],
    ["half.weight"],
    ["wide.weight"],
  ]);
  // A name the table holds only quantised (or not at all) stays alone, after the runs.
  assertEquals(table.adjacentRuns(["missing.weight", "q.weight"]), [
    ["q.weight"],
    ["missing.weight"],
  ]);

  const g = new GraphBuilder("rows");
  assertEquals(table.useRows(g, ["q.weight", "v.weight"]), "rows(q.weight,v.weight)");
  assertEquals(table.useRows(g, ["k.weight"]), "k.weight");
  assertEquals(g.initializers.map(({ name, dims, external }) => ({ name, dims, external })), [
    {
      name: "rows(q.weight,v.weight)",
      dims: [6, 4],
      external: { location: "model.safetensors", offset: 96, length: 96 },
    },
    {
      name: "k.weight",
      dims: [2, 4],
      external: { location: "model.safetensors", offset: 0, length: 32 },
    },
  ]);
});

import { InputError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import { LabelledTensor } from "./tensor.ts";

const t = new LabelledTensor(
  ["a", "b", "c"],
  [2, 3, 2],
  Float32Array.from({ length: 12 }, (_, i) => i),
);

Deno.test("at() fixes leading axes as a view; value() reads one element", () => {
  const row = t.at(1);
  assertEquals([row.dims, row.shape, [...row.data]], [["b", "c"], [3, 2], [6, 7, 8, 9, 10, 11]]);
  assertEquals(row.data.buffer, t.data.buffer);
  assertEquals(t.at(1, 2).toArray(), [10, 11]);
  assertEquals(t.value(0, 1, 1), 3);
  assertThrows(() => t.at(2), InputError, /index 2 is out of range for axis a \(0\.\.1\)/);
  assertThrows(() => t.value(0, 0), InputError, /takes 3 indices/);
});

Deno.test("slice() and take() narrow one axis by name or number", () => {
  assertEquals(t.slice("b", 1).toArray(), [[[2, 3], [4, 5]], [[8, 9], [10, 11]]]);
  assertEquals(t.slice(2, 1, 2).toArray(), [[[1], [3], [5]], [[7], [9], [11]]]);
  assertEquals(t.take("a", [1, 0]).at(0).toArray(), [[6, 7], [8, 9], [10, 11]]);
  assertThrows(() => t.slice("d", 0), InputError, /no axis "d"/);
  assertThrows(() => t.slice("b", 2, 4), InputError, /out of range for axis b/);
  assertThrows(
    () => new LabelledTensor(["x"], [3], new Float32Array(2)),
    InputError,
    /needs 3 values/,
  );
});

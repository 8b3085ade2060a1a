import { assert, assertClose, assertEquals } from "../testing/mod.ts";
import { compareTensors } from "./compare.ts";

Deno.test("compareTensors: hand-computed errors, relative error and cosine", () => {
  const c = compareTensors("x", [1, 2, 4], [1, 2, 3]);
  assertEquals(c.maxAbs, 1);
  assertClose(c.rel, 1 / 3, 1e-15);
  // cos = (1 + 4 + 12) / (sqrt(21) * sqrt(14))
  assertClose(c.cosine, 17 / Math.sqrt(21 * 14), 1e-15);
  assertEquals(c.pass, false);
  assert(compareTensors("y", [1, 2, 3.0001], [1, 2, 3]).pass);
});

Deno.test("compareTensors: masked positions are ignored; NaN and length mismatch fail", () => {
  assertEquals(compareTensors("m", [9, 2], [1, 2], {}, (i) => i === 1).maxAbs, 0);
  assertEquals(compareTensors("n", [NaN, 2], [1, 2]).pass, false);
  assertEquals(compareTensors("l", [1], [1, 2]).pass, false);
});

import { assertEquals } from "../testing/mod.ts";
import { floatToHalf, halfToFloat } from "./float16.ts";

Deno.test("float16: known bit patterns (IEEE 754 binary16 table)", () => {
  assertEquals(floatToHalf(1), 0x3c00);
  assertEquals(floatToHalf(-2), 0xc000);
  assertEquals(floatToHalf(65504), 0x7bff); // largest finite
  assertEquals(floatToHalf(65520), 0x7c00); // rounds to inf
  assertEquals(floatToHalf(2 ** -24), 0x0001); // smallest subnormal
  assertEquals(floatToHalf(2 ** -14), 0x0400); // smallest normal
  assertEquals(floatToHalf(1 / 3), 0x3555);
  assertEquals(floatToHalf(0), 0);
  assertEquals(floatToHalf(-0), 0x8000);
  assertEquals(floatToHalf(1 + 2 ** -11), 0x3c00); // tie -> even
  assertEquals(floatToHalf(1 + 3 * 2 ** -11), 0x3c02); // tie -> even (up)
});

Deno.test("float16: known bit patterns decode exactly", () => {
  assertEquals(halfToFloat(0x3c00), 1);
  assertEquals(halfToFloat(0xc000), -2);
  assertEquals(halfToFloat(0x7bff), 65504);
  assertEquals(halfToFloat(0x0001), 2 ** -24);
  assertEquals(halfToFloat(0x7c00), Infinity);
  assertEquals(Number.isNaN(halfToFloat(0x7e00)), true);
});

Deno.test("float16: every finite half round-trips through float", () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    if ((bits & 0x7c00) === 0x7c00) continue;
    const back = floatToHalf(halfToFloat(bits));
    if (back !== bits && !(bits === 0x8000 && back === 0x8000)) {
      throw new Error(`0x${bits.toString(16)} -> ${halfToFloat(bits)} -> 0x${back.toString(16)}`);
    }
  }
});

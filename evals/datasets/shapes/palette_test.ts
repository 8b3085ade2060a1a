import { assert } from "../../../src/testing/mod.ts";
import { ciede2000, srgbToLab } from "./color_difference.ts";
import { BACKGROUNDS, COLORS } from "./palette.ts";

Deno.test("palette: colours differ pairwise and from the backgrounds by CIEDE2000 > 25", () => {
  const colors = Object.entries(COLORS).map(([name, rgb]) => [name, srgbToLab(rgb)] as const);
  const backgrounds = Object.entries(BACKGROUNDS).map(([name, rgb]) =>
    [name, srgbToLab(rgb)] as const
  );
  for (let i = 0; i < colors.length; i++) {
    for (const [name, lab] of [...colors.slice(i + 1), ...backgrounds]) {
      const d = ciede2000(colors[i][1], lab);
      assert(d > 25, `${colors[i][0]} vs ${name}: CIEDE2000 ${d.toFixed(1)}`);
    }
  }
});

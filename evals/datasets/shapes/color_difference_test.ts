import { assertClose } from "../../../src/testing/mod.ts";
import { ciede2000, type Lab } from "./color_difference.ts";

Deno.test("color difference: CIEDE2000 reproduces Sharma et al.'s published test pairs", () => {
  const pairs: [Lab, Lab, number][] = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615],
    [[50, 2.8361, -74.02], [50, 0, -82.7485], 3.4412],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[50, 2.5, 0], [61, -5, 29], 22.8977],
    [[50, 2.5, 0], [56, -27, -3], 31.903],
    [[50, 2.5, 0], [58, 24, 15], 19.4535],
  ];
  for (const [a, b, expected] of pairs) assertClose(ciede2000(a, b), expected, 1e-4);
});

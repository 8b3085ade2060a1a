import { assertEquals } from "../testing/mod.ts";
import { PRESETS } from "./presets.ts";
import { elementCount } from "./safetensors.ts";
import { expectedTensors, INV_FREQ } from "./tensor_layout.ts";

// Totals from spec nanovlm.md §2.1, §2.2 and §11 (the RoPE buffer is not a parameter).
const EXPECTED: Record<string, [string, number, number]> = {
  "222m": ["v0.1", 222_081_600, 423],
  "450m": ["v0.2", 450_614_400, 3 + 12 * 12 + 2 + 1 + 32 * 9 + 2 + 1],
  "460m": ["current", 460_113_984, 3 + 12 * 12 + 2 + 1 + 32 * 9 + 2 + 1],
  "230m-8k": ["current", 228_063_936, 423],
};

for (const [name, [generation, parameters, tensors]] of Object.entries(EXPECTED)) {
  Deno.test(`presets: ${name} is a ${generation} model of ${parameters} parameters`, () => {
    const config = PRESETS[name].config();
    assertEquals(config.generation, generation);
    const specs = expectedTensors(config);
    assertEquals(specs.length, tensors);
    const total = specs.filter((s) => s.name !== INV_FREQ)
      .reduce((sum, s) => sum + elementCount(s.shape), 0);
    assertEquals(total, parameters);
  });
}

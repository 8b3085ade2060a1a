import { type NanoVLMConfig, readSafetensorsIndex, readTensorF32 } from "../../checkpoint/mod.ts";
import { ConfigError, InputError } from "../../errors.ts";
import { assert, assertEquals, assertThrows, fixturePath, fixtureTest } from "../../testing/mod.ts";
import { loadImage } from "./image_load.ts";
import { dynamicResizeSize, preprocessImage, toTensor } from "./image_preprocess.ts";
import { PILLOW_BICUBIC, pillowResize } from "./pillow_resample.ts";

const GENERATION = { "v0.1-tiny": "v0.1", "v0.2-tiny": "v0.2", "head-tiny": "current" } as const;
type Fixture = keyof typeof GENERATION;

/** The fixture's config as recorded by the original code (the config loader is not used here). */
async function fixtureConfig(fixture: Fixture): Promise<NanoVLMConfig> {
  const manifest = JSON.parse(
    await Deno.readTextFile(fixturePath("reference", fixture, "manifest.json")),
  );
  return { ...manifest.config, generation: GENERATION[fixture] } as NanoVLMConfig;
}

async function golden(fixture: Fixture, name: string): Promise<Float32Array> {
  const index = await readSafetensorsIndex(
    fixturePath("reference", fixture, "goldens.safetensors"),
  );
  return readTensorF32(index, name);
}

function maxAbsDiff(actual: Float32Array, expected: Float32Array, what: string): number {
  assertEquals(actual.length, expected.length, `${what}: element count`);
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
  console.log(`  ${what}: max-abs difference ${max} (${(max * 255).toFixed(4)} / 255)`);
  return max;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function fixtureImages(fixture: Fixture) {
  return [
    await loadImage(fixturePath("reference", fixture, "image_a.png")),
    await loadImage(fixturePath("reference", fixture, "image_b.png")),
  ];
}

for (const fixture of ["v0.1-tiny", "v0.2-tiny", "head-tiny"] as const) {
  fixtureTest(`preprocessImage: ${fixture} pixel_values and batch.pixel_values`, async () => {
    const config = await fixtureConfig(fixture);
    const [a, b] = await fixtureImages(fixture);
    const pa = preprocessImage(a, config);
    const pb = preprocessImage(b, config);
    if (fixture === "head-tiny") {
      assertEquals(pa.shape, [7, 3, 64, 64]);
      assertEquals(pa.grid, [2, 3]);
      assertEquals(pb.shape, [4, 3, 64, 64]);
      assertEquals(pb.grid, [1, 3]);
    } else {
      assertEquals(pa.shape, [1, 3, 64, 64]);
      assertEquals(pa.grid, [1, 1]);
    }
    const single = maxAbsDiff(
      pa.pixelValues,
      await golden(fixture, "pixel_values"),
      `${fixture} pixel_values`,
    );
    const batch = maxAbsDiff(
      concat([pa.pixelValues, pb.pixelValues]),
      await golden(fixture, "batch.pixel_values"),
      `${fixture} batch.pixel_values`,
    );
    assert(single <= 1 / 255 && batch <= 1 / 255, "pixel values differ by more than 1/255");
  });
}

fixtureTest(
  "preprocessImage: head-tiny DynamicResize output and the no-antialias global tile",
  async () => {
    const config = await fixtureConfig("head-tiny");
    const images = await fixtureImages("head-tiny");
    for (const [i, key] of [[0, "a"], [1, "b"]] as const) {
      const image = images[i];
      const [h, w] = dynamicResizeSize(image.width, image.height, 64, 192, true);
      const resized = toTensor(pillowResize(image, w, h, PILLOW_BICUBIC)).data;
      const dResized = maxAbsDiff(
        resized,
        await golden("head-tiny", `preproc.${key}.resized`),
        `preproc.${key}.resized`,
      );
      assertEquals(dResized, 0, "the Pillow BICUBIC resize must be bit-exact");
      const plain = preprocessImage(image, config, { antialiasGlobalTile: false });
      const dGlobal = maxAbsDiff(
        plain.pixelValues.subarray(0, 3 * 64 * 64),
        await golden("head-tiny", `preproc.${key}.global_tile_no_antialias`),
        `preproc.${key}.global_tile_no_antialias`,
      );
      assert(dGlobal <= 1e-6, "the no-antialias global tile differs");
    }
  },
);

Deno.test("dynamicResizeSize: the spec's examples and rounding of the short side", () => {
  // Spec §7.2: 640x480 with the default config -> 2048x1536 (w x h).
  assertEquals(dynamicResizeSize(640, 480, 512, 2048, true), [1536, 2048]);
  // Fixture README: 150x90 -> 128x192 and 160x40 -> 64x192 with tile 64, max 192.
  assertEquals(dynamicResizeSize(150, 90, 64, 192, true), [128, 192]);
  assertEquals(dynamicResizeSize(160, 40, 64, 192, true), [64, 192]);
  // Portrait: the long side is the height.
  assertEquals(dynamicResizeSize(480, 640, 512, 2048, true), [2048, 1536]);
  // Without resize_to_max_side_len the long side is ceil(long / p) * p, capped at m (spec §6.5).
  assertEquals(dynamicResizeSize(700, 300, 512, 2048, false), [512, 1024]);
  assertEquals(dynamicResizeSize(5000, 300, 512, 2048, false), [512, 2048]);
  // A 1-pixel-high strip still gets one tile row.
  assertEquals(dynamicResizeSize(3000, 1, 512, 2048, true), [512, 2048]);
});

Deno.test("preprocessImage: a constant image gives constant tiles and a near-constant global tile", () => {
  const image = { width: 37, height: 23, data: new Uint8Array(37 * 23 * 3) };
  for (let p = 0; p < 37 * 23; p++) image.data.set([51, 102, 204], p * 3);
  const config = { generation: "current", vit_img_size: 16, max_img_size: 48 } as NanoVLMConfig;
  const out = preprocessImage(image, config);
  assertEquals(out.grid, [2, 3]);
  assertEquals(out.shape, [7, 3, 16, 16]);
  const plane = 16 * 16;
  for (let t = 0; t < 7; t++) {
    for (let c = 0; c < 3; c++) {
      const expected = Math.fround([51, 102, 204][c] / 255);
      const values = out.pixelValues.subarray((t * 3 + c) * plane, (t * 3 + c + 1) * plane);
      // Pillow's fixed-point weights keep a constant exact; the global tile's float32 weights
      // sum to 1 only within rounding, as in torch.
      const tolerance = t === 0 ? 1e-6 : 0;
      assert(
        values.every((v) => Math.abs(v - expected) <= tolerance),
        `tile ${t} channel ${c} is not constant`,
      );
    }
  }
});

Deno.test("preprocessImage: a 1x1 grid has no separate global tile; v0.1 squares", () => {
  const image = { width: 4, height: 4, data: new Uint8Array(48).map((_, i) => i * 5) };
  const single = preprocessImage(image, {
    generation: "current",
    vit_img_size: 8,
    max_img_size: 8,
    resize_to_max_side_len: false,
  } as NanoVLMConfig);
  assertEquals(single.shape, [1, 3, 8, 8]);
  assertEquals(single.grid, [1, 1]);
  const square = preprocessImage(image, { generation: "v0.1", vit_img_size: 4 } as NanoVLMConfig);
  // Same size: Pillow copies, so ToTensor of the input itself (channel-first).
  assertEquals(square.shape, [1, 3, 4, 4]);
  assertEquals(square.pixelValues[0], Math.fround(0 / 255));
  assertEquals(square.pixelValues[16], Math.fround(5 / 255));
  assertEquals(square.pixelValues[1], Math.fround(15 / 255));
});

Deno.test("preprocessImage: bad images and configs give clear errors", () => {
  const config = { generation: "v0.1", vit_img_size: 8 } as NanoVLMConfig;
  assertThrows(
    () => preprocessImage({ width: 0, height: 5, data: new Uint8Array(0) }, config),
    InputError,
    /zero-size/,
  );
  assertThrows(
    () => preprocessImage({ width: 2, height: 2, data: new Uint8Array(5) }, config),
    InputError,
    /expected 2x2x3 = 12/,
  );
  const image = { width: 2, height: 2, data: new Uint8Array(12) };
  assertThrows(
    () => preprocessImage(image, { ...config, generation: "v9" } as unknown as NanoVLMConfig),
    ConfigError,
    /unknown config generation/,
  );
  assertThrows(
    () =>
      preprocessImage(
        image,
        { generation: "current", vit_img_size: 64, max_img_size: 32 } as NanoVLMConfig,
      ),
    ConfigError,
    /max_img_size 32/,
  );
});

import { join } from "node:path";
import sharp from "sharp";
import { assert, assertEquals } from "../../../src/testing/mod.ts";
import { loadDataset } from "../load.ts";
import { formatManifest } from "../write.ts";
import { generateScenes, generateShapesBench, sceneItems } from "./build.ts";
import { renderScene } from "./raster.ts";
import type { Scene } from "./scene.ts";

const COMMITTED = decodeURIComponent(
  new URL("../../../data/shapesbench", import.meta.url).pathname,
);

Deno.test("shapesbench: the same seed gives identical items and PNG bytes; a prefix stays a prefix", async () => {
  const a = await generateShapesBench({ seed: 9, count: 8 });
  const b = await generateShapesBench({ seed: 9, count: 8 });
  assertEquals(a.items, b.items);
  assertEquals([...a.images], [...b.images]);
  const shorter = generateScenes(9, 5).flatMap((g) => sceneItems(g, 9));
  assertEquals(shorter, a.items.slice(0, shorter.length));
  const other = generateScenes(10, 8).flatMap((g) => sceneItems(g, 10));
  assert(formatManifest(other) !== formatManifest(a.items), "seed 10 equals seed 9");
});

Deno.test("shapesbench: the committed split matches its SHA-256s and a fresh generation", async () => {
  const dataset = await loadDataset(COMMITTED, { verifyHashes: true });
  const seed = dataset.info.generator!.seed;
  const captions = dataset.items.filter((i) => i.task === "caption");
  const fresh = generateScenes(seed, captions.length).flatMap((g) => sceneItems(g, seed));
  assertEquals(formatManifest(fresh), await Deno.readTextFile(join(COMMITTED, "manifest.jsonl")));
  // Pixels, not PNG bytes, are compared with a fresh rendering: the bytes are pinned by the
  // SHA-256 list above, while a different zlib could compress the same pixels differently.
  for (const item of captions) {
    const png = await Deno.readFile(join(COMMITTED, item.image));
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const expected = renderScene(item.meta!.scene as Scene);
    assert(
      data.length === expected.length && data.every((v, i) => v === expected[i]),
      `${item.image} differs from its scene`,
    );
  }
});

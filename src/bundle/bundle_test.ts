import { openCheckpoint } from "../checkpoint/mod.ts";
import { BundleError } from "../errors.ts";
import { byteLevelTokenizerFiles } from "../pipeline/mod.ts";
import { createSession, f32, i64, NanoVLMRuntime } from "../runtime/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { exportBundle } from "./export.ts";
import { loadBundle } from "./load.ts";

const CHECKPOINT = () => fixturePath("reference", "v0.2-tiny", "checkpoint");

fixtureTest("export: an int4 bundle runs from its own folder and equals the runtime", async () => {
  await withTempDir(async (tmp) => {
    const out = `${tmp}/bundle`;
    const manifest = await exportBundle(CHECKPOINT(), out, {
      tokenizer: byteLevelTokenizerFiles(),
      precision: "int4",
      cacheDir: `${tmp}/cache`,
    });
    assertEquals(manifest.precision, {
      vision: "int4",
      projector: "int4",
      decoder: "int4",
      head: "int4",
    });
    const listed = manifest.files.map((f) => f.path);
    for (const name of ["config.json", "tokenizer.json", "preprocessing.json", "vision.onnx"]) {
      assert(listed.includes(name), `${name} missing from the manifest`);
    }
    for (const g of manifest.graphs) assert(listed.includes(g.weights), g.weights);
    assertEquals((await loadBundle(out)).manifest, manifest);
    // The bundle's decoder, with its weights read from the bundle alone, equals the runtime's.
    const ckpt = await openCheckpoint(CHECKPOINT());
    const cfg = ckpt.config;
    const runtime = await NanoVLMRuntime.load(ckpt, { precision: "int4", cacheDir: `${tmp}/c2` });
    const ids = [[1, 72, 105, 33]];
    const step = {
      ids,
      batch: 1,
      tokens: 4,
      attentionMask: [1, 1, 1, 1],
      positionIds: [0, 1, 2, 3],
    };
    const want = (await runtime.decode(step)).logits;
    await runtime.release();
    const { session } = await createSession(await Deno.readFile(`${out}/decoder.onnx`), out);
    const hd = cfg.lm_hidden_dim / cfg.lm_n_heads;
    const feeds: Record<string, ReturnType<typeof f32>> = {
      inputs_embeds: f32(new Float32Array(0), [1, 0, cfg.lm_hidden_dim]),
      input_ids: i64(ids.flat(), [1, 4]),
      attention_mask: i64([1, 1, 1, 1], [1, 4]),
      position_ids: i64([0, 1, 2, 3], [1, 4]),
      logits_index: i64([3], [1]),
    };
    for (let i = 0; i < cfg.lm_n_blocks; i++) {
      for (const kv of ["key", "value"]) {
        feeds[`past.${i}.${kv}`] = f32(new Float32Array(0), [1, cfg.lm_n_kv_heads, 0, hd]);
      }
    }
    const got = (await session.run(feeds, ["logits"])).logits.data as Float32Array;
    await session.release();
    assertEquals([...got], [...want]);
  });
});

fixtureTest(
  "loadBundle: incomplete, altered and unknown-version bundles are named errors",
  async () => {
    await withTempDir(async (tmp) => {
      const out = `${tmp}/bundle`;
      const fresh = () =>
        exportBundle(CHECKPOINT(), out, {
          tokenizer: byteLevelTokenizerFiles(),
          precision: { decoder: "int8" },
          cacheDir: `${tmp}/cache`,
        });
      const manifest = await fresh();
      const weights = manifest.graphs.find((g) => g.name === "decoder")!.weights;
      await Deno.remove(`${out}/${weights}`);
      await assertRejects(() => loadBundle(out), BundleError, new RegExp(`incomplete: ${weights}`));
      await fresh();
      const bytes = await Deno.readFile(`${out}/${weights}`);
      bytes[100] ^= 1;
      await Deno.writeFile(`${out}/${weights}`, bytes);
      await assertRejects(() => loadBundle(out), BundleError, /was altered/);
      await fresh();
      const text = await Deno.readTextFile(`${out}/manifest.json`);
      await Deno.writeTextFile(
        `${out}/manifest.json`,
        text.replace('"version": 1', '"version": 9'),
      );
      await assertRejects(() => loadBundle(out), BundleError, /bundle version 9 is unknown/);
      await assertRejects(() => loadBundle(`${tmp}/nothing`), BundleError, /not a bundle/);
    });
  },
);

fixtureTest("export: a failed export leaves no folder and no partial sibling", async () => {
  await withTempDir(async (tmp) => {
    await assertRejects(() =>
      exportBundle(CHECKPOINT(), `${tmp}/bundle`, {
        tokenizer: byteLevelTokenizerFiles(),
        cacheDir: `${tmp}/cache`,
        extraFiles: { "page/missing.js": { copyFrom: `${tmp}/does-not-exist.js` } },
      }), Deno.errors.NotFound);
    const left = [];
    for await (const e of Deno.readDir(tmp)) left.push(e.name);
    assertEquals(left.filter((n) => n.includes("bundle")), []);
  });
});

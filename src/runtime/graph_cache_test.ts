import {
  halfToFloat,
  openCheckpoint,
  presetConfig,
  synthesizeCheckpoint,
} from "../checkpoint/mod.ts";
import { buildOptions } from "../model/mod.ts";
import { assert, assertEquals, fixturePath, fixtureTest, withTempDir } from "../testing/mod.ts";
import { GRAPH_MODULES, prepareGraph } from "./graph_cache.ts";
import { NanoVLMRuntime } from "./model.ts";

async function filesIn(dir: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) { for (const [k, v] of await filesIn(path)) files.set(k, v); }
    else files.set(path, (await Deno.stat(path)).mtime!.getTime());
  }
  return files;
}

fixtureTest(
  "graph cache: fp32 graphs read model.safetensors in place, nothing is converted",
  async () => {
    await withTempDir(async (cache) => {
      const checkpoint = await openCheckpoint(fixturePath("reference", "v0.2-tiny", "checkpoint"));
      const graph = await prepareGraph("decoder", checkpoint, buildOptions(), cache);
      assertEquals(graph.weightsFolder, await Deno.realPath(checkpoint.dir));
      const files = [...(await filesIn(cache)).keys()];
      const converted = files.filter((f) =>
        !/\.onnx(\.sha256)?$|\/entry\.json$|content-hashes\.json$/.test(f)
      );
      assertEquals(converted, [], "only graphs, their checksums and the entry description");
    });
  },
);

fixtureTest("graph cache: fp16 weights are converted once, exactly, and reused", async () => {
  await withTempDir(async (cache) => {
    const checkpoint = await openCheckpoint(fixturePath("reference", "v0.2-tiny", "checkpoint"));
    const options = buildOptions({ precision: { decoder: "fp16" } });
    const graph = await prepareGraph("decoder", checkpoint, options, cache);
    assert(graph.weightsFolder.startsWith(cache));
    const before = await filesIn(cache);
    const weightsFile = [...before.keys()].find((f) => f.endsWith(".weights"))!;
    // The converted file holds the decoder's tensors in half precision (inv_freq stays fp32).
    const bytes = await Deno.readFile(weightsFile);
    const original = await checkpoint.readF32("decoder.norm.weight");
    const halves = new Uint16Array(bytes.buffer);
    const asFloats = Array.from(halves, halfToFloat);
    const found = asFloats.findIndex((_, i) =>
      original.every((v, j) => Math.abs(asFloats[i + j] - v) <= Math.abs(v) * 1e-3)
    );
    assert(found >= 0, "decoder.norm.weight not found in half precision in the converted file");
    await prepareGraph("decoder", checkpoint, options, cache);
    assertEquals(await filesIn(cache), before, "a second preparation rewrote files");
    // The vision graph stays fp32 and in place.
    assertEquals(
      (await prepareGraph("vision", checkpoint, options, cache)).weightsFolder,
      await Deno.realPath(checkpoint.dir),
    );
  });
});

fixtureTest("graph cache: graphs built with other kernels are separate cache entries", async () => {
  await withTempDir(async (cache) => {
    const checkpoint = await openCheckpoint(fixturePath("reference", "v0.2-tiny", "checkpoint"));
    const hasGqa = (bytes: Uint8Array) =>
      new TextDecoder().decode(bytes).includes("GroupQueryAttention");
    // In both orders: the second build must not reuse the first one's graph.
    const microsoft = await prepareGraph(
      "decoder",
      checkpoint,
      buildOptions({ kernels: "microsoft" }),
      cache,
    );
    const onnx = await prepareGraph("decoder", checkpoint, buildOptions(), cache);
    assert(hasGqa(microsoft.bytes) && !hasGqa(onnx.bytes));
  });
});

Deno.test("untied weights: inputs are embedded with decoder.token_embedding.weight, not the head", async () => {
  await withTempDir(async (dir) => {
    const config = { ...presetConfig("tiny-v0.2"), lm_tie_weights: false };
    await synthesizeCheckpoint(config, `${dir}/ckpt`, { seed: 1 });
    const checkpoint = await openCheckpoint(`${dir}/ckpt`);
    const runtime = await NanoVLMRuntime.load(checkpoint, { cacheDir: `${dir}/cache` });
    try {
      const d = config.lm_hidden_dim;
      const table = await checkpoint.readF32("decoder.token_embedding.weight");
      const head = await checkpoint.readF32("decoder.head.weight");
      const row = await runtime.embedTokens([[5]]);
      assertEquals(row, table.subarray(5 * d, 6 * d));
      assert(
        row.some((v, i) => v !== head[5 * d + i]),
        "the head and the embedding table should differ",
      );
      // The decoder's own id lookup uses the same table as the embedding graph.
      const viaIds = await runtime.decode({
        ids: [[5, 9]],
        batch: 1,
        tokens: 2,
        attentionMask: [1, 1],
        positionIds: [0, 1],
      });
      const embeds = await runtime.embedTokens([[5, 9]]);
      const viaEmbeds = await runtime.decode({
        embeds,
        batch: 1,
        tokens: 2,
        attentionMask: [1, 1],
        positionIds: [0, 1],
      });
      assertEquals(viaIds.logits, viaEmbeds.logits);
    } finally {
      await runtime.release();
    }
  });
});

/** One relative import or re-export: its specifier and the names it takes (`*` for all). */
interface ImportEdge {
  specifier: string;
  names: string[];
}

/** The relative imports and re-exports (`import type` included) of a module's source. */
function relativeImports(source: string): ImportEdge[] {
  const statements = /^\s*(?:import|export)\b([^;]*?)\bfrom\s*"(\.{1,2}\/[^"]+)"/gms;
  const bare = /^\s*import\s*"(\.{1,2}\/[^"]+)"/gm;
  const dynamic = /\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;
  const named = (clause: string) => {
    const braces = clause.match(/\{([^}]*)\}/);
    if (!braces) return ["*"];
    return braces[1].split(",").map((n) => n.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0])
      .filter((n) => n !== "");
  };
  return [
    ...[...source.matchAll(statements)].map((m) => ({ specifier: m[2], names: named(m[1]) })),
    ...[bare, dynamic].flatMap((re) =>
      [...source.matchAll(re)].map((m) => ({ specifier: m[1], names: ["*"] }))
    ),
  ];
}

/** Whether a module's source declares the export `name`. */
function declares(source: string, name: string): boolean {
  const declaration = new RegExp(
    `^export\\s+(?:declare\\s+)?(?:async\\s+)?(?:function\\*?|class|interface|type|const|let|enum)\\s+${name}\\b`,
    "m",
  );
  return declaration.test(source) ||
    [...source.matchAll(/^export\s*\{([^}]*)\}/gm)].some((m) =>
      m[1].split(",").some((n) => n.trim().split(/\s+as\s+/).at(-1) === name)
    );
}

/**
 * Every module under `src/` that `roots` reach through relative imports, as paths under `src/`.
 * An import of names from a folder's face (`mod.ts`) reaches only the modules that declare those
 * names, not the whole folder: a face re-exports more than a graph builder uses.
 */
async function reachedModules(src: URL, roots: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const pending = roots.map((root) => new URL(root, src));
  while (pending.length > 0) {
    const url = pending.pop()!;
    const module = url.href.slice(src.href.length);
    if (!url.href.startsWith(src.href) || seen.has(module)) continue;
    seen.add(module);
    for (const { specifier, names } of relativeImports(await Deno.readTextFile(url))) {
      const target = new URL(specifier, url);
      if (!target.pathname.endsWith("/mod.ts") || names.includes("*")) {
        pending.push(target);
        continue;
      }
      // Through a face: follow each of its re-exports that declares one of the names.
      for (const { specifier: inner } of relativeImports(await Deno.readTextFile(target))) {
        const candidate = new URL(inner, target);
        const text = await Deno.readTextFile(candidate);
        if (names.some((name) => declares(text, name))) pending.push(candidate);
      }
    }
  }
  return seen;
}

Deno.test("graph cache: the key covers exactly the modules the graph builders and serialiser import", async () => {
  const src = new URL("../", import.meta.url);
  const reached = await reachedModules(src, ["model/build.ts", "onnx/serialize.ts"]);
  // Which tensors a graph reads, and in which type.
  reached.add("runtime/graph_cache.ts");
  reached.add("runtime/tensor_plan.ts");
  const listed = new Set(GRAPH_MODULES);
  const missing = [...reached].filter((m) => !listed.has(m)).sort();
  const stale = [...listed].filter((m) => !reached.has(m)).sort();
  assertEquals({ missing, stale }, { missing: [], stale: [] }, "update GRAPH_MODULES");
  // The walk sees through multi-line and type-only imports (a hand-checked sample).
  for (const module of ["model/rope.ts", "checkpoint/config_types.ts", "checkpoint/float16.ts"]) {
    assert(reached.has(module), `${module} should be reached from model/build.ts`);
  }
  assertEquals(
    relativeImports(
      'import {\n  a,\n  type B,\n} from "./a.ts";\nimport type { C as D } from "../c/c.ts";\nexport * from "./d.ts";\n// from "./no.ts"\n',
    ),
    [
      { specifier: "./a.ts", names: ["a", "B"] },
      { specifier: "../c/c.ts", names: ["C"] },
      { specifier: "./d.ts", names: ["*"] },
    ],
  );
  assert(declares("export async function f() {}\nexport type G = 1;", "f"));
  assert(declares("export { x as f };", "f") && !declares("export function ff() {}", "f"));
});

/** The fp16 decoder weights file in `cache` and the value of its first half. */
async function firstHalf(cache: string): Promise<{ file: string; value: number }> {
  const file = [...(await filesIn(cache)).keys()].find((f) => f.endsWith(".weights"))!;
  return { file, value: new Uint16Array((await Deno.readFile(file)).buffer)[0] };
}

Deno.test("graph cache: an in-place edit keeping size and mtime is not served stale fp16 weights", async () => {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/ckpt`;
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), ckpt, { seed: 1 });
    const options = buildOptions({ precision: { decoder: "fp16" } });
    await prepareGraph("decoder", await openCheckpoint(ckpt), options, `${dir}/cache`);
    const before = await firstHalf(`${dir}/cache`);
    // Rewrite the weights with another seed (same size), then put the old mtime back.
    const file = `${ckpt}/model.safetensors`;
    const { mtime, atime } = await Deno.stat(file);
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), `${dir}/other`, { seed: 2 });
    await Deno.writeFile(file, await Deno.readFile(`${dir}/other/model.safetensors`));
    await Deno.utime(file, atime!, mtime!);
    assertEquals((await Deno.stat(file)).mtime, mtime);
    const graph = await prepareGraph(
      "decoder",
      await openCheckpoint(ckpt),
      options,
      `${dir}/cache`,
    );
    const after = [...(await filesIn(graph.weightsFolder)).keys()].find((f) =>
      f.endsWith(".weights")
    )!;
    assert(after !== before.file, "the edited checkpoint gets its own cache entry");
  });
});

Deno.test("graph cache: a corrupt cache entry is detected by its checksum and rebuilt, with a warning", async () => {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/ckpt`;
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), ckpt, { seed: 1 });
    const checkpoint = await openCheckpoint(ckpt);
    const options = buildOptions({ precision: { decoder: "fp16" } });
    await prepareGraph("decoder", checkpoint, options, `${dir}/cache`);
    const good = await firstHalf(`${dir}/cache`);
    const bytes = await Deno.readFile(good.file);
    bytes[0] ^= 0xff; // same size; written anew, so its change time moves
    await Deno.writeFile(good.file, bytes);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      await prepareGraph("decoder", checkpoint, options, `${dir}/cache`);
    } finally {
      console.warn = warn;
    }
    assertEquals(warnings.length, 1);
    assert(/\.weights is corrupt \(its checksum does not match\); rebuilding it/.test(warnings[0]));
    assertEquals((await firstHalf(`${dir}/cache`)).value, good.value, "rebuilt exactly");
  });
});

/** The nodes of one op type in a serialized graph (NodeProto.op_type: field 4, tag 0x22, length). */
function countOps(bytes: Uint8Array, opType: string): number {
  return new TextDecoder("latin1").decode(bytes)
    .split(`\x22${String.fromCharCode(opType.length)}${opType}`).length - 1;
}

fixtureTest(
  "graph cache: the fast decoder runs q/k/v and gate/up as one MatMulNBits (int4) (q/v and gate/up: one FusedMatMul at fp32) each (q/k/v packed into GroupQueryAttention), and add + norm as one kernel",
  async () => {
    await withTempDir(async (cache) => {
      const checkpoint = await openCheckpoint(fixturePath("reference", "v0.2-tiny", "checkpoint"));
      const blocks = checkpoint.config.lm_n_blocks;
      const kernels = async (flavour: "fast" | "inspect") => {
        const options = buildOptions({ flavour, precision: "int4" });
        const bytes = (await prepareGraph("decoder", checkpoint, options, cache)).bytes;
        return [
          countOps(bytes, "MatMulNBits"),
          countOps(bytes, "SkipSimplifiedLayerNormalization"),
        ];
      };
      // Per block: q, k, v, out, gate, up, down apart (inspect) or qkv, out, gate_up, down (fast),
      // plus the head; each block's two residual adds end in the next norm in one kernel (fast).
      // The fused layers' numbers are checked by the parity tests (dequantise-then-matmul, fp32).
      assertEquals(await kernels("inspect"), [7 * blocks + 1, 0]);
      assertEquals(await kernels("fast"), [4 * blocks + 1, 2 * blocks]);
      // fp32: the fast flavour reads the weights that lie back to back in the file as one matrix
      // (safetensors orders by name: k, out, q, v; down, gate, up), so q/v and gate/up are one
      // FusedMatMul and a Split each, k, out and down one each; inspect keeps all seven apart.
      // Its attention over the past adds two score products and one Split of the probabilities.
      const fp32 = async (flavour: "fast" | "inspect") => {
        const options = buildOptions({ flavour, precision: "fp32" });
        const bytes = (await prepareGraph("decoder", checkpoint, options, cache)).bytes;
        return [countOps(bytes, "FusedMatMul") + countOps(bytes, "Gemm"), countOps(bytes, "Split")];
      };
      assertEquals((await fp32("inspect"))[0], 7 * blocks + 1);
      assertEquals(await fp32("fast"), [5 * blocks + 1 + 2 * blocks, 3 * blocks]);
      // com.microsoft kernels: GroupQueryAttention takes q/k/v packed, so only gate/up is split.
      const options = buildOptions({ flavour: "fast", precision: "int4", kernels: "microsoft" });
      const gqa = (await prepareGraph("decoder", checkpoint, options, cache)).bytes;
      assertEquals(
        [
          countOps(gqa, "GroupQueryAttention"),
          countOps(gqa, "Split"),
          countOps(gqa, "MatMulNBits"),
        ],
        [blocks, blocks, 4 * blocks + 1],
      );
    });
  },
);

fixtureTest(
  "graph cache: the fast vision graph attends over packed heads (no Reshape/Transpose pair around each Attention)",
  async () => {
    await withTempDir(async (cache) => {
      const checkpoint = await openCheckpoint(fixturePath("reference", "v0.2-tiny", "checkpoint"));
      const blocks = checkpoint.config.vit_n_blocks;
      const ops = async (flavour: "fast" | "inspect") => {
        const bytes = (await prepareGraph("vision", checkpoint, buildOptions({ flavour }), cache))
          .bytes;
        return ["Attention", "Transpose"].map((op) => countOps(bytes, op));
      };
      // Fast: one Attention per block and only the patch embedding's transpose; the parity tests
      // check its numbers against the fixtures. Inspect: explicit ops, 4 transposes per block.
      const [attention, transposes] = await ops("fast");
      assertEquals(attention, blocks);
      assert(transposes <= 2, `fast vision graph has ${transposes} Transposes`);
      const [explicitAttention, explicitTransposes] = await ops("inspect");
      assertEquals(explicitAttention, 0);
      assert(explicitTransposes >= 4 * blocks, `inspect graph has ${explicitTransposes}`);
    });
  },
);

/**
 * `exportBundle`: a self-contained folder that runs a checkpoint without this toolkit — the three
 * graphs with their weights as external data beside them (each graph its own weights file),
 * `config.json`, `tokenizer.json`, the preprocessing constants, a size report per module and a
 * manifest of every file (size, sha256), the precision per module, the opsets and the runtime
 * versions. Written atomically: a failed or interrupted export leaves no folder behind.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { openCheckpoint, writeAtomically } from "../checkpoint/mod.ts";
import {
  buildOptions,
  type ModulePrecision,
  type Precision,
  type QuantOptions,
} from "../model/mod.ts";
import { DEFAULT_OPSETS } from "../onnx/mod.ts";
import {
  checkCacheDir,
  defaultCacheDir,
  type PreparedGraph,
  prepareGraph,
} from "../runtime/mod.ts";
import { geometryOf } from "../checkpoint/mod.ts";
import { readTokenizerFiles, type TokenizerFiles } from "../pipeline/mod.ts";
import {
  BUNDLE_FORMAT,
  BUNDLE_RUNTIMES,
  BUNDLE_VERSION,
  type BundleFile,
  type BundleGraph,
  type BundleManifest,
} from "./manifest.ts";
import { moduleSizes } from "./sizes.ts";

/** Options of {@link exportBundle}. */
export interface ExportOptions {
  /** `tokenizer.json` (or a folder holding one), or tokenizer files in memory. */
  tokenizer: string | TokenizerFiles;
  /** One precision or one per module (default fp32). */
  precision?: Precision | Partial<ModulePrecision>;
  /** How int8/int4 modules are quantised. */
  quantization?: Partial<QuantOptions>;
  /** Graph cache (default the toolkit's). */
  cacheDir?: string;
  /**
   * Extra files to put in the bundle (e.g. the browser page and its runtime), by bundle path;
   * they are listed in the manifest like the rest.
   */
  extraFiles?: Record<string, Uint8Array | { copyFrom: string }>;
}

/** The toolkit version written into manifests. */
export const TOOLKIT_VERSION = "nanovlm-lab 0.1.0";

/** Hex sha256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  const file = await Deno.open(path);
  try {
    const buffer = new Uint8Array(8 << 20);
    for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) {
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
  } finally {
    file.close();
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Exports a checkpoint folder as a bundle at `out` (replacing what is there only once complete).
 *
 * @example
 * ```ts
 * const manifest = await exportBundle("checkpoints/nanoVLM-222M", "bundle", {
 *   tokenizer: "cosmo2/tokenizer.json",
 *   precision: "int4",
 * });
 * manifest.sizes; // bytes per module
 * ```
 */
export async function exportBundle(
  model: string,
  out: string,
  options: ExportOptions,
): Promise<BundleManifest> {
  const checkpoint = await openCheckpoint(model);
  const config = checkpoint.config;
  const tokenizer = typeof options.tokenizer === "string"
    ? await readTokenizerFiles(options.tokenizer, config)
    : options.tokenizer;
  const build = buildOptions({
    precision: options.precision,
    quantization: options.quantization,
  });
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  await checkCacheDir(cacheDir);
  const prepared: { name: string; graph: PreparedGraph }[] = [];
  for (const name of ["vision", "embed", "decoder"] as const) {
    prepared.push({
      name,
      graph: await prepareGraph(name, checkpoint, build, cacheDir, undefined, {
        ownWeights: true,
      }),
    });
  }
  const geometry = geometryOf(config);
  const preprocessing = {
    generation: config.generation,
    imageSize: config.vit_img_size,
    maxImageSize: config.max_img_size ?? null,
    resample: config.generation === "current" ? "pillow-bicubic-dynamic" : "pillow-bilinear",
    rescale: 1 / 255,
    normalize: null,
    imageTokensPerImage: geometry.imageTokensPerImage,
  };
  return await writeAtomically(out, async (dir) => {
    await Deno.mkdir(dir, { recursive: true });
    const graphs: BundleGraph[] = [];
    const encoder = new TextEncoder();
    for (const { name, graph } of prepared) {
      await Deno.writeFile(`${dir}/${name}.onnx`, graph.bytes);
      await Deno.copyFile(
        `${graph.weightsFolder}/${graph.weightsFile}`,
        `${dir}/${graph.weightsFile}`,
      );
      graphs.push({ name, file: `${name}.onnx`, weights: graph.weightsFile });
    }
    await Deno.copyFile(checkpoint.configPath, `${dir}/config.json`);
    await Deno.writeFile(
      `${dir}/tokenizer.json`,
      encoder.encode(JSON.stringify(tokenizer.tokenizerJson)),
    );
    if (tokenizer.tokenizerConfig) {
      await Deno.writeFile(
        `${dir}/tokenizer_config.json`,
        encoder.encode(JSON.stringify(tokenizer.tokenizerConfig)),
      );
    }
    await Deno.writeFile(
      `${dir}/preprocessing.json`,
      encoder.encode(JSON.stringify(preprocessing, null, 2)),
    );
    for (const [path, content] of Object.entries(options.extraFiles ?? {})) {
      const target = `${dir}/${path}`;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      if (content instanceof Uint8Array) await Deno.writeFile(target, content);
      else await Deno.copyFile(content.copyFrom, target);
    }
    const files: BundleFile[] = [];
    for await (const path of walk(dir, "")) {
      files.push({ path, ...(await hashFile(`${dir}/${path}`)) });
    }
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      createdWith: TOOLKIT_VERSION,
      runtimes: BUNDLE_RUNTIMES,
      opsets: DEFAULT_OPSETS,
      precision: build.precision,
      quantization: build.quantization,
      graphs,
      sizes: moduleSizes(checkpoint, build),
      files: files.sort((a, b) => a.path.localeCompare(b.path)),
    };
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
  });
}

/** Every file under `dir`, as paths relative to it. */
async function* walk(root: string, prefix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(`${root}/${prefix}`)) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) yield* walk(root, path);
    else yield path;
  }
}

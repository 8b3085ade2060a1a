/**
 * Prepares the graphs of a checkpoint for a set of build options: which weights file each graph
 * reads, and the graph protobuf itself. All-fp32 graphs read the original `model.safetensors` in
 * place; graphs with fp16 or int8/int4 modules read a converted weights file written once into the
 * cache (keyed by the checkpoint's content hash and the options). Graph files are cached beside it.
 *
 * @module
 */
import {
  type NanoVLMConfig,
  readTensorF32,
  type SafetensorsIndex,
  type TensorEntry,
  toHalfBits,
} from "../checkpoint/mod.ts";
import {
  blobSize,
  blocksPerRow,
  buildGraph,
  type BuildOptions,
  type ByteRange,
  embeddingTableName,
  type GraphName,
  type QuantizedWeight,
  quantizeWeight,
  type QuantLocation,
  type QuantOptions,
  type WeightLocation,
  WeightTable,
  zeroPointRowBytes,
} from "../model/mod.ts";
import { type GraphBuilder, serializeModel } from "../onnx/mod.ts";
import { modelTensorName, type TensorPlan, tensorPlan } from "./tensor_plan.ts";
import type { TableLocation } from "./token_table.ts";
import {
  checkedCacheFile,
  describeCacheFolder,
  fileContentHash,
  sha256,
  writeCacheFile,
} from "./cache_dir.ts";

/**
 * The modules whose source decides a cached graph's bytes, as paths under `src/`: everything the
 * graph builders (`model/build.ts`) and the serialiser (`onnx/serialize.ts`) import, and this file
 * (which tensors a graph reads, in which type). Their text is part of every graph's key, so editing
 * another file leaves cached graphs valid. A test walks those imports and fails when this list
 * misses a module or names one they no longer reach.
 */
export const GRAPH_MODULES: readonly string[] = [
  "checkpoint/config_types.ts",
  "checkpoint/float16.ts",
  "checkpoint/safetensors.ts",
  "errors.ts",
  "model/build.ts",
  "model/decoder.ts",
  "model/gqa.ts",
  "model/past_attention.ts",
  "model/layers.ts",
  "model/options.ts",
  "model/projector.ts",
  "model/quantize.ts",
  "model/rope.ts",
  "model/vision.ts",
  "model/weights.ts",
  "onnx/graph.ts",
  "onnx/serialize.ts",
  "runtime/graph_cache.ts",
  "runtime/tensor_plan.ts",
];

let fingerprint: string | undefined;

/**
 * A hash of the source of {@link GRAPH_MODULES}, part of every cached graph's key, so that graphs
 * are rebuilt whenever that code changes. Where the source cannot be read (a remote import), a
 * fresh random value is used: graphs are then rebuilt once per process.
 */
export async function builderFingerprint(): Promise<string> {
  if (fingerprint) return fingerprint;
  try {
    const parts: string[] = [];
    for (const module of GRAPH_MODULES) {
      parts.push(module, await Deno.readTextFile(new URL(`../${module}`, import.meta.url)));
    }
    fingerprint = sha256(...parts);
  } catch {
    fingerprint = crypto.randomUUID();
  }
  return fingerprint;
}

/** A graph ready for a session. */
export interface PreparedGraph {
  /** The ONNX protobuf. */
  bytes: Uint8Array;
  /** The folder onnxruntime reads the external weights from. */
  weightsFolder: string;
  /** The weights file the graph's external data names (inside {@link weightsFolder}). */
  weightsFile: string;
  /** The embed graph's table in its weights file, for lookups without the session. */
  tokenTable?: TableLocation;
}

/** Options of {@link prepareGraph}. */
export interface PrepareGraphOptions {
  /**
   * Give the graph a weights file of its own holding exactly its tensors, even at fp32 (where it
   * would otherwise read `model.safetensors` in place): what a self-contained export copies.
   */
  ownWeights?: boolean;
}

/** What a checkpoint contributes to graph preparation. */
export interface CheckpointSource {
  /** Folder of the checkpoint. */
  dir: string;
  /** Its config. */
  config: NanoVLMConfig;
  /** Index of `model.safetensors`. */
  index: SafetensorsIndex;
}

/** The stored entry of a tensor by its model name. */
function storedEntry(name: string, index: SafetensorsIndex): TensorEntry {
  return index.tensors.get(name) ?? index.tensors.get("decoder.token_embedding.weight")!;
}

function needsConversion(plan: TensorPlan, index: SafetensorsIndex): boolean {
  if (plan.quantized.size > 0) return true;
  for (const [n, type] of plan.plain) {
    const stored = storedEntry(n, index).dtype;
    if (!((type === "float32" && stored === "F32") || (type === "float16" && stored === "F16"))) {
      return true;
    }
  }
  return false;
}

/** One piece of a converted weights file: where it goes and how its bytes are made. */
interface Piece {
  range: ByteRange;
  bytes: () => Promise<Uint8Array>;
}

/**
 * Lays out the converted weights of one graph (64-byte aligned, float tensors sorted by name, then
 * the quantised ones) and writes the file once (atomically; one tensor in memory at a time).
 */
async function convertWeights(
  source: CheckpointSource,
  plan: TensorPlan,
  quant: QuantOptions,
  path: string,
  cacheDir: string,
): Promise<WeightTable> {
  const locations = new Map<string, WeightLocation>();
  const quantized = new Map<string, QuantLocation>();
  const pieces: Piece[] = [];
  let offset = 0;
  const reserve = (length: number): ByteRange => {
    const range = { offset, length };
    offset = Math.ceil((offset + length) / 64) * 64;
    return range;
  };
  const values = (n: string) => readTensorF32(source.index, storedEntry(n, source.index).name);
  for (const n of [...plan.plain.keys()].sort()) {
    const entry = storedEntry(n, source.index);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const type = plan.plain.get(n)!;
    const range = reserve(count * (type === "float32" ? 4 : 2));
    locations.set(n, { ...range, type, shape: entry.shape });
    pieces.push({
      range,
      bytes: async () => {
        const v = await values(n);
        return type === "float32" ? new Uint8Array(v.buffer) : new Uint8Array(toHalfBits(v).buffer);
      },
    });
  }
  // A fused weight is quantised as one matrix: its parts' rows stacked (rows quantise alone).
  const inFused = new Set([...plan.fused.values()].flat());
  const units = new Map<string, string[]>(plan.fused);
  for (const n of plan.quantized.keys()) if (!inFused.has(n)) units.set(n, [n]);
  for (const [n, parts] of [...units].sort(([a], [b]) => a < b ? -1 : 1)) {
    const partRows = parts.map((part) => storedEntry(part, source.index).shape[0]);
    const rows = partRows.reduce((a, b) => a + b, 0);
    const cols = storedEntry(parts[0], source.index).shape[1];
    const shape = {
      n: rows,
      k: cols,
      bits: plan.quantized.get(parts[0])!,
      blockSize: quant.blockSize,
      symmetric: quant.symmetric,
    };
    const blocks = blocksPerRow(shape);
    const codes = reserve(rows * blocks * blobSize(shape));
    const scales = reserve(rows * blocks * 4);
    const zeroPoints = shape.symmetric ? undefined : reserve(rows * zeroPointRowBytes(shape));
    quantized.set(n, {
      ...shape,
      codes,
      scales,
      zeroPoints,
      accuracyLevel: quant.accuracyLevel,
      ...(parts.length > 1 ? { rows: partRows } : {}),
    });
    const stacked = async () => {
      if (parts.length === 1) return await values(n);
      const all = new Float32Array(rows * cols);
      let at = 0;
      for (const part of parts) {
        const v = await values(part);
        all.set(v, at);
        at += v.length;
      }
      return all;
    };
    // Quantised once for its three pieces, and dropped after the last one is written.
    let made: Promise<QuantizedWeight> | undefined;
    const once = () => made ??= stacked().then((v) => quantizeWeight(v, shape));
    pieces.push({ range: codes, bytes: async () => (await once()).codes });
    pieces.push({
      range: scales,
      bytes: async () => new Uint8Array((await once()).scales.buffer),
    });
    if (zeroPoints) {
      pieces.push({
        range: zeroPoints,
        bytes: async () => (await once()).zeroPoints!,
      });
    }
    const last = pieces[pieces.length - 1];
    const lastBytes = last.bytes;
    last.bytes = async () => {
      const bytes = await lastBytes();
      made = undefined;
      return bytes;
    };
  }
  const fileName = path.slice(path.lastIndexOf("/") + 1);
  await checkedCacheFile(path, cacheDir, async (path) => {
    const stream = ReadableStream.from((async function* () {
      let written = 0;
      for (const piece of pieces) {
        if (piece.range.offset > written) yield new Uint8Array(piece.range.offset - written);
        yield await piece.bytes();
        written = piece.range.offset + piece.range.length;
      }
    })());
    await writeCacheFile(path, stream);
  });
  return new WeightTable(fileName, locations, quantized);
}

/** Prepares one graph: picks or writes its weights file, then builds (or reuses) the graph. */
export async function prepareGraph(
  name: GraphName,
  source: CheckpointSource,
  options: BuildOptions,
  cacheDir: string,
  taps?: readonly string[],
  prepare: PrepareGraphOptions = {},
): Promise<PreparedGraph> {
  const plan = tensorPlan(name, source.index, source.config, options);
  const precisionKey = JSON.stringify([...plan.plain.values()].sort());
  // Quantised files also depend on the quantiser's code and options.
  const quantKey = plan.quantized.size === 0 ? [] : [
    JSON.stringify([...plan.quantized].sort()),
    JSON.stringify([...plan.fused.keys()].sort()),
    JSON.stringify(options.quantization),
    await builderFingerprint(),
  ];
  const configKey = JSON.stringify(source.config);
  let weights: WeightTable;
  let weightsFolder: string;
  let folder: string;
  if (prepare.ownWeights || needsConversion(plan, source.index)) {
    const contentHash = await fileContentHash(`${source.dir}/model.safetensors`, cacheDir);
    folder = `${cacheDir}/${sha256(contentHash, configKey).slice(0, 24)}`;
    const file = `${folder}/${name}-${
      sha256(precisionKey, JSON.stringify(options.precision), ...quantKey).slice(0, 12)
    }.weights`;
    weights = await convertWeights(source, plan, options.quantization, file, cacheDir);
    weightsFolder = folder;
  } else {
    // onnxruntime refuses external data outside the folder it is given, so it gets the folder of
    // the file itself: a Hugging Face cache's model.safetensors is a symlink into blobs/.
    const real = await Deno.realPath(`${source.dir}/model.safetensors`);
    const slash = real.lastIndexOf("/");
    weights = WeightTable.fromSafetensors(
      real.slice(slash + 1),
      [...source.index.tensors.values()].map((t) => ({
        ...t,
        name: modelTensorName(t.name, source.index),
      })),
    );
    weightsFolder = real.slice(0, slash) || "/";
    // Graph bytes depend only on the config and the tensor layout: key them by those.
    const layout = JSON.stringify([...source.index.tensors.values()]);
    folder = `${cacheDir}/${sha256(configKey, layout).slice(0, 24)}`;
  }
  const tapKey = taps === undefined ? "" : JSON.stringify([...taps].sort());
  const graphKey = sha256(
    await builderFingerprint(),
    name,
    JSON.stringify(options),
    weights.fileName,
    tapKey,
  );
  const graphPath = `${folder}/${name}-${options.flavour}-${graphKey.slice(0, 12)}.onnx`;
  await describeCacheFolder(folder, {
    kind: weightsFolder === folder ? "weights" : "graphs",
    checkpoint: source.dir,
    generation: source.config.generation,
  });
  let bytes: Uint8Array | undefined;
  await checkedCacheFile(graphPath, cacheDir, async (path) => {
    const graph = buildGraph(name, source.config, weights, options);
    if (taps !== undefined) keepTaps(graph, new Set(taps));
    bytes = serializeModel(graph);
    await writeCacheFile(path, bytes);
  });
  const table = weights.locations.get(embeddingTableName(source.config));
  return {
    bytes: bytes ?? await Deno.readFile(graphPath),
    weightsFolder,
    weightsFile: weights.fileName,
    tokenTable: name === "embed" && table
      ? { ...table, path: `${weightsFolder}/${weights.fileName}` }
      : undefined,
  };
}

/** The outputs every graph keeps: what the runtime's own calls fetch. */
function isCoreOutput(name: string): boolean {
  return name === "image_embeds" || name === "inputs_embeds" || name === "logits" ||
    name.startsWith("present.") || name.startsWith("added.");
}

/**
 * Keeps only the inspect outputs (taps) named in `keep`, then drops every node and initializer
 * that no remaining output needs: tensors not asked for are then neither computed nor held.
 */
export function keepTaps(graph: GraphBuilder, keep: ReadonlySet<string>): void {
  const outputs = graph.outputs.filter((o) => isCoreOutput(o.name) || keep.has(o.name));
  graph.outputs.splice(0, graph.outputs.length, ...outputs);
  const needed = new Set(outputs.map((o) => o.name));
  const nodes = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((o) => needed.has(o))) continue;
    for (const input of node.inputs) needed.add(input);
    nodes.push(node);
  }
  graph.nodes.splice(0, graph.nodes.length, ...nodes.reverse());
  const initializers = graph.initializers.filter((t) => needed.has(t.name));
  graph.initializers.splice(0, graph.initializers.length, ...initializers);
}

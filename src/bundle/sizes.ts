/**
 * The size report of a bundle: bytes of weights per module (vision, projector, decoder blocks, the
 * LM head, the token-embedding table), from the tensors each graph reads and the form it reads
 * them in. Values are counted as stored: the tied table is stored by the lookup graph
 * (`embedding`) and by the decoder graph (as the float head, or beside a quantised head for the
 * decode steps' own lookup, then also `embedding`).
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/mod.ts";
import {
  blobSize,
  blocksPerRow,
  type BuildOptions,
  embeddingTableName,
  zeroPointRowBytes,
} from "../model/mod.ts";
import { tensorPlan } from "../runtime/mod.ts";
import type { ModuleSize } from "./manifest.ts";

/** The report's module of a graph tensor (the tied table read by a lookup is `embedding`). */
function moduleOf(name: string, lookupTable: boolean): string {
  if (name.startsWith("vision_encoder.")) return "vision";
  if (name.startsWith("MP.")) return "projector";
  if (lookupTable) return "embedding";
  if (name === "decoder.head.weight") return "head";
  return "decoder";
}

/** Bytes and parameters per module over the three graphs' weights. */
export function moduleSizes(checkpoint: Checkpoint, options: BuildOptions): ModuleSize[] {
  const sizes = new Map<string, ModuleSize>();
  const table = embeddingTableName(checkpoint.config);
  const add = (module: string, precision: string, parameters: number, bytes: number) => {
    const size = sizes.get(module) ?? { module, precision, parameters: 0, bytes: 0 };
    size.parameters += parameters;
    size.bytes += bytes;
    sizes.set(module, size);
  };
  const precisionOf = (module: string) =>
    module === "embedding"
      ? "float"
      : options.precision[module as keyof BuildOptions["precision"]] ?? "fp32";
  for (const graph of ["vision", "embed", "decoder"] as const) {
    const plan = tensorPlan(graph, checkpoint.index, checkpoint.config, options);
    for (const [name, type] of plan.plain) {
      const count = checkpoint.tensor(name).shape.reduce((a, b) => a * b, 1);
      const lookup = name === table &&
        (graph === "embed" || (graph === "decoder" && plan.quantized.has(name)));
      const module = moduleOf(name, lookup);
      const precision = module === "embedding"
        ? (type === "float16" ? "fp16" : "fp32")
        : precisionOf(module);
      add(module, precision, count, count * (type === "float32" ? 4 : 2));
    }
    for (const [name, bits] of plan.quantized) {
      const [n, k] = checkpoint.tensor(name).shape;
      const { blockSize, symmetric } = options.quantization;
      const q = { n, k, bits, blockSize, symmetric };
      const module = moduleOf(name, false);
      const bytes = n * blocksPerRow(q) * (blobSize(q) + 4) + n * zeroPointRowBytes(q);
      add(module, precisionOf(module), n * k, bytes);
    }
  }
  const order = ["vision", "projector", "decoder", "head", "embedding"];
  return [...sizes.values()].sort((a, b) => order.indexOf(a.module) - order.indexOf(b.module));
}

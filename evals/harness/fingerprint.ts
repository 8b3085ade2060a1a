/**
 * Fingerprints that key the response cache: the model (checkpoint content hash, config,
 * tokenizer, graph build options incl. precision, device and flavour, harness version) and each
 * request (task kind and method, prompt after templating, generation options, dataset item hash).
 * Only deterministic requests are cached: sampling gives a different answer each time.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { GenerationOptions } from "../../src/mod.ts";
import type { ManifestItem } from "../datasets/mod.ts";
import { HARNESS_VERSION } from "./types.ts";

/** SHA-256 (hex) of strings and bytes, in order. */
export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
        : v,
  );
}

/** Whether a generation's output is reproducible (no sampling), and so may be cached. */
export function isDeterministic(options: GenerationOptions): boolean {
  return !options.doSample && !options.originalSampling;
}

/** The hash of a dataset item: its manifest fields and its image's bytes. */
export function itemHash(item: ManifestItem, imagePath: string): string {
  return sha256Hex(canonicalJson(item), "\0", Deno.readFileSync(imagePath));
}

/** What identifies a model build for the cache. */
export interface ModelKeyParts {
  /** SHA-256 of model.safetensors. */
  weights: string;
  /** SHA-256 of config.json. */
  config: string;
  /** SHA-256 of the tokenizer file. */
  tokenizer: string;
  /** Graph build options: flavour, kernels, precision per module. */
  build: unknown;
  /** Provider the device resolves to (`cpu`, `cuda`). */
  device: string;
}

/** The model part of every fingerprint (also names the cache file). */
export function modelKey(parts: ModelKeyParts): string {
  return sha256Hex(`nanovlm-eval ${HARNESS_VERSION}\0`, canonicalJson(parts)).slice(0, 32);
}

/** The fingerprint of one request. */
export function requestFingerprint(parts: {
  model: string;
  kind: string;
  method?: string;
  prompt: string;
  generation: GenerationOptions | Record<string, unknown>;
  item: string;
  extra?: unknown;
}): string {
  return sha256Hex(canonicalJson(parts));
}

/** A short hash of generated tokens (or of a log-likelihood task's prediction). */
export function outputHash(value: unknown): string {
  return sha256Hex(JSON.stringify(value)).slice(0, 16);
}

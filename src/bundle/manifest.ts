/**
 * The manifest of an exported bundle (`manifest.json`) and its check: every file with its size and
 * sha256, the precision per module, the opsets, and the runtime versions the bundle was checked
 * with. The check is runtime-neutral (it reads files through a callback and hashes with Web
 * Crypto), so the browser page and {@link loadBundle} share it.
 *
 * @module
 */
import { BundleError } from "../errors.ts";
import type { ModulePrecision, QuantOptions } from "../model/mod.ts";

/** The bundle format this code writes and reads. */
export const BUNDLE_FORMAT = "nanovlm-bundle";
/** The format version this code writes and reads; others are refused. */
export const BUNDLE_VERSION = 1;
/** The onnxruntime versions a bundle is checked with (node on export, web in the page). */
export const BUNDLE_RUNTIMES = { "onnxruntime-node": "1.30.0", "onnxruntime-web": "1.30.0" };

/** One file of a bundle. */
export interface BundleFile {
  /** Path relative to the bundle folder. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** Hex sha256 of the content. */
  sha256: string;
}

/** One graph of a bundle and the weights file its external data names. */
export interface BundleGraph {
  /** `vision`, `embed` or `decoder`. */
  name: string;
  /** The `.onnx` file. */
  file: string;
  /** The external weights file (same folder). */
  weights: string;
}

/** Bytes of weights per module (what int8/int4 saves, and where the rest stays). */
export interface ModuleSize {
  /** `vision`, `projector`, `decoder`, `head` or `embedding`. */
  module: string;
  /** The module's precision (`embedding`: the token table's float type). */
  precision: string;
  /** Parameters. */
  parameters: number;
  /** Bytes in the bundle's weights files. */
  bytes: number;
}

/** `manifest.json`. */
export interface BundleManifest {
  /** Always {@link BUNDLE_FORMAT}. */
  format: string;
  /** {@link BUNDLE_VERSION}. */
  version: number;
  /** The toolkit version that wrote it. */
  createdWith: string;
  /** Runtime versions the bundle was checked with. */
  runtimes: Record<string, string>;
  /** ONNX opsets by domain (`""` is ai.onnx). */
  opsets: Record<string, number>;
  /** Precision per module. */
  precision: ModulePrecision;
  /** How int8/int4 modules were quantised. */
  quantization: QuantOptions;
  /** The graphs. */
  graphs: BundleGraph[];
  /** Size report per module. */
  sizes: ModuleSize[];
  /** Every file of the bundle but the manifest. */
  files: BundleFile[];
}

/** Hex sha256 through Web Crypto (Deno and browsers alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parses and checks a manifest's format and version (an unknown one is a {@link BundleError}). */
export function parseManifest(text: string, where: string): BundleManifest {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new BundleError(
      `${where}/manifest.json is not JSON: ${(error as Error).message}`,
      "export the bundle again with `nanovlm export`",
      { cause: error },
    );
  }
  if (manifest?.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files)) {
    throw new BundleError(
      `${where}/manifest.json is not a nanovlm bundle manifest`,
      "point at a folder written by `nanovlm export`",
    );
  }
  if (manifest.version !== BUNDLE_VERSION) {
    throw new BundleError(
      `${where}: bundle version ${manifest.version} is unknown (this toolkit reads version ${BUNDLE_VERSION})`,
      "export the bundle again with this toolkit's `nanovlm export`",
    );
  }
  return manifest;
}

/**
 * Checks one listed file against what was found (`undefined`: missing): an incomplete or altered
 * bundle is a {@link BundleError} naming the file.
 */
export function checkBundleFile(
  where: string,
  file: BundleFile,
  found: { bytes: number; sha256: string } | undefined,
): void {
  if (!found) {
    throw new BundleError(
      `${where} is incomplete: ${file.path} is missing`,
      "copy the whole bundle folder, or export it again",
    );
  }
  if (found.bytes !== file.bytes || found.sha256 !== file.sha256) {
    throw new BundleError(
      `${where}: ${file.path} was altered (${found.bytes} bytes, expected ${file.bytes} with sha256 ${
        file.sha256.slice(0, 12)
      }…)`,
      "copy the bundle again from its source, or export it again",
    );
  }
}

/**
 * Checks every file the manifest lists: present, of its size, of its sha256. `read` returns a
 * file's bytes or `undefined` when it is missing. Returns the files' bytes by path.
 */
export async function verifyBundle(
  manifest: BundleManifest,
  where: string,
  read: (path: string) => Promise<Uint8Array | undefined>,
): Promise<Map<string, Uint8Array>> {
  const contents = new Map<string, Uint8Array>();
  for (const file of manifest.files) {
    const bytes = await read(file.path);
    const found = bytes && { bytes: bytes.length, sha256: await sha256Hex(bytes) };
    checkBundleFile(where, file, found);
    contents.set(file.path, bytes!);
  }
  return contents;
}

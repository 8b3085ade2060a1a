/**
 * Execution providers: whether onnxruntime-node's CUDA provider is installed beside its binding,
 * whether its bundled WebGPU provider is there, and the resolution of `auto`.
 *
 * @module
 */
import { createRequire } from "node:module";
import { ort } from "./ort.ts";
import { EngineError, InputError } from "../errors.ts";
import type { Provider, ResolvedProvider } from "./session.ts";

/** The folder holding onnxruntime-node's native binding and libraries. */
export function ortBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("onnxruntime-node/package.json");
  const arch = Deno.build.arch === "aarch64" ? "arm64" : "x64";
  const platform = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  return `${packageJson.slice(0, packageJson.lastIndexOf("/"))}/bin/napi-v6/${platform}/${arch}`;
}

/** The CUDA provider's shared libraries that must sit beside the binding. */
export const CUDA_PROVIDER_LIBRARIES = [
  "libonnxruntime_providers_shared.so",
  "libonnxruntime_providers_cuda.so",
];

/** Which CUDA provider libraries are missing (empty when all are present). */
export function missingCudaLibraries(): string[] {
  const folder = ortBinaryFolder();
  return CUDA_PROVIDER_LIBRARIES.filter((lib) => {
    try {
      return !Deno.statSync(`${folder}/${lib}`).isFile;
    } catch {
      return true;
    }
  });
}

/** How to install the CUDA provider for Deno, step by step. */
export function cudaInstallSteps(): string {
  return [
    "onnxruntime-node's CUDA provider is downloaded by its npm install script, which Deno does not run by default.",
    "1. Install CUDA 12 and cuDNN 9 (the onnxruntime-node 1.30 GPU build needs them on LD_LIBRARY_PATH).",
    "2. Let the script run once: `deno install --allow-scripts=npm:onnxruntime-node` in this repository",
    "   (or `npm install onnxruntime-node@1.30.0` elsewhere and copy its bin/napi-v6/linux/x64/libonnxruntime_providers_*.so).",
    `3. The libraries must end up in ${ortBinaryFolder()}: ${CUDA_PROVIDER_LIBRARIES.join(", ")}.`,
    "4. Check with `deno task nanovlm doctor`.",
  ].join("\n");
}

/** Whether this onnxruntime-node build ships the WebGPU provider (it needs a GPU adapter to run). */
export function webgpuBundled(): boolean {
  return ort.listSupportedBackends().some((b) => b.name === "webgpu");
}

/**
 * Resolves `auto` to `cuda` when its libraries are present, else `cpu`; `cuda` without them is an
 * error; `webgpu` is accepted when the build ships it (whether an adapter exists shows when a
 * session is created, and `doctor` probes it).
 */
export function resolveProvider(provider: Provider): ResolvedProvider {
  if (provider === "cpu") return "cpu";
  if (provider === "webgpu") {
    if (!webgpuBundled()) {
      throw new EngineError(
        "this onnxruntime-node build has no WebGPU provider",
        "use --device cpu, or run `deno task nanovlm doctor` to see the providers",
      );
    }
    return "webgpu";
  }
  if (provider !== "cuda" && provider !== "auto") {
    throw new InputError(
      `provider must be cpu, cuda, webgpu or auto; got ${JSON.stringify(provider)}`,
      "use e.g. --device cpu",
    );
  }
  const missing = missingCudaLibraries();
  if (provider === "auto") return missing.length === 0 ? "cuda" : "cpu";
  if (missing.length > 0) {
    throw new EngineError(
      `the CUDA execution provider is not installed (missing ${missing.join(", ")})`,
      cudaInstallSteps(),
    );
  }
  return "cuda";
}

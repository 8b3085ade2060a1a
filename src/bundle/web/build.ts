/**
 * Builds a bundle's browser page: `index.html`, `page.js` (`page.ts` and the project modules it
 * uses, bundled by esbuild, pinned in `deno.json`, offline) and onnxruntime-web's wasm runtime
 * (`ort/`), returned as files for {@link exportBundle}'s `extraFiles`. In the page, the imports of
 * `onnxruntime-node` resolve to onnxruntime-web (the same onnxruntime-common API), and the modules
 * the page never calls on (sharp image decoding, node:crypto hashing of the graph cache,
 * node:module loading of native providers, node:fs and node:path for free space and cache
 * folders) to stubs that say so. Needs `--allow-run` (esbuild's binary) and `--allow-env`.
 *
 * @module
 */
import * as esbuild from "esbuild";
import { fileURLToPath as fromFileUrl } from "node:url";

/** The onnxruntime-web runtime files the page loads (wasm, single-threaded SIMD build). */
const ORT_FILES = ["ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];

const STUBS: Record<string, string> = {
  sharp: `export default function sharp() {
  throw new Error("image files are decoded by the browser in the page (sharp is for Deno)");
}`,
  "node:crypto": `export function createHash() {
  throw new Error("the graph cache's hashing is not used in the page");
}`,
  "node:module": `export function createRequire() {
  throw new Error("native execution providers are not used in the page");
}`,
  "node:fs": `export function statfsSync() {
  throw new Error("free disk space is not measured in the page");
}`,
  "node:path": `const unused = () => {
  throw new Error("cache and output folders are not used in the page");
};
export { unused as dirname, unused as resolve };`,
};

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>nanoVLM bundle</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; min-height: 80vh; }
  #drop { border: 2px dashed #888; padding: 2rem; text-align: center; color: #555; }
  #caption { font-size: 1.3rem; margin-top: 1.5rem; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>nanoVLM: caption a picture</h1>
<div id="drop">drop a picture anywhere on this page</div>
<p id="status">loading…</p>
<div id="caption"></div>
<script type="module" src="./page.js"></script>
</body>
</html>
`;

/** The page's files by bundle path: `index.html`, `page.js` and `ort/*`. */
export async function buildWebPage(): Promise<Record<string, Uint8Array | { copyFrom: string }>> {
  const root = fromFileUrl(new URL("../../../", import.meta.url));
  const result = await esbuild.build({
    entryPoints: [fromFileUrl(new URL("./page.ts", import.meta.url))],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    logLevel: "silent",
    alias: { "onnxruntime-node": "onnxruntime-web/wasm" },
    plugins: [{
      name: "stubs",
      setup(build) {
        build.onResolve(
          { filter: /^(sharp|node:crypto|node:module|node:fs|node:path)$/ },
          (args) => ({
            path: args.path,
            namespace: "stub",
          }),
        );
        build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({
          contents: STUBS[args.path],
          loader: "js",
        }));
      },
    }],
  });
  await esbuild.stop();
  const dist = `${root}node_modules/onnxruntime-web/dist`;
  const files: Record<string, Uint8Array | { copyFrom: string }> = {
    "index.html": new TextEncoder().encode(INDEX_HTML),
    "page.js": result.outputFiles[0].contents,
  };
  for (const name of ORT_FILES) files[`ort/${name}`] = { copyFrom: `${dist}/${name}` };
  return files;
}

/// <reference lib="dom" />
/// <reference lib="deno.ns" />
/**
 * The browser page of a bundle: checks the bundle's files against its manifest, opens the three
 * graphs with onnxruntime-web (wasm, the bundle's own runtime files, nothing from the network), and
 * captions a picture dropped on the page, streaming the tokens. Everything after the pixels are
 * decoded is this project's own code: preprocessing, tokenizer, prompt, batch and generation loop
 * (`src/pipeline`), the runtime over the sessions (`src/runtime`). Built for the browser by
 * `build.ts` (onnxruntime-node resolves to onnxruntime-web there).
 *
 * `?auto=<image>` captions a bundled picture on load and posts `{tokens, text}` to `/result` (what
 * the browser test reads).
 *
 * @module
 */
import * as ort from "onnxruntime-web/wasm";
import { parseConfig } from "../../checkpoint/mod.ts";
import {
  captionRequest,
  createTokenizer,
  prepareBatch,
  type RgbImage,
  streamText,
} from "../../pipeline/mod.ts";
import { NanoVLMRuntime } from "../../runtime/mod.ts";
import { parseManifest, verifyBundle } from "../manifest.ts";

const out = document.getElementById("caption")!;
const status = document.getElementById("status")!;

async function fetchBytes(path: string): Promise<Uint8Array | undefined> {
  const response = await fetch(`./${path}`);
  return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
}

/** Decodes an image file with the browser's decoder into 8-bit RGB (no colour conversion). */
async function decodeImage(blob: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob, {
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d")!;
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const data = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    data[j] = rgba[i], data[j + 1] = rgba[i + 1], data[j + 2] = rgba[i + 2];
  }
  return { width: bitmap.width, height: bitmap.height, data };
}

async function main() {
  const params = new URLSearchParams(location.search);
  status.textContent = "checking the bundle…";
  const manifest = parseManifest(
    new TextDecoder().decode(await fetchBytes("manifest.json")),
    "bundle",
  );
  const files = await verifyBundle(manifest, "bundle", fetchBytes);
  const text = (path: string) => new TextDecoder().decode(files.get(path)!);
  const { config } = parseConfig(text("config.json"));
  const tokenizer = createTokenizer({
    tokenizerJson: JSON.parse(text("tokenizer.json")),
    tokenizerConfig: files.has("tokenizer_config.json")
      ? JSON.parse(text("tokenizer_config.json"))
      : undefined,
    source: "bundle",
  }, config);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL("./ort/", location.href).href;
  status.textContent = "opening the graphs…";
  const sessions = {} as Record<"vision" | "embed" | "decoder", ort.InferenceSession>;
  for (const graph of manifest.graphs) {
    sessions[graph.name as keyof typeof sessions] = await ort.InferenceSession.create(
      files.get(graph.file)!,
      {
        executionProviders: ["wasm"],
        externalData: [{ path: graph.weights, data: files.get(graph.weights)! }],
      },
    );
  }
  const runtime = NanoVLMRuntime.fromSessions(config, sessions, {
    precision: manifest.precision,
    quantization: manifest.quantization,
  });
  const maxNewTokens = Number(params.get("tokens") ?? 30);
  const run = async (image: RgbImage) => {
    status.textContent = "captioning…";
    out.textContent = "";
    const prepared = await prepareBatch(runtime, tokenizer, [
      captionRequest({ config }, [image]),
    ]);
    const stream = streamText(runtime, tokenizer, prepared, { maxNewTokens });
    let next = await stream.next();
    while (!next.done) {
      out.textContent += next.value;
      next = await stream.next();
    }
    status.textContent = `done: ${next.value.tokens.length} tokens`;
    return next.value;
  };
  document.body.addEventListener("dragover", (e) => e.preventDefault());
  document.body.addEventListener("drop", async (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) await run(await decodeImage(file));
  });
  status.textContent = "ready: drop a picture on the page";
  const auto = params.get("auto");
  if (auto) {
    const result = await run(
      await decodeImage(new Blob([(await fetchBytes(auto))! as Uint8Array<ArrayBuffer>])),
    );
    await fetch("/result", {
      method: "POST",
      body: JSON.stringify({ tokens: result.tokens, text: result.text }),
    });
  }
}

main().catch(async (error) => {
  status.textContent = `error: ${error.message}`;
  await fetch("/result", { method: "POST", body: JSON.stringify({ error: String(error) }) })
    .catch(() => {});
});

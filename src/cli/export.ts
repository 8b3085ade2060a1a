/**
 * `nanovlm export`: writes a checkpoint as a self-contained bundle folder (graphs with their
 * weights, tokenizer, config, preprocessing constants, manifest, size report).
 *
 * @module
 */
import { buildWebPage, exportBundle, type ModuleSize } from "../bundle/mod.ts";
import { InputError } from "../errors.ts";
import { formatPrecision, parsePrecision } from "../model/mod.ts";
import { flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { quantizationFromArgs } from "./model_options.ts";

/** The size report as a Markdown table. */
export function formatSizes(sizes: readonly ModuleSize[]): string {
  const total = sizes.reduce((a, s) => a + s.bytes, 0);
  return [
    "| module | precision | parameters | bytes | share |",
    "|---|---|---|---|---|",
    ...sizes.map((s) =>
      `| ${s.module} | ${s.precision} | ${s.parameters.toLocaleString("en")} | ${
        (s.bytes / 1e6).toFixed(1)
      } MB | ${(100 * s.bytes / total).toFixed(1)}% |`
    ),
    `| total | | | ${(total / 1e6).toFixed(1)} MB | |`,
  ].join("\n");
}

/** The `export` command. */
export const exportCommand: Command = {
  name: "export",
  summary: "write a self-contained bundle (graphs + weights, tokenizer, manifest) for a device",
  help:
    `usage: deno task nanovlm export --model <dir> --tokenizer <path> --out <dir> [--precision p]

Writes a folder that runs without this toolkit: vision.onnx, embed.onnx and decoder.onnx with
their weights as external data beside them, config.json, tokenizer.json, preprocessing.json
(image size, resampling, rescale), and manifest.json listing every file with its size and sha256,
the precision per module, the opsets and the runtime versions it was checked with. Prints the
size report per module. The folder appears complete or not at all (also on Ctrl-C).

options:
  --model <dir>              checkpoint folder (config.json + model.safetensors)
  --tokenizer <path>         tokenizer.json or a folder holding one
  --out <dir>                the bundle folder (replaced once the new one is complete)
  --precision <p>            fp32 (default), fp16, int8, int4 or a per-module mix such as
                             vision=fp16,decoder=int4,head=int8
  --quant-block 32|64|128    int8/int4 block size (default 32)
  --quant-asymmetric         int8/int4 with a zero point per block
  --quant-accuracy 0|4       MatMulNBits accuracy level (default 4)
  --page                     add the browser page (index.html, page.js, onnxruntime-web's wasm
                             in ort/): serve the folder and drop a picture on it; needs
                             --allow-run for the bundler (deno task export)
  --picture <file>           also bundle a picture (as picture.<ext>; index.html?auto=picture.png
                             captions it on load)
  --cache-dir <dir>          graph cache (default $NANOVLM_CACHE or ~/.cache/nanovlm-lab)
  --json                     print the manifest as JSON

example:
  deno task export --model checkpoints/nanoVLM-222M --tokenizer cosmo2-tokenizer \\
    --precision int4 --page --out bundle/`,
  async run(args) {
    const parsed = parseCommandArgs("export", args, {
      model: { type: "string" },
      tokenizer: { type: "string" },
      out: { type: "string" },
      precision: { type: "string" },
      "quant-block": { type: "string" },
      "quant-asymmetric": { type: "boolean" },
      "quant-accuracy": { type: "string" },
      "cache-dir": { type: "string" },
      page: { type: "boolean" },
      picture: { type: "string" },
      json: { type: "boolean" },
    });
    const model = stringOption(parsed, "model");
    const tokenizer = stringOption(parsed, "tokenizer");
    const out = stringOption(parsed, "out");
    if (!model || !tokenizer || !out) {
      throw new InputError(
        "export needs --model, --tokenizer and --out",
        "run `deno task nanovlm export --help`",
      );
    }
    const precisionText = stringOption(parsed, "precision");
    const extraFiles = flag(parsed, "page") ? await buildWebPage() : {};
    const picture = stringOption(parsed, "picture");
    if (picture) {
      extraFiles[`picture${picture.slice(picture.lastIndexOf("."))}`] = { copyFrom: picture };
    }
    const manifest = await exportBundle(model, out, {
      tokenizer,
      precision: precisionText === undefined ? undefined : parsePrecision(precisionText),
      quantization: quantizationFromArgs(parsed),
      cacheDir: stringOption(parsed, "cache-dir"),
      extraFiles,
    });
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(manifest));
      return 0;
    }
    const bytes = manifest.files.reduce((a, f) => a + f.bytes, 0);
    console.log(
      `wrote ${out}: ${manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB, precision ${
        formatPrecision(manifest.precision)
      }\n\n${formatSizes(manifest.sizes)}`,
    );
    return 0;
  },
};

/**
 * `nanovlm info <checkpoint-dir> [--json]`: what a checkpoint is — generation, parameters per
 * module, tensors and dtypes, image geometry, vocabulary, file size.
 *
 * @module
 */
import {
  type CheckpointInfo,
  checkpointInfo,
  openCheckpoint,
  scanNonFinite,
} from "../checkpoint/mod.ts";
import { CheckpointError, InputError } from "../errors.ts";
import { flag, parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const n = (x: number) => x.toLocaleString("en-US");

/** Formats the facts as the human-readable `info` text. */
export function formatInfo(info: CheckpointInfo): string {
  const p = info.parameters;
  const extras = info.extraTokens.length === 0
    ? "none"
    : info.extraTokens.length <= 3
    ? info.extraTokens.join(" ")
    : `${info.extraTokens.length} (${info.extraTokens.slice(0, 2).join(" ")} ... ${
      info.extraTokens.at(-1)
    })`;
  const lines = [
    `checkpoint   ${info.dir}`,
    `generation   ${info.generation}`,
    `parameters   ${n(p.total)} (vision ${n(p.vision)}, projector ${n(p.projector)}, decoder ${
      n(p.decoder)
    })`,
    `tensors      ${info.tensors} (${
      Object.entries(info.dtypes).map(([d, k]) => `${k} ${d}`).join(", ")
    })`,
    `vision       ${info.vit.blocks} blocks x ${info.vit.hidden} wide, ${info.vit.heads} heads`,
    `decoder      ${info.lm.blocks} blocks x ${info.lm.hidden} wide, ${info.lm.heads} heads / ${info.lm.kvHeads} kv heads of ${info.lm.headDim}`,
    `image        ${info.image.size}x${info.image.size} px, ${info.image.patchesPerImage} patches of ${info.image.patchSize}px, pixel shuffle ${info.image.pixelShuffleFactor} -> ${info.imageTokensPerImage} tokens per image`,
    `tiles        ${
      info.image.maxImageSize === null
        ? "1 image (no splitting)"
        : `long side resized to ${info.image.maxImageSize}px, up to ${
          info.image.maxTilesPerImage - 1
        } tiles + 1 global image`
    }`,
    `vocabulary   ${n(info.vocabSize)} (base ${n(info.baseVocabSize)}; extra tokens: ${extras})`,
    `file size    ${n(info.fileBytes)} bytes`,
  ];
  for (const w of info.warnings) lines.push(`warning      ${w}`);
  return lines.join("\n");
}

/** The `info` command. */
export const infoCommand: Command = {
  name: "info",
  summary: "describe a checkpoint: generation, parameters, tensors, image geometry, vocabulary",
  help: `usage: deno task nanovlm info <checkpoint-dir> [--json]

Opens a nanoVLM checkpoint folder (config.json + model.safetensors), checks every tensor
against the config and prints what it is. Only the config and the safetensors header are read.

options:
  --check    also read every weight and report the tensors holding NaN or Inf (exit 1 if any)
  --json     print one JSON object (keys: generation, parameters {vision, projector, decoder,
             total}, tensors, dtypes, image, imageTokensPerImage, vocabSize, extraTokens,
             fileBytes, warnings, ...)
  --debug    show stack traces on errors
  -h, --help show this help

examples:
  deno task nanovlm info checkpoints/nanoVLM-222M
  deno task nanovlm info /tmp/tiny --json`,
  async run(args) {
    const parsed = parseCommandArgs("info", args, {
      json: { type: "boolean" },
      check: { type: "boolean" },
    });
    if (parsed.positionals.length !== 1) {
      throw new InputError(
        `info: expected one checkpoint folder, got ${parsed.positionals.length} arguments`,
        "run `deno task nanovlm info <checkpoint-dir>`",
      );
    }
    const checkpoint = await openCheckpoint(parsed.positionals[0]);
    const info = checkpointInfo(checkpoint);
    const nonFinite = flag(parsed, "check") ? await scanNonFinite(checkpoint) : undefined;
    if (flag(parsed, "json")) console.log(JSON.stringify({ ...info, nonFinite }, null, 2));
    else {
      console.log(formatInfo(info));
      if (nonFinite?.length === 0) {
        console.log(`check        all ${info.tensors} tensors hold finite numbers`);
      }
    }
    if (nonFinite && nonFinite.length > 0) {
      throw new CheckpointError(
        `${checkpoint.dir}: ${nonFinite.length} tensor(s) hold NaN or Inf:\n${
          nonFinite.map((t) => `  - ${t.name}: ${t.nan} NaN, ${t.inf} Inf of ${t.size}`).join("\n")
        }`,
        "the weights are damaged or diverged in training: re-download or re-export the checkpoint",
      );
    }
    return 0;
  },
};

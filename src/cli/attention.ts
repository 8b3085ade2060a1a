/**
 * `nanovlm attention`: where a query token of the prompt (or answer) looked on the image — the
 * decoder attention of that query over the image tokens, per layer and head, grouped per tile into
 * its token grid, with each tile's box in the original picture; `--out` paints it over the picture.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import {
  type AttentionMap,
  attentionMaps,
  combineMaps,
  type HeadChoice,
  mapToImage,
  type QueryChoice,
  queryPositions,
  type Trace,
} from "../inspect/mod.ts";
import { loadImage } from "../pipeline/mod.ts";
import { flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { writeHeatmapPng } from "./heatmap_png.ts";
import {
  indexListOption,
  TRACE_REQUEST_HELP,
  TRACE_REQUEST_OPTIONS,
  traceRequestFromArgs,
} from "./inspect_options.ts";
import { MODEL_HELP, MODEL_OPTIONS, noPositionals, withModelFromArgs } from "./model_options.ts";

const NAME = "attention";

/** Reads `--head`: a whole number, `mean`, `max` or `all`. */
function headOption(value: string | undefined): HeadChoice | "all" {
  if (value === undefined) return "mean";
  if (value === "mean" || value === "max" || value === "all") return value;
  if (/^\d+$/.test(value)) return Number(value);
  throw new InputError(
    `--head takes a head number, mean, max or all; got ${JSON.stringify(value)}`,
    "pass e.g. --head 0 or --head mean",
  );
}

/** Reads `--query`: `last`, a decoder position, or a text of the prompt or answer. */
function queryOption(value: string | undefined): QueryChoice {
  if (value === undefined || value === "last") return "last";
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** The `--json` output (its keys are a contract: `inputIds`, `tiles`, `maps`). */
export function attentionJson(trace: Trace, maps: AttentionMap[]): Record<string, unknown> {
  return {
    inputIds: trace.layout.inputIds,
    promptLength: trace.layout.promptLength,
    tokens: trace.layout.tokens.map((t) => ({ position: t.position, text: t.text, role: t.role })),
    tiles: trace.layout.tiles.map((t) => ({
      name: t.name,
      image: t.image,
      box: t.box,
      grid: t.grid,
      positions: t.positions,
    })),
    maps: maps.map((m) => ({
      layer: m.layer,
      head: m.head,
      query: m.query[0],
      imageMass: m.imageMass,
      tiles: m.tiles.map((t) => t.values),
    })),
  };
}

/** The `attention` command. */
export const attentionCommand: Command = {
  name: NAME,
  summary: "map a query token's attention onto the image (per layer and head)",
  help:
    `usage: deno task nanovlm attention --model <dir> [--tokenizer <path>] --image <path> (--question <q> | --prompt <p>) [options]

Traces the request with the inspect graphs and maps the decoder attention of the query onto the
image tokens: per tile (the global thumbnail, the grid tiles, or the single tile of v0.1/v0.2) its
token grid, raw probabilities; each tile's box is in the original picture's pixels.

${TRACE_REQUEST_HELP}

attention options:
  --layer <n>|<a,b>|all      decoder layers (default all)
  --head <n>|mean|max|all    one query head, a fusion over heads, or every head (default mean)
  --query last|<pos>|<text>  the query: the last prompt position (default; it predicts the answer),
                             a decoder position, or a word of the answer or prompt (one map per
                             token it covers)
  --out <file.png>           paint the mean of the maps over the picture, at its own size
  --json                     print {"inputIds", "tiles": [{name, box, grid, positions}],
                             "maps": [{layer, head, query, tiles}]} (plus tokens, imageMass)

${MODEL_HELP}

example:
  deno task nanovlm attention --model checkpoints/nanoVLM-222M --tokenizer cosmo2/ \\
    --image cat.jpg --question "What is this?" --answer " A cat" --query cat --layer all --out cat.png`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...TRACE_REQUEST_OPTIONS,
      layer: { type: "string" },
      head: { type: "string" },
      query: { type: "string" },
      out: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const { request, continuation } = traceRequestFromArgs(NAME, parsed);
    const layers = indexListOption(parsed, "layer") ?? "all";
    const heads = headOption(stringOption(parsed, "head"));
    const query = queryOption(stringOption(parsed, "query"));
    const out = stringOption(parsed, "out");
    if (out !== undefined && !out.toLowerCase().endsWith(".png")) {
      throw new InputError(`--out ${out}: the heat map is written as PNG`, "name a .png file");
    }
    await withModelFromArgs(NAME, parsed, async (model) => {
      const req = request(model);
      const trace = await model.trace(req, {
        ...continuation,
        layers,
        heads: typeof heads === "number" ? [heads] : "all",
        stages: ["decoder.attention", "logits"],
      });
      const positions = queryPositions(trace.layout, query);
      const maps = positions.flatMap((p) => attentionMaps(trace, { query: p, layers, heads }));
      if (out !== undefined) {
        const picture = await loadImage(req.images[0]);
        const raster = mapToImage(trace.layout, combineMaps(maps));
        await writeHeatmapPng(out, picture, raster.values);
      }
      if (flag(parsed, "json")) {
        console.log(JSON.stringify(attentionJson(trace, maps)));
      } else {
        console.log(formatAttention(trace, maps));
        if (out !== undefined) console.log(`wrote ${out}`);
      }
    });
    return 0;
  },
};

/** A short text report: per map its image mass and the strongest token per tile. */
function formatAttention(trace: Trace, maps: AttentionMap[]): string {
  const lines = [
    `${trace.layout.tokens.length} positions, tiles: ${
      trace.layout.tiles.map((t) => `${t.name} [${t.box.map((v) => Math.round(v)).join(",")}]`)
        .join(" ")
    }`,
    "",
    "| query | token | layer | head | image mass | strongest image token (tile row,col: p) |",
    "|---|---|---|---|---|---|",
  ];
  for (const m of maps) {
    let best = { tile: "", r: 0, c: 0, v: -1 };
    for (const t of m.tiles) {
      t.values.forEach((row, r) =>
        row.forEach((v, c) => {
          if (v > best.v) best = { tile: t.name, r, c, v };
        })
      );
    }
    const q = m.query[0];
    lines.push(
      `| ${q} | ${JSON.stringify(trace.layout.tokens[q].text)} | ${m.layer} | ${m.head} | ${
        m.imageMass.toFixed(4)
      } | ${best.tile} ${best.r},${best.c}: ${best.v.toFixed(4)} |`,
    );
  }
  return lines.join("\n");
}

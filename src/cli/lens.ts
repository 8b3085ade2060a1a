/**
 * `nanovlm lens`: the logit lens of a request — each decoder layer's residual stream through the
 * final norm and the head, as a table of layers × positions (top token and its probability).
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { lensWeights, type LogitLens, logitLens, type Trace } from "../inspect/mod.ts";
import { flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import {
  indexListOption,
  TRACE_REQUEST_HELP,
  TRACE_REQUEST_OPTIONS,
  traceRequestFromArgs,
} from "./inspect_options.ts";
import { MODEL_HELP, MODEL_OPTIONS, noPositionals, withModelFromArgs } from "./model_options.ts";

const NAME = "lens";

/** A Markdown table: one row per layer, one column per position. */
export function formatLens(trace: Trace, lens: LogitLens): string {
  const head = lens.positions.map((p) => `${p} ${JSON.stringify(trace.layout.tokens[p].text)}`);
  const cell = (text: string, p: number) => `${JSON.stringify(text)} ${p.toFixed(3)}`;
  return [
    `| layer | ${head.join(" | ")} |`,
    `|---|${head.map(() => "---|").join("")}`,
    ...lens.cells.map((row, l) =>
      `| ${lens.layers[l]} | ${
        row.map((c) => cell(c.top[0].text, c.top[0].probability)).join(" | ")
      } |`
    ),
  ].join("\n");
}

/** The `lens` command. */
export const lensCommand: Command = {
  name: NAME,
  summary: "logit lens: each decoder layer's next-token guess per position",
  help:
    `usage: deno task nanovlm lens --model <dir> [--tokenizer <path>] --image <path> (--question <q> | --prompt <p>) [options]

Traces the request and decodes every decoder layer's residual stream with the final RMSNorm and
the head. The last layer's row is the model's own prediction.

${TRACE_REQUEST_HELP}

lens options:
  --positions query|all|<a,b>  query (default): the last prompt position and every answer or
                             generated one; all; or a comma list of decoder positions
  --layer <n>|<a,b>|all      decoder layers (default all)
  --top-k <k>                tokens per cell in --json (default 5)
  --json                     print {"layers", "positions", "tokens", "cells": [[{layer, position, top}]]}

${MODEL_HELP}

example:
  deno task nanovlm lens --model checkpoints/nanoVLM-222M --tokenizer cosmo2/ --image cat.jpg \\
    --question "What is this?" --generate 5`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...TRACE_REQUEST_OPTIONS,
      positions: { type: "string" },
      layer: { type: "string" },
      "top-k": { type: "string" },
    });
    noPositionals(NAME, parsed);
    const { request, continuation } = traceRequestFromArgs(NAME, parsed);
    const layers = indexListOption(parsed, "layer") ?? "all";
    const positionsText = stringOption(parsed, "positions") ?? "query";
    let positions: "query" | "all" | number[];
    if (positionsText === "query" || positionsText === "all") positions = positionsText;
    else if (/^\d+(,\d+)*$/.test(positionsText)) positions = positionsText.split(",").map(Number);
    else {
      throw new InputError(
        `--positions takes query, all or a comma list of positions; got ${
          JSON.stringify(positionsText)
        }`,
        "pass e.g. --positions query or --positions 40,41",
      );
    }
    const topK = integerOption(parsed, "top-k", { min: 1 }) ?? 5;
    await withModelFromArgs(NAME, parsed, async (model) => {
      const trace = await model.trace(request(model), {
        ...continuation,
        layers,
        stages: ["decoder.residual", "logits"],
      });
      const lens = logitLens(trace, await lensWeights(model), { positions, topK });
      if (flag(parsed, "json")) {
        console.log(JSON.stringify({
          layers: lens.layers,
          positions: lens.positions,
          tokens: lens.positions.map((p) => trace.layout.tokens[p].text),
          cells: lens.cells,
        }));
      } else console.log(formatLens(trace, lens));
    });
    return 0;
  },
};

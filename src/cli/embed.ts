/**
 * `nanovlm embed`: a pooled feature vector of an image or a text.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { embed, type EmbedInput } from "../pipeline/mod.ts";
import { choiceOption, flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import {
  IMAGE_OPTION,
  listOption,
  MODEL_HELP,
  MODEL_OPTIONS,
  noPositionals,
  withModelFromArgs,
} from "./model_options.ts";

const NAME = "embed";

/** The `embed` command. */
export const embedCommand: Command = {
  name: NAME,
  summary: "pooled features of an image or a text (vision, projector or decoder states)",
  help:
    `usage: deno task nanovlm embed --model <dir> [--tokenizer <path>] (--image <path> | --text <text>) [options]

Sources:
  projector  the projected image tokens (default for images; any flavour)
  vision     the vision encoder's final output (loads the inspect graphs unless --flavour)
  decoder    the decoder's final hidden states (default for texts; inspect graphs, as vision):
             an image through its caption prompt (or --prompt), a text on its own
Pooling: mean over the positions (default), or last (the last token / prompt position).

task options:
  --image <path>             the image; repeatable (only the current generation takes several)
  --text <text>              a text instead of an image
  --source vision|projector|decoder
  --pool mean|last
  --prompt <text>            decoder source on an image: the prompt (default: caption prompt)

${MODEL_HELP}
  (--json prints {"source", "pool", "positions", "dim", "vector": [...]})

example:
  deno task nanovlm embed --model ckpt --tokenizer tok/ --image cat.jpg \\
    --source vision --json`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...IMAGE_OPTION,
      text: { type: "string" },
      source: { type: "string" },
      pool: { type: "string" },
      prompt: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const source = choiceOption(parsed, "source", ["vision", "projector", "decoder"] as const);
    const pool = choiceOption(parsed, "pool", ["mean", "last"] as const);
    const images = listOption(parsed, "image");
    const text = stringOption(parsed, "text");
    if ((images.length > 0) === (text !== undefined)) {
      throw new InputError(
        `${NAME}: give either --image or --text (got ${images.length > 0 ? "both" : "neither"})`,
        "embed one image (--image) or one text (--text) per call",
      );
    }
    const input: EmbedInput = text === undefined ? { image: images } : { text };
    // Vision and decoder features are outputs of the inspect graphs: load those unless told.
    const effective = source ?? (text === undefined ? "projector" : "decoder");
    const embedding = await withModelFromArgs(
      NAME,
      parsed,
      (model) => embed(model, input, { source, pool, prompt: stringOption(parsed, "prompt") }),
      effective === "projector" ? undefined : "inspect",
    );
    const vector = [...embedding.vector];
    if (flag(parsed, "json")) {
      const { source, pool, positions } = embedding;
      console.log(JSON.stringify({ source, pool, positions, dim: vector.length, vector }));
    } else {
      console.log(
        `${embedding.source} features, ${embedding.pool} of ${embedding.positions} positions, ` +
          `dim ${vector.length}:\n${vector.map((v) => v.toPrecision(7)).join(" ")}`,
      );
    }
    return 0;
  },
};

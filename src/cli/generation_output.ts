/**
 * How `caption` and `ask` print what they generate: streamed as it comes when stdout is a
 * terminal (no `--json`, no beam search), else the whole text, or JSON with the generated ids.
 *
 * @module
 */
import type {
  GenerationOptions,
  GenerationResult,
  NanoVLM,
  PrepareOptions,
  Request,
} from "../pipeline/mod.ts";

/** Where streamed text goes; tests replace it to watch streaming. */
export const terminal = {
  /** Whether stdout is an interactive terminal. */
  isTerminal: (): boolean => Deno.stdout.isTerminal(),
  /** Writes text without a line break. */
  write: (text: string): void => {
    Deno.stdout.writeSync(new TextEncoder().encode(text));
  },
};

/** The JSON form of a generation result. */
export function generationJson(result: GenerationResult): Record<string, unknown> {
  const sequence = (s: GenerationResult["sequences"][number]) => ({
    text: s.text,
    tokens: s.tokens,
    stopReason: s.stopReason,
    ...(s.score === undefined ? {} : { score: s.score }),
  });
  return {
    ...sequence(result),
    ...(result.sequences.length > 1 ? { sequences: result.sequences.map(sequence) } : {}),
  };
}

/** Generates for one request and prints the result as the options ask. */
export async function printGeneration(
  model: NanoVLM,
  request: Request,
  options: GenerationOptions & { prepare?: PrepareOptions },
  json: boolean,
): Promise<void> {
  if (!json && (options.numBeams ?? 1) === 1 && terminal.isTerminal()) {
    for await (const chunk of model.stream(request, options)) terminal.write(chunk);
    terminal.write("\n");
    return;
  }
  const [result] = await model.generate([request], options);
  if (json) {
    console.log(JSON.stringify(generationJson(result), null, 2));
  } else if (result.sequences.length > 1) {
    result.sequences.forEach((s, i) => console.log(`[${i + 1}] (score ${s.score}) ${s.text}`));
  } else {
    console.log(result.text);
  }
}

/**
 * Reading a tokenizer from disk: `--tokenizer` names a `tokenizer.json` file or a folder holding
 * one (plus the optional `tokenizer_config.json` and `special_tokens_map.json`, as a Hub repo has).
 *
 * @module
 */
import type { NanoVLMConfig } from "../../checkpoint/mod.ts";
import { InputError } from "../../errors.ts";
import { FILE_SIZE_LIMITS, readBoundedText } from "../../files/mod.ts";
import {
  createTokenizer,
  type NanoTokenizer,
  type TokenizerFiles,
  tokenizerHint,
  type TokenizerModelConfig,
  type TokenizerOptions,
} from "./tokenizer.ts";

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function readJson(
  path: string,
  config: Pick<NanoVLMConfig, "lm_tokenizer">,
): Promise<Record<string, unknown>> {
  const text = await readBoundedText(path, {
    maxBytes: FILE_SIZE_LIMITS.tokenizer,
    what: "tokenizer file",
    missingHint: tokenizerHint(config),
  });
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch (error) {
    throw new InputError(
      `${path} is not valid JSON: ${(error as Error).message}`,
      tokenizerHint(config),
      {
        cause: error,
      },
    );
  }
  throw new InputError(`${path} does not hold a JSON object`, tokenizerHint(config));
}

/**
 * The model folder itself when it holds a `tokenizer.json` (checkpoints written by this project,
 * such as the bundled default model, keep their tokenizer beside the weights); else undefined.
 */
export async function tokenizerBeside(modelDir: string): Promise<string | undefined> {
  const info = await statOrUndefined(`${modelDir.replace(/\/+$/, "")}/tokenizer.json`);
  return info?.isFile ? modelDir : undefined;
}

/**
 * Reads the tokenizer files at `path` (a `tokenizer.json` file, or a folder with one). A missing
 * path is an {@link InputError} whose hint names the Hub repo to download it from.
 */
export async function readTokenizerFiles(
  path: string | undefined,
  config: Pick<NanoVLMConfig, "lm_tokenizer">,
): Promise<TokenizerFiles> {
  if (path === undefined || path === "") {
    throw new InputError(
      "no tokenizer given: nanoVLM checkpoints do not include one (and the model folder has no tokenizer.json)",
      tokenizerHint(config),
    );
  }
  const info = await statOrUndefined(path);
  if (!info) throw new InputError(`tokenizer not found: ${path}`, tokenizerHint(config));
  if (!info.isDirectory) return { tokenizerJson: await readJson(path, config), source: path };
  const dir = path.replace(/\/+$/, "");
  const jsonPath = `${dir}/tokenizer.json`;
  if (!(await statOrUndefined(jsonPath))) {
    throw new InputError(`the folder ${dir} has no tokenizer.json`, tokenizerHint(config));
  }
  let tokenizerConfig: Record<string, unknown> | undefined;
  for (const name of ["special_tokens_map.json", "tokenizer_config.json"]) {
    const file = `${dir}/${name}`;
    if (await statOrUndefined(file)) {
      tokenizerConfig = { ...tokenizerConfig, ...(await readJson(file, config)) };
    }
  }
  return { tokenizerJson: await readJson(jsonPath, config), tokenizerConfig, source: jsonPath };
}

/**
 * Loads the tokenizer for a config from a `tokenizer.json` file or a folder holding one (or from
 * tokenizer files already in memory, such as `byteLevelTokenizerFiles()`), adding the config's extra
 * special tokens (see {@link createTokenizer}).
 *
 * @example
 * ```ts
 * const tokenizer = await loadTokenizer("SmolLM2-360M-Instruct/", config);
 * tokenizer.decode(tokenizer.encode("<|im_start|>Hi")); // "Hi"
 * ```
 */
export async function loadTokenizer(
  path: string | TokenizerFiles | undefined,
  config: TokenizerModelConfig,
  options: TokenizerOptions = {},
): Promise<NanoTokenizer> {
  const files = typeof path === "object" ? path : await readTokenizerFiles(path, config);
  return createTokenizer(files, config, options);
}

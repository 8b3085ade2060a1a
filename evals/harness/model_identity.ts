/**
 * What identifies the model of a run: content hashes of the checkpoint's weights and config and of
 * the tokenizer file (the weights' hash is remembered per file in the cache folder), and the
 * model's generation (which picks the default prompts).
 *
 * @module
 */
import { fileContentHash, type Generation, InputError, openCheckpoint } from "../../src/mod.ts";
import { sha256Hex } from "./fingerprint.ts";
import type { ModelIdentity } from "./types.ts";

async function tokenizerFile(path: string): Promise<string> {
  try {
    return (await Deno.stat(path)).isDirectory ? `${path}/tokenizer.json` : path;
  } catch {
    throw new InputError(
      `no tokenizer at ${path}`,
      "pass --tokenizer <tokenizer.json or a folder holding one>",
    );
  }
}

/** The identity of a checkpoint and tokenizer (content hashes), and the model's generation. */
export async function modelIdentity(
  model: string,
  tokenizer: string,
  cacheDir: string,
): Promise<{ identity: ModelIdentity; generation: Generation }> {
  const checkpoint = await openCheckpoint(model);
  const tokenizerPath = await tokenizerFile(tokenizer);
  let tokenizerBytes: Uint8Array;
  try {
    tokenizerBytes = await Deno.readFile(tokenizerPath);
  } catch {
    throw new InputError(
      `cannot read the tokenizer ${tokenizerPath}`,
      "pass --tokenizer <tokenizer.json or a folder holding one>",
    );
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const identity: ModelIdentity = {
    path: model,
    sha256: await fileContentHash(`${model}/model.safetensors`, cacheDir),
    configSha256: sha256Hex(await Deno.readFile(`${model}/config.json`)),
    tokenizer: { path: tokenizerPath, sha256: sha256Hex(tokenizerBytes) },
  };
  return { identity, generation: checkpoint.config.generation };
}

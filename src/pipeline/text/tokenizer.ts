/**
 * Tokenizers for nanoVLM: a Hugging Face `tokenizer.json` (loaded with `@huggingface/tokenizers`)
 * plus the config's extra special tokens, with the end-of-sequence and padding tokens the original
 * code uses (spec §5.7, §6.1).
 *
 * The original calls `AutoTokenizer.from_pretrained(cfg.lm_tokenizer,
 * extra_special_tokens=cfg.vlm_extra_tokens)` and sets `pad_token = eos_token`. Tokens missing from
 * the vocabulary are appended after it in the config's insertion order, so `<|image|>` gets id
 * `lm_base_vocab_size` (49152 for the real tokenizers), `<|global_image|>` the next one, and so on.
 *
 * @module
 */
import { Tokenizer } from "@huggingface/tokenizers";
import type { Generation, NanoVLMConfig } from "../../checkpoint/mod.ts";
import { ConfigError, InputError } from "../../errors.ts";
import { specialTokenEntry } from "./tokenizer_json.ts";

/** The config fields a tokenizer depends on. */
export type TokenizerModelConfig = Pick<
  NanoVLMConfig,
  "generation" | "lm_tokenizer" | "lm_vocab_size" | "vlm_extra_tokens"
>;

/** The parsed tokenizer files: `tokenizer.json` and the optional configs beside it. */
export interface TokenizerFiles {
  /** The parsed `tokenizer.json`. */
  tokenizerJson: Record<string, unknown>;
  /** The parsed `tokenizer_config.json` merged over `special_tokens_map.json` (both optional). */
  tokenizerConfig?: Record<string, unknown>;
  /** Where the files came from, for messages (a path, or a short description). */
  source?: string;
}

/** Options of {@link createTokenizer} and `loadTokenizer`. */
export interface TokenizerOptions {
  /**
   * The end-of-sequence token (also used for padding). Default: the `eos_token` of
   * `tokenizer_config.json` / `special_tokens_map.json` when present (as `AutoTokenizer` does),
   * else the generation's: `<|endoftext|>` for v0.1, `<|im_end|>` for v0.2 and current.
   */
  eosToken?: string;
}

/** The end-of-sequence token each generation's published tokenizer names (spec §5.7, §6.1). */
export const DEFAULT_EOS_TOKEN: Readonly<Record<Generation, string>> = {
  "v0.1": "<|endoftext|>",
  "v0.2": "<|im_end|>",
  "current": "<|im_end|>",
};

/** Options of {@link NanoTokenizer.encode}. */
export interface EncodeOptions {
  /** Let the tokenizer's post-processor add its special tokens (as `tokenizer.encode`). Default true. */
  addSpecialTokens?: boolean;
  /**
   * `[start, end)` character spans (user text) where special tokens are not matched but split
   * as text, as Hugging Face's `split_special_tokens=True`. Default none.
   */
  literalSpans?: readonly (readonly [number, number])[];
}

/** Options of {@link NanoTokenizer.decode}. */
export interface DecodeOptions {
  /** Drop special tokens (eos, chat markers, image tokens) from the text. Default true. */
  skipSpecialTokens?: boolean;
}

interface AddedTokenEntry {
  id: number;
  content: string;
  special?: boolean;
  [key: string]: unknown;
}

/**
 * A tokenizer bound to one nanoVLM config: encodes prompts, decodes generated ids, and knows the
 * eos/pad ids and the ids of the config's extra tokens.
 */
export class NanoTokenizer {
  /** The code generation of the config this tokenizer was built for. */
  readonly generation: Generation;
  /** Where the tokenizer files came from. */
  readonly source: string;
  /** The end-of-sequence token (generation stops at it); also the padding token. */
  readonly eosToken: string;
  /** Id of {@link eosToken}. */
  readonly eosTokenId: number;
  /** The padding id: equal to {@link eosTokenId}, as the original sets `pad_token = eos_token`. */
  readonly padTokenId: number;
  /** Ids of the config's extra tokens by their `vlm_extra_tokens` key (`image_token`, `r1c1`, ...). */
  readonly extraTokenIds: ReadonlyMap<string, number>;
  /** Id of `<|image|>` (v0.2 and current), else undefined. */
  readonly imageTokenId: number | undefined;
  /** Number of ids: one more than the largest id of the vocabulary and added tokens. */
  readonly size: number;
  /** Characters of the longest vocabulary entry or added token (bounds text per token). */
  readonly maxTokenLength: number;
  /** Ids of all special tokens (removed by `decode` with `skipSpecialTokens`). */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The special tokens by role for chat templates (`bos_token`, `eos_token`, ...). */
  readonly specialTokensMap: Readonly<Record<string, string>>;
  readonly #tokenizer: Tokenizer;
  /** The same tokenizer without its special added tokens: they are plain text to it. */
  readonly #plain?: Tokenizer;
  /** The special added tokens' strings and ids, longest first. */
  readonly #specials: { content: string; id: number }[];
  readonly #cleanUpSpaces: boolean;

  /** Use {@link createTokenizer} or `loadTokenizer` instead. */
  constructor(fields: {
    generation: Generation;
    source: string;
    tokenizer: Tokenizer;
    plain?: Tokenizer;
    specials?: { content: string; id: number }[];
    eosToken: string;
    extraTokenIds: Map<string, number>;
    size: number;
    maxTokenLength?: number;
    specialTokenIds: Set<number>;
    specialTokensMap: Record<string, string>;
    cleanUpSpaces: boolean;
  }) {
    this.generation = fields.generation;
    this.source = fields.source;
    this.#tokenizer = fields.tokenizer;
    this.#plain = fields.plain;
    this.#specials = [...(fields.specials ?? [])].sort((a, b) =>
      b.content.length - a.content.length
    );
    this.eosToken = fields.eosToken;
    const eosId = fields.tokenizer.token_to_id(fields.eosToken);
    if (eosId === undefined) {
      throw new InputError(
        `tokenizer ${fields.source}: the end-of-sequence token ${fields.eosToken} is not in its vocabulary`,
        "use the tokenizer named by the config's lm_tokenizer, or name the eos token explicitly",
      );
    }
    this.eosTokenId = eosId;
    this.padTokenId = eosId;
    this.extraTokenIds = fields.extraTokenIds;
    this.imageTokenId = fields.extraTokenIds.get("image_token");
    this.size = fields.size;
    this.maxTokenLength = fields.maxTokenLength ?? 64;
    this.specialTokenIds = fields.specialTokenIds;
    this.specialTokensMap = {
      ...fields.specialTokensMap,
      eos_token: fields.eosToken,
      pad_token: fields.eosToken,
    };
    this.#cleanUpSpaces = fields.cleanUpSpaces;
  }

  /**
   * Encodes text to ids. Special tokens written in the text are matched as single tokens, except
   * inside {@link EncodeOptions.literalSpans}, where they are split as ordinary text (so a user
   * cannot type `<|im_end|>` and forge a turn).
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const add = options.addSpecialTokens ?? true;
    const spans = (options.literalSpans ?? []).filter(([a, b]) =>
      b > a && this.#specials.some((s) => text.slice(a, b).includes(s.content))
    );
    if (spans.length === 0 || !this.#plain) {
      return this.#tokenizer.encode(text, { add_special_tokens: add }).ids;
    }
    const plain = this.#plain;
    const literal = (i: number, end: number) => spans.some(([a, b]) => i < b && end > a);
    const ids: number[] = [];
    let run = "";
    const flush = () => {
      if (run) ids.push(...plain.encode(run, { add_special_tokens: false }).ids);
      run = "";
    };
    for (let i = 0; i < text.length;) {
      const match = this.#specials.find((s) =>
        text.startsWith(s.content, i) && !literal(i, i + s.content.length)
      );
      if (match) {
        flush();
        ids.push(match.id);
        i += match.content.length;
      } else run += text[i++];
    }
    flush();
    if (!add) return ids;
    // The post-processor's additions (e.g. a BOS), found around a probe.
    const bare = this.#tokenizer.encode("a", { add_special_tokens: false }).ids;
    const full = this.#tokenizer.encode("a", { add_special_tokens: true }).ids;
    const at = full.findIndex((_, k) => bare.every((id, j) => full[k + j] === id));
    if (at < 0) return ids;
    return [...full.slice(0, at), ...ids, ...full.slice(at + bare.length)];
  }

  /** Decodes ids to text, by default without special tokens (`skip_special_tokens=True`). */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    for (const [i, id] of ids.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= this.size) {
        throw new InputError(
          `cannot decode token id ${id} (position ${i}): the tokenizer ${this.source} has ids 0..${
            this.size - 1
          }`,
          "decode only ids produced with this tokenizer's model",
        );
      }
    }
    if (ids.length === 0) return "";
    return this.#tokenizer.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? true,
      clean_up_tokenization_spaces: this.#cleanUpSpaces,
    });
  }

  /** The id of a token string, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.#tokenizer.token_to_id(token);
  }

  /** The token string of an id, or undefined when there is none. */
  idToToken(id: number): string | undefined {
    return this.#tokenizer.id_to_token(id);
  }
}

/** Reads a token that configs store either as a string or as `{ "content": ... }`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (
    value && typeof value === "object" &&
    typeof (value as { content?: unknown }).content === "string"
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** The largest id in the model vocabulary (object or Unigram array form), or -1. */
function largestModelId(model: Record<string, unknown>): number {
  const vocab = model.vocab;
  if (Array.isArray(vocab)) return vocab.length - 1;
  if (vocab && typeof vocab === "object") {
    let max = -1;
    for (const id of Object.values(vocab as Record<string, number>)) if (id > max) max = id;
    return max;
  }
  return -1;
}

/** Characters of the longest entry of the vocabulary (object or Unigram array) or added tokens. */
function longestToken(model: Record<string, unknown>, added: readonly AddedTokenEntry[]): number {
  let longest = Math.max(1, ...added.map((t) => t.content.length));
  const vocab = model.vocab;
  const tokens = Array.isArray(vocab)
    ? vocab.map((entry) => (Array.isArray(entry) ? String(entry[0]) : ""))
    : vocab && typeof vocab === "object"
    ? Object.keys(vocab)
    : [];
  for (const token of tokens) if (token.length > longest) longest = token.length;
  return longest;
}

/** The id of `token` in the model vocabulary, if it is there. */
function modelIdOf(model: Record<string, unknown>, token: string): number | undefined {
  const vocab = model.vocab;
  if (Array.isArray(vocab)) {
    const index = vocab.findIndex((entry) => Array.isArray(entry) && entry[0] === token);
    return index < 0 ? undefined : index;
  }
  if (vocab && typeof vocab === "object") {
    const id = (vocab as Record<string, number>)[token];
    return typeof id === "number" ? id : undefined;
  }
  return undefined;
}

/**
 * Adds the config's extra tokens to a copy of the `added_tokens` list, as special tokens, in the
 * config's insertion order: a token already known keeps its id (and becomes special), a new one
 * gets the next id after everything present (as the `tokenizers` library's `add_special_tokens`).
 */
function withExtraTokens(
  json: Record<string, unknown>,
  extraTokens: Record<string, string>,
): { added: AddedTokenEntry[]; extraIds: Map<string, number> } {
  const model = json.model as Record<string, unknown>;
  const added = ((json.added_tokens as AddedTokenEntry[] | undefined) ?? []).map((t) => ({ ...t }));
  let nextId = Math.max(largestModelId(model), ...added.map((t) => t.id)) + 1;
  const extraIds = new Map<string, number>();
  for (const [key, content] of Object.entries(extraTokens)) {
    const existing = added.find((t) => t.content === content);
    if (existing) {
      existing.special = true;
      extraIds.set(key, existing.id);
      continue;
    }
    const id = modelIdOf(model, content) ?? nextId++;
    added.push(specialTokenEntry(id, content));
    extraIds.set(key, id);
  }
  return { added, extraIds };
}

/**
 * Builds a tokenizer from parsed tokenizer files for a config: adds the config's extra special
 * tokens and resolves eos/pad. Checks that every id fits the model's vocabulary.
 *
 * @example
 * ```ts
 * const tokenizerJson = JSON.parse(await Deno.readTextFile("tokenizer.json"));
 * const tokenizer = createTokenizer({ tokenizerJson }, config);
 * tokenizer.encode("Question: What is this? Answer:");
 * ```
 */
export function createTokenizer(
  files: TokenizerFiles,
  config: TokenizerModelConfig,
  options: TokenizerOptions = {},
): NanoTokenizer {
  const source = files.source ?? "(in memory)";
  const json = files.tokenizerJson;
  if (!json || typeof json !== "object" || !json.model || typeof json.model !== "object") {
    throw new InputError(
      `tokenizer ${source}: not a Hugging Face tokenizer.json (no "model" object)`,
      tokenizerHint(config),
    );
  }
  const tokenizerConfig = files.tokenizerConfig ?? {};
  const { added, extraIds } = withExtraTokens(json, config.vlm_extra_tokens ?? {});
  let tokenizer: Tokenizer;
  let plain: Tokenizer;
  try {
    tokenizer = new Tokenizer({ ...json, added_tokens: added }, tokenizerConfig);
    plain = new Tokenizer(
      { ...json, added_tokens: added.filter((t) => !t.special) },
      tokenizerConfig,
    );
  } catch (error) {
    throw new InputError(
      `tokenizer ${source}: @huggingface/tokenizers cannot load it: ${(error as Error).message}`,
      tokenizerHint(config),
      { cause: error },
    );
  }
  const size =
    Math.max(largestModelId(json.model as Record<string, unknown>), ...added.map((t) => t.id)) + 1;
  if (size > config.lm_vocab_size) {
    throw new ConfigError(
      `tokenizer ${source} has ${size} ids (with the config's extra tokens) but the model's ` +
        `lm_vocab_size is ${config.lm_vocab_size}`,
      "use the tokenizer named by the config's lm_tokenizer (the model would read past its embedding table)",
    );
  }
  const specialTokenIds = new Set(added.filter((t) => t.special).map((t) => t.id));
  const maxTokenLength = longestToken(json.model as Record<string, unknown>, added);
  for (const token of (tokenizerConfig.additional_special_tokens as unknown[] | undefined) ?? []) {
    const id = tokenizer.token_to_id(tokenContent(token) ?? "");
    if (id !== undefined) specialTokenIds.add(id);
  }
  const specialTokensMap: Record<string, string> = {};
  for (const role of ["bos_token", "unk_token"]) {
    const content = tokenContent(tokenizerConfig[role]);
    if (content !== undefined) specialTokensMap[role] = content;
  }
  const eosToken = options.eosToken ?? tokenContent(tokenizerConfig.eos_token) ??
    DEFAULT_EOS_TOKEN[config.generation];
  return new NanoTokenizer({
    generation: config.generation,
    source,
    tokenizer,
    plain,
    specials: added.filter((t) => t.special).map((t) => ({ content: t.content, id: t.id })),
    eosToken,
    extraTokenIds: extraIds,
    size,
    maxTokenLength,
    specialTokenIds,
    specialTokensMap,
    cleanUpSpaces: tokenizerConfig.clean_up_tokenization_spaces === true,
  });
}

/** The fix for a missing or unusable tokenizer: where to download the right one. */
export function tokenizerHint(config: Pick<NanoVLMConfig, "lm_tokenizer">): string {
  const repo = config.lm_tokenizer;
  if (/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    return `download tokenizer.json (and tokenizer_config.json) from https://huggingface.co/${repo} ` +
      `(the config's lm_tokenizer) and pass the file or its folder with --tokenizer`;
  }
  return "pass the tokenizer.json this checkpoint was trained with (a file or its folder) with --tokenizer";
}

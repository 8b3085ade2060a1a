/**
 * What one decoder step of {@link NanoVLMRuntime.decode} takes and gives back.
 *
 * @module
 */
import type { ort } from "./ort.ts";
import type { KVCache, KVCacheArena } from "./kv_cache.ts";

/** One decoder step's inputs. */
export interface DecodeStep {
  /** `[batch, tokens, dim]` merged embeddings of the new tokens (give this or `ids`). */
  embeds?: Float32Array;
  /** `[batch][tokens]` ids of the new tokens, embedded inside the graph (give this or `embeds`). */
  ids?: readonly (readonly number[])[];
  /** Rows. */
  batch: number;
  /** New tokens per row. */
  tokens: number;
  /** `[batch, cached + tokens]` 1/0 key mask, row-major. */
  attentionMask: ArrayLike<number>;
  /** `[batch, tokens]` RoPE positions, row-major. */
  positionIds: ArrayLike<number>;
  /** New-token indices whose logits are wanted (default: the last). */
  logitsIndex?: number[];
  /** The cache of earlier tokens (default: empty). */
  cache?: KVCache;
  /** Internal outputs to fetch (inspect flavour), e.g. `lm.attn_probs.layer0`. */
  taps?: string[];
  /**
   * Preallocated buffers the new cache is written into (see {@link KVCacheArena}): the caches
   * earlier steps of the chain returned are overwritten (with the fast flavour, the step's own
   * `cache` is grown in place). Default: fresh tensors per step.
   */
  arena?: KVCacheArena;
}

/** One decoder step's outputs. */
export interface DecodeResult {
  /** `[batch, selected, vocab]` logits. */
  logits: Float32Array;
  /** The cache including the new tokens. */
  cache: KVCache;
  /** Fetched internal outputs by name. */
  taps: Record<string, ort.Tensor>;
}

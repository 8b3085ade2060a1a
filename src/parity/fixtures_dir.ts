/**
 * Where the shared reference fixtures live: `../shared/fixtures` beside the repository, made by the
 * original PyTorch nanoVLM code and never copied into it.
 *
 * @module
 */

/** Absolute path of the shared fixtures folder (`NANOVLM_FIXTURES` overrides it). */
export const FIXTURES_DIR: string = Deno.env.get("NANOVLM_FIXTURES") ??
  decodeURIComponent(new URL("../../../shared/fixtures", import.meta.url).pathname);

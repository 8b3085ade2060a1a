/**
 * The tasks on top of generation and the decoder: caption, ask, choose, score, retrieve, embed,
 * and the continuation log-likelihood they share.
 *
 * @module
 */
export * from "./images.ts";
export * from "./loglik.ts";
export * from "./caption.ts";
export * from "./ask.ts";
export * from "./choose.ts";
export * from "./score.ts";
export * from "./retrieve.ts";
export * from "./embed.ts";

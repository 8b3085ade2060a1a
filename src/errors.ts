/**
 * The few named error classes of nanovlm-lab. Every message says what is wrong and where
 * (file, tensor, field, shape); `hint` says what to do about it. The CLI prints both and no
 * stack trace unless `--debug` is given.
 *
 * @module
 */

/** Base class of every error this toolkit raises on purpose. */
export class NanovlmError extends Error {
  /** What the user can do to fix the problem. */
  readonly hint?: string;

  /** Creates an error with a message (what and where) and an optional hint (the fix). */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** A checkpoint (safetensors file, tensor set, directory layout) is unreadable or inconsistent. */
export class CheckpointError extends NanovlmError {}

/** A `config.json` (or a config object) has missing, invalid or inconsistent values. */
export class ConfigError extends NanovlmError {}

/** User input (image, prompt, option value, data file) is invalid. */
export class InputError extends NanovlmError {}

/** The inference engine (onnxruntime, an execution provider, a graph) failed or is unavailable. */
export class EngineError extends NanovlmError {}

/** An exported bundle is incomplete, altered (a file's size or sha256 differs) or of an unknown version. */
export class BundleError extends NanovlmError {}

/** Formats an error for a terminal: the message, the hint, and the stack only when asked. */
export function formatError(error: unknown, debug = false): string {
  if (error instanceof NanovlmError) {
    const lines = [`error: ${error.message}`];
    if (error.hint) lines.push(`  fix: ${error.hint}`);
    if (debug && error.stack) lines.push(error.stack);
    if (debug && error.cause) lines.push(`caused by: ${formatError(error.cause, true)}`);
    return lines.join("\n");
  }
  if (error instanceof Error) {
    const lines = [`error: ${error.message}`];
    if (debug && error.stack) lines.push(error.stack);
    else lines.push("  (an unexpected internal error: run again with --debug for the stack trace)");
    return lines.join("\n");
  }
  return `error: ${String(error)}`;
}

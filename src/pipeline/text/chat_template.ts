/**
 * Bounded rendering of a chat template. A template read from `config.json` is untrusted: it
 * cannot run code, but `range(1000000000)` allocates gigabytes and nested loops run for hours. The
 * render here counts every evaluation step, caps the size of every string and list it makes and
 * stops at a deadline; `range` refuses more items than the step budget. A template past a limit
 * is refused with a {@link ConfigError} that names the limit.
 *
 * @module
 */
import { Environment, Interpreter, parse, tokenize } from "@huggingface/jinja";
import { ConfigError } from "../../errors.ts";

/** Limits of one chat-template render. */
export interface ChatTemplateLimits {
  /** Most evaluation steps (each expression, statement and loop pass is one or more). */
  maxSteps?: number;
  /** Most characters of any string (the output included) and items of any list. */
  maxOutputChars?: number;
  /** Most wall-clock milliseconds. */
  maxMillis?: number;
}

/**
 * The default limits: a one-message render of nanoVLM's template takes about 30 steps, of a
 * Hugging Face chat template (SmolLM2's, with tools) a few hundred; the output is the prompt
 * text, whose length the prompt bound keeps far below 4 Mi characters.
 */
export const CHAT_TEMPLATE_LIMITS: Readonly<Required<ChatTemplateLimits>> = {
  maxSteps: 200_000,
  maxOutputChars: 4 << 20,
  maxMillis: 2_000,
};

type Statement = Parameters<Interpreter["evaluate"]>[0];
type RuntimeValue = ReturnType<Interpreter["evaluate"]>;

/** Raised inside the interpreter when a limit is passed (turned into a ConfigError outside). */
class LimitExceeded extends Error {}

/** An interpreter that counts its steps and checks sizes and the clock at each. */
class BoundedInterpreter extends Interpreter {
  #steps = 0;
  readonly #limits: Required<ChatTemplateLimits>;
  readonly #deadline: number;

  constructor(env: Environment, limits: Required<ChatTemplateLimits>) {
    super(env);
    this.#limits = limits;
    this.#deadline = performance.now() + limits.maxMillis;
  }

  /** Counts one step more; throws when the step budget or the time is spent. */
  step(count = 1): void {
    this.#steps += count;
    if (this.#steps > this.#limits.maxSteps) {
      throw new LimitExceeded(
        `more than ${this.#limits.maxSteps.toLocaleString("en-US")} steps (loop passes and ` +
          "expressions)",
      );
    }
    if ((this.#steps & 1023) === 0 && performance.now() > this.#deadline) {
      throw new LimitExceeded(`more than ${this.#limits.maxMillis} ms`);
    }
  }

  override evaluate(statement: Statement, environment: Environment): RuntimeValue {
    this.step();
    const value = super.evaluate(statement, environment);
    const inner = value.value as unknown;
    const size = typeof inner === "string" || Array.isArray(inner) ? inner.length : 0;
    if (size > this.#limits.maxOutputChars) {
      throw new LimitExceeded(
        `a ${typeof inner === "string" ? "string" : "list"} of ${size.toLocaleString("en-US")} ${
          typeof inner === "string" ? "characters" : "items"
        }, over ${this.#limits.maxOutputChars.toLocaleString("en-US")}`,
      );
    }
    return value;
  }
}

/** The globals of `@huggingface/jinja`'s Template, with a `range` held to the step budget. */
function globals(env: Environment, interpreter: () => BoundedInterpreter): void {
  for (const [name, value] of [["false", false], ["true", true], ["none", null]] as const) {
    env.set(name, value);
    env.set(name[0].toUpperCase() + name.slice(1), value);
  }
  env.set("raise_exception", (message: string) => {
    throw new Error(message);
  });
  env.set("range", (start: number, stop?: number, step = 1) => {
    if (stop === undefined) [start, stop] = [0, start];
    if (step === 0) throw new Error("range() step must not be zero");
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (!Number.isFinite(count)) throw new Error(`range(${start}, ${stop}, ${step}) is not finite`);
    interpreter().step(count);
    return Array.from({ length: count }, (_, i) => start + i * step);
  });
}

/**
 * Renders a Jinja chat template over `context` (messages, special tokens, ...) within `limits`
 * (defaults {@link CHAT_TEMPLATE_LIMITS}), as `@huggingface/jinja`'s `Template` does
 * (`trim_blocks`, `lstrip_blocks`). `where` names the template in errors.
 *
 * @throws {ConfigError} when the template does not parse, raises, or passes a limit.
 * @example
 * ```ts
 * renderChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}", {
 *   messages: [{ role: "user", content: "hi" }],
 * }); // "hi"
 * ```
 */
export function renderChatTemplate(
  source: string,
  context: Readonly<Record<string, unknown>>,
  limits: ChatTemplateLimits = {},
  where = "the config's lm_chat_template",
): string {
  const bounds = { ...CHAT_TEMPLATE_LIMITS, ...limits };
  try {
    const program = parse(tokenize(source, { lstrip_blocks: true, trim_blocks: true }));
    const env = new Environment();
    const interpreter = new BoundedInterpreter(env, bounds);
    globals(env, () => interpreter);
    for (const [key, value] of Object.entries(context)) env.set(key, value);
    return String(interpreter.run(program).value);
  } catch (error) {
    if (error instanceof LimitExceeded) {
      throw new ConfigError(
        `${where} was stopped after ${error.message}: a chat template that large is not a ` +
          "prompt format",
        "use the model's own config.json, or remove lm_chat_template from it to get the " +
          "generation's default template",
      );
    }
    throw new ConfigError(
      `${where} cannot be rendered: ${(error as Error).message}`,
      "use the model's own config.json",
      { cause: error },
    );
  }
}

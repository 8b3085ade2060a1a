import { Template } from "@huggingface/jinja";
import { presetConfig } from "../../checkpoint/mod.ts";
import { ConfigError } from "../../errors.ts";
import { assertEquals, assertThrows } from "../../testing/mod.ts";
import { renderChatTemplate } from "./chat_template.ts";
import { promptText } from "./prompt.ts";

/** nanoVLM's default template (the current generation's `lm_chat_template`). */
const NANOVLM_TEMPLATE = presetConfig("tiny-current").lm_chat_template!;

const ONE_TURN = {
  messages: [{ role: "user", content: "What is this?" }],
  add_generation_prompt: true,
};

Deno.test("chat template: nanoVLM's template renders the ChatML turn of the original", () => {
  // The turn transformers' apply_chat_template gives for nanoVLM's default template (by hand).
  assertEquals(
    renderChatTemplate(NANOVLM_TEMPLATE, ONE_TURN),
    "<|im_start|>user\nWhat is this?<|im_end|>\n<|im_start|>assistant\n",
  );
});

Deno.test("chat template: within the limits a render equals @huggingface/jinja's Template", () => {
  // Hugging Face style templates: namespaces, macros, filters, loop variables, globals.
  const templates = [
    "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}" +
    "{{ loop.index }}:{{ m.role | upper }}={{ m.content | trim }}{% endfor %}|{{ ns.n }}",
    "{% macro turn(m) %}<{{ m['role'] }}>{{ m['content'] }}</{{ m['role'] }}>{% endmacro %}" +
    "{% for m in messages %}{{ turn(m) }}{% endfor %}{% if add_generation_prompt %}<a>{% endif %}",
    "{{ messages | tojson(indent=2) }}{% for i in range(2, 9, 3) %}{{ i }}{% endfor %}" +
    "{% if True and not False and none is none %}ok{% endif %}",
    "{{ bos_token }}{% for m in messages %}{{ m.content | indent(4, true) }}{% endfor %}",
  ];
  const context = {
    bos_token: "<s>",
    messages: [{ role: "system", content: " be brief\nplease " }, {
      role: "user",
      content: "hi",
    }],
    add_generation_prompt: true,
  };
  for (const source of templates) {
    assertEquals(renderChatTemplate(source, context), new Template(source).render(context));
  }
});

Deno.test("chat template: range(1,000,000,000) is refused before it allocates", () => {
  assertThrows(
    () => renderChatTemplate("{% for i in range(1000000000) %}x{% endfor %}", ONE_TURN),
    ConfigError,
    /stopped after more than 200,000 steps/,
  );
});

Deno.test("chat template: nested loops stop at the step budget", () => {
  // 4,000 x 4,000 passes: 16 million, far past the 200,000-step budget.
  assertThrows(
    () =>
      renderChatTemplate(
        "{% for i in range(4000) %}{% for j in range(4000) %}{% endfor %}{% endfor %}",
        ONE_TURN,
      ),
    ConfigError,
    /stopped after more than 200,000 steps \(loop passes and expressions\)/,
  );
});

Deno.test("chat template: a string doubled in a loop stops at the output cap", () => {
  // 2^40 characters after 40 doublings; the cap is 4 Mi characters (2^22).
  assertThrows(
    () =>
      renderChatTemplate(
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}" +
          "{% endfor %}{{ ns.s }}",
        ONE_TURN,
      ),
    ConfigError,
    /stopped after a string of 8,388,608 characters, over 4,194,304/,
  );
});

Deno.test("chat template: the clock stops a render that stays under the step budget", () => {
  assertThrows(
    () =>
      renderChatTemplate(
        "{% for i in range(3000) %}{% for j in range(3000) %}{{ i * j }}{% endfor %}{% endfor %}",
        ONE_TURN,
        { maxSteps: 1e12, maxMillis: 20 },
      ),
    ConfigError,
    /stopped after more than 20 ms/,
  );
});

Deno.test("chat template: raise_exception and syntax errors are named config errors", () => {
  assertThrows(
    () => renderChatTemplate("{{ raise_exception('only user turns') }}", ONE_TURN),
    ConfigError,
    /lm_chat_template cannot be rendered: only user turns/,
  );
  assertThrows(
    () => renderChatTemplate("{% for m in messages %}", ONE_TURN),
    ConfigError,
    /lm_chat_template cannot be rendered/,
  );
});

Deno.test("chat template: a prompt of a config with a runaway template is refused", () => {
  const config = {
    ...presetConfig("tiny-current"),
    lm_chat_template: "{% for i in range(100000) %}{% for j in range(100000) %}" +
      "{% endfor %}{% endfor %}",
  };
  assertThrows(
    () => promptText(config, { text: "hi", images: [[1, 1]] }),
    ConfigError,
    /the config's lm_chat_template was stopped after more than 200,000 steps/,
  );
});

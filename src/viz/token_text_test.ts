import { assertEquals } from "../testing/mod.ts";
import { showToken } from "./token_text.ts";

Deno.test("showToken makes a leading space, newlines, tabs and control bytes visible", () => {
  assertEquals(showToken(" red"), "␣red");
  assertEquals(showToken("a b"), "a b");
  assertEquals(showToken("\n\t\u0001"), "⏎⇥·");
  assertEquals(showToken("<|im_start|>", 8), "<|im_st…");
});

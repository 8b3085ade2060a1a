import { assertEquals, assertThrows } from "../../testing/mod.ts";
import { InputError } from "../../errors.ts";
import {
  findStopString,
  resolveStoppingOptions,
  stopReason,
  streamableLength,
  suppressedIds,
} from "./stopping.ts";

Deno.test("stopping: defaults per generation and validation", () => {
  assertEquals(resolveStoppingOptions({}, "v0.1"), {
    maxNewTokens: 20,
    minNewTokens: 0,
    stopStrings: [],
  });
  assertEquals(resolveStoppingOptions({}, "current").maxNewTokens, 300);
  assertThrows(
    () => resolveStoppingOptions({ maxNewTokens: -1 }, "v0.2"),
    InputError,
    /max_new_tokens must be an integer >= 0, got -1/,
  );
  assertThrows(
    () => resolveStoppingOptions({ minNewTokens: -2 }, "v0.2"),
    InputError,
    /min_new_tokens/,
  );
  assertThrows(
    () => resolveStoppingOptions({ maxNewTokens: 1.5 }, "v0.2"),
    InputError,
    /max_new_tokens/,
  );
  assertThrows(
    () => resolveStoppingOptions({ maxNewTokens: 3, minNewTokens: 4 }, "v0.2"),
    InputError,
    /min_new_tokens \(4\) is larger than max_new_tokens \(3\)/,
  );
  assertThrows(
    () => resolveStoppingOptions({ stopStrings: [""] }, "v0.2"),
    InputError,
    /non-empty/,
  );
});

Deno.test("stopping: eos is suppressed until min_new_tokens tokens exist", () => {
  const options = resolveStoppingOptions({ minNewTokens: 2 }, "current");
  assertEquals(suppressedIds(0, options, [2]), [2]);
  assertEquals(suppressedIds(1, options, [2]), [2]);
  assertEquals(suppressedIds(2, options, [2]), []);
});

Deno.test("stopping: stop strings are found at their earliest position", () => {
  assertEquals(findStopString("a cat. A dog\n", ["\n", "."]), { index: 5, stop: "." });
  assertEquals(findStopString("a cat. A dog\n", ["\n", "."], 6), { index: 12, stop: "\n" });
  assertEquals(findStopString("abc", ["x"]), undefined);
});

Deno.test("stopping: streams hold back possible stop-string prefixes and broken characters", () => {
  assertEquals(streamableLength("Hello Wor", ["World"]), 6);
  assertEquals(streamableLength("Hello", ["World"]), 5);
  assertEquals(streamableLength("a<|e", ["<|end|>", "<"]), 1);
  assertEquals(streamableLength("caf\uFFFD", []), 3);
  assertEquals(streamableLength("", ["x"]), 0);
});

Deno.test("stopping: reasons in order eos, stop string, length", () => {
  const options = resolveStoppingOptions({ maxNewTokens: 3, stopStrings: ["."] }, "current");
  assertEquals(stopReason({ ids: [5] }, options, [2]), undefined);
  assertEquals(stopReason({ ids: [5, 2] }, options, [2]), "eos");
  assertEquals(stopReason({ ids: [5, 6], text: "Hi." }, options, [2]), "stop_string");
  assertEquals(stopReason({ ids: [5, 6, 7], text: "Hi" }, options, [2]), "length");
  assertEquals(
    stopReason({ ids: [] }, resolveStoppingOptions({ maxNewTokens: 0 }, "v0.1"), [0]),
    "length",
  );
});

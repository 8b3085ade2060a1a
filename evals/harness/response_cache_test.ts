import { assertEquals, withTempDir } from "../../src/testing/mod.ts";
import { ResponseCache } from "./response_cache.ts";

Deno.test("response cache: responses, an empty one included, are read back after reopening; a repeated key keeps the first", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/cache/responses.jsonl`;
    const cache = await ResponseCache.open(path);
    const said = { prediction: "two", tokens: [7, 0], text: "two" };
    const silent = { prediction: "", tokens: [], text: "" };
    await cache.put([{ key: "a", response: said }, { key: "b", response: silent }]);
    await cache.put([{ key: "a", response: silent }]);
    cache.close();
    const reopened = await ResponseCache.open(path);
    assertEquals(reopened.size, 2);
    assertEquals(reopened.get("a"), said);
    assertEquals(reopened.get("b"), silent);
    assertEquals(reopened.get("c"), undefined);
    reopened.close();
  });
});

import { InputError } from "../../src/mod.ts";
import { assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { parseShard, planTasks } from "./plan.ts";
import { loadSuite } from "./suite.ts";

Deno.test("shards: i/n parses; 3/2, 0/2 and junk are named errors", () => {
  assertEquals(parseShard("2/3"), { index: 2, count: 3 });
  for (const bad of ["3/2", "0/2", "1/0", "a/b", "1-2"]) {
    assertThrows(() => parseShard(bad), InputError, /not a shard i\/n/);
  }
});

Deno.test("shards partition every task's items: each item in exactly one shard, in order", async () => {
  const suite = await loadSuite("smoke");
  const full = planTasks(suite);
  const count = 3;
  const shards = Array.from(
    { length: count },
    (_, i) => planTasks(suite, { shard: { index: i + 1, count } }),
  );
  full.forEach((task, t) => {
    const union = shards.flatMap((s) => s[t].assigned.map((item) => item.id));
    assertEquals(union.sort(), task.items.map((item) => item.id).sort());
    assertEquals(new Set(union).size, union.length);
    for (const s of shards) assertEquals(s[t].items, task.items);
  });
});

Deno.test("limits: a task's own limit and --limit both cap its items", async () => {
  const suite = await loadSuite("smoke");
  const vqa = suite.tasks.findIndex((t) => t.name === "vqa");
  assertEquals(planTasks(suite)[vqa].items.length, suite.tasks[vqa].limit);
  assertEquals(planTasks(suite, { limit: 2 })[vqa].items.length, 2);
  assertEquals(planTasks(suite, { limit: 2 })[vqa].items.every((i) => i.task === "vqa"), true);
});

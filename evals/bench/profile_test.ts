import { assertClose, assertEquals } from "../../src/testing/mod.ts";
import { formatBreakdown, type ProfileEvent, stepBreakdown } from "./profile.ts";

const run = (ts: number, dur: number): ProfileEvent => ({
  cat: "Session",
  name: "model_run",
  ts,
  dur,
});
const kernel = (op: string, ts: number, dur: number): ProfileEvent => ({
  cat: "Node",
  name: `${op}_node_kernel_time`,
  ts,
  dur,
  args: { op_name: op },
});

Deno.test("stepBreakdown: kernels count for the chosen runs only, per step", () => {
  // Run 0 (a prefill) is left out; runs 1 and 2 are decode steps of 1000 and 1200 µs.
  const events = [
    run(0, 5000),
    kernel("MatMul", 100, 4000),
    run(10_000, 1000),
    kernel("MatMul", 10_100, 300),
    kernel("MatMul", 10_500, 300),
    kernel("Add", 10_900, 50),
    run(20_000, 1200),
    kernel("MatMul", 20_100, 400),
    kernel("MatMul", 20_600, 400),
    kernel("Add", 21_100, 50),
    { cat: "Session", name: "session_initialization", ts: 0, dur: 99_999 },
  ];
  const b = stepBreakdown(events, [1, 2]);
  assertEquals(b.runs, 2);
  assertEquals(b.ops.map((o) => [o.op, o.calls]), [["MatMul", 2], ["Add", 1]]);
  assertClose(b.ops[0].ms, 0.7, 1e-12); // (600 + 800) / 2 µs
  assertClose(b.kernelsMs, 0.75, 1e-12);
  assertClose(b.runMs, 1.1, 1e-12);
  // A 1.5 ms step: 50% kernels, 23% onnxruntime outside them, 27% outside onnxruntime.
  const table = formatBreakdown(b, 1.5);
  assertEquals(table.split("\n").slice(-3), [
    "| **all kernels** |  | 0.750 | 50% |",
    "| onnxruntime outside its kernels |  | 0.350 | 23% |",
    "| outside onnxruntime (binding, this process) |  | 0.400 | 27% |",
  ]);
});

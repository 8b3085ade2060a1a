import { learningRate } from "./shapes_schedule.ts";

Deno.test("shapes schedule: warm-up, cosine to a tenth, then flat (hand-derived points)", () => {
  const schedule = { lr: 1e-3, warmup: 10, start: 100, end: 210 };
  const expected: [number, number][] = [
    [100, 1e-4], // first warm-up step: lr / warmup
    [104, 5e-4],
    [109, 1e-3], // last warm-up step
    [110, 1e-3], // cosine at progress 0
    [160, 5.5e-4], // progress 1/2: 0.1 + 0.9 · 0.5
    [210, 1e-4], // the end: a tenth
    [400, 1e-4], // held after the end
  ];
  for (const [step, lr] of expected) {
    const got = learningRate(schedule, step);
    if (!(Math.abs(got - lr) < 1e-12)) throw new Error(`step ${step}: ${got}, expected ${lr}`);
  }
});

import { InputError } from "../errors.ts";
import { assertClose, assertEquals, assertThrows } from "../testing/mod.ts";
import { pca } from "./pca.ts";

Deno.test("pca: four points on two perpendicular lines, rotated 45°: axes and variances by hand", () => {
  // Points (±2, 0) and (0, ±1) rotated by 45°. Mean 0. Along u = (1, 1)/√2 the squared
  // coordinates sum to 8, along v = (1, −1)/√2 to 2; with n − 1 = 3: variances 8/3 and 2/3,
  // explaining 80% and 20%.
  const s = Math.SQRT1_2;
  const points = [[2, 0], [-2, 0], [0, 1], [0, -1]].flatMap((
    [a, b],
  ) => [s * a - s * b, s * a + s * b]);
  const result = pca(points, 4, 2);
  assertClose(result.variances[0], 8 / 3, 1e-12);
  assertClose(result.variances[1], 2 / 3, 1e-12);
  assertClose(result.explained[0], 0.8, 1e-12);
  assertClose(result.explained[1], 0.2, 1e-12);
  // u = (s, s); v up to sign is (s, −s), and the sign rule makes its largest entry (the first,
  // on a tie) positive.
  assertClose(result.components[0][0], s, 1e-9);
  assertClose(result.components[0][1], s, 1e-9);
  assertClose(result.components[1][0], s, 1e-9);
  assertClose(result.components[1][1], -s, 1e-9);
  // Scores: the points' coordinates along u and v.
  const expected = [[2, -2, 0, 0], [0, 0, -1, 1]];
  expected.forEach((row, k) => row.forEach((v, i) => assertClose(result.scores[k][i], v, 1e-9)));
});

Deno.test("pca: an offset rank-one cloud in 3-D has one axis and no other variance", () => {
  // Rows t·(1, 2, 2)/3 + (5, 5, 5) for t = −1, 0, 1, 2: mean (5, 5, 5) + 0.5·(1, 2, 2)/3,
  // variance of t is 5/3.
  const axis = [1 / 3, 2 / 3, 2 / 3];
  const ts = [-1, 0, 1, 2];
  const data = ts.flatMap((t) => axis.map((a) => 5 + t * a));
  const result = pca(data, 4, 3, { components: 2 });
  assertClose(result.mean[0], 5 + 0.5 / 3, 1e-12);
  assertClose(result.variances[0], 5 / 3, 1e-10);
  assertClose(result.variances[1], 0, 1e-10);
  axis.forEach((a, i) => assertClose(result.components[0][i], a, 1e-9));
  assertClose(result.explained[0], 1, 1e-10);
  // A second axis still comes back as a unit vector orthogonal to the first.
  const [u, v] = result.components;
  assertClose(u[0] * v[0] + u[1] * v[1] + u[2] * v[2], 0, 1e-9);
  assertClose(Math.hypot(...v), 1, 1e-9);
});

Deno.test("pca: wide data (more columns than rows) agrees with the covariance eigenvalues", () => {
  // 3 rows in 5-D: centred rows r1 = (1,0,0,0,0)·2, r2 = (0,1,0,0,0)·−2, r3 = −r1 − r2.
  // X = [[2,0],[0,−2],[−2,2]] in the first two coordinates; XᵀX = [[8,−4],[−4,8]] with
  // eigenvalues 12 and 4, so variances (÷2) are 6 and 2.
  const rows = [[2, 0, 0, 0, 0], [0, -2, 0, 0, 0], [-2, 2, 0, 0, 0]];
  const result = pca(rows.flat(), 3, 5, { components: 2 });
  assertClose(result.variances[0], 6, 1e-9);
  assertClose(result.variances[1], 2, 1e-9);
});

Deno.test("pca refuses inputs it cannot analyse", () => {
  assertThrows(() => pca([1, 2], 1, 2), InputError, /1x2 data is too small/);
  assertThrows(() => pca([1, 2, 3], 2, 2), InputError, /3 values for 2x2/);
  assertThrows(
    () => pca([1, 2, 3, 4], 2, 2, { components: 3 }),
    InputError,
    /3 components asked of 2x2/,
  );
  assertEquals(pca([0, 0, 0, 0], 2, 2).explained, [0, 0]);
});

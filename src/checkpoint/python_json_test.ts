import { assert, assertEquals } from "../testing/mod.ts";
import { parsePythonJson, PyFloat, pythonFloatRepr, pythonJsonDumps } from "./python_json.ts";

// Expected strings are CPython 3.11's repr(float) / json.dumps output, written down by hand.
Deno.test("python_json: float repr matches CPython", () => {
  const cases: [number, string][] = [
    [1e-6, "1e-06"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [0.00012, "0.00012"],
    [1e16, "1e+16"],
    [1234567890123456, "1234567890123456.0"],
    [1.5e-7, "1.5e-07"],
    [-0, "-0.0"],
    [0, "0.0"],
    [100, "100.0"],
    [0.1, "0.1"],
    [2.5e-5, "2.5e-05"],
    [1e22, "1e+22"],
    [123456789.123, "123456789.123"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-2.5, "-2.5"],
  ];
  for (const [x, expected] of cases) assertEquals(pythonFloatRepr(x), expected, `repr(${x})`);
});

Deno.test("python_json: dumps with indent=4 matches CPython (escapes, nesting, empties)", () => {
  const value = {
    a: 'é\u2028\x7f\x01"\\ \u{1F600}',
    b: {},
    c: [],
    d: [1, { x: null }],
  };
  const expected = [
    "{",
    '    "a": "\\u00e9\\u2028\\u007f\\u0001\\"\\\\ \\ud83d\\ude00",',
    '    "b": {},',
    '    "c": [],',
    '    "d": [',
    "        1,",
    "        {",
    '            "x": null',
    "        }",
    "    ]",
    "}",
  ].join("\n");
  assertEquals(pythonJsonDumps(value), expected);
});

Deno.test("python_json: parse keeps int vs float as written", () => {
  const parsed = parsePythonJson('{"i": 100000, "f": 1.0, "e": 1e-06, "n": {"x": 2.50}}') as Record<
    string,
    unknown
  >;
  assertEquals(parsed.i, 100000);
  assert(parsed.f instanceof PyFloat && parsed.f.value === 1);
  assert(parsed.e instanceof PyFloat && parsed.e.value === 1e-6);
  const n = parsed.n as Record<string, unknown>;
  assert(n.x instanceof PyFloat && n.x.value === 2.5);
  assertEquals(
    pythonJsonDumps(parsed as never),
    '{\n    "i": 100000,\n    "f": 1.0,\n    "e": 1e-06,\n    "n": {\n        "x": 2.5\n    }\n}',
  );
});

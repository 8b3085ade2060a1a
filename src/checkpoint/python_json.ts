/**
 * JSON exactly as CPython's `json` module reads and writes it, for byte-identical `config.json`
 * round trips: `json.dumps(obj, indent=4)` formatting (4-space indent, `": "` and `","`
 * separators, `ensure_ascii` escapes, Python float `repr`, no trailing newline), and a parser that
 * remembers whether each number was written as a Python `float` or `int`.
 *
 * @module
 */

/** A number that Python holds as a `float` (written `1.0`, `1e-06`), not an `int`. */
export class PyFloat {
  /** Wraps a number that serialises as a Python float. */
  constructor(readonly value: number) {}
}

/** A JSON value as Python sees it: floats are {@link PyFloat}, ints are plain numbers. */
export type PyJson =
  | null
  | boolean
  | number
  | PyFloat
  | string
  | PyJson[]
  | { [key: string]: PyJson };

/**
 * Parses JSON text, wrapping every number written with a fraction or exponent (a Python `float`
 * after `json.loads`) in a {@link PyFloat}. Throws the `SyntaxError` of `JSON.parse`.
 */
export function parsePythonJson(text: string): PyJson {
  return JSON.parse(text, function (_key, value, context?: { source?: string }) {
    if (typeof value === "number" && context?.source !== undefined) {
      return /[.eE]/.test(context.source) ? new PyFloat(value) : value;
    }
    return value;
  });
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  const sign = x < 0 ? "-" : "";
  const decimalPoint = exponent + 1; // value = 0.<digits> x 10^decimalPoint
  if (decimalPoint <= -4 || decimalPoint > 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (decimalPoint <= 0) return `${sign}0.${"0".repeat(-decimalPoint)}${digits}`;
  if (decimalPoint >= digits.length) {
    return `${sign}${digits}${"0".repeat(decimalPoint - digits.length)}.0`;
  }
  return `${sign}${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`;
}

/** A Python string literal as `json.dumps(s, ensure_ascii=True)` writes it. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** Serialises like `json.dumps(value, indent=4)`: nested indentation, no trailing newline. */
export function pythonJsonDumps(value: PyJson, indent = 4, level = 0): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === "number") {
    return Number.isInteger(value) ? value.toFixed(0) : pythonFloatRepr(value);
  }
  if (typeof value === "string") return pythonJsonString(value);
  const inner = "\n" + " ".repeat(indent * (level + 1));
  const outer = "\n" + " ".repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${inner}${
      value.map((v) => pythonJsonDumps(v, indent, level + 1)).join(`,${inner}`)
    }${outer}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{${inner}${
    entries.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v, indent, level + 1)}`)
      .join(`,${inner}`)
  }${outer}}`;
}

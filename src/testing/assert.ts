/**
 * Test assertions (JSR's `@std/assert` is not reachable here, so these wrap `node:assert`).
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Asserts deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts that a condition holds. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Asserts `|actual - expected| <= tolerance`. */
export function assertClose(
  actual: number,
  expected: number,
  tolerance: number,
  message = "",
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new nodeAssert.AssertionError({
      message: `${message} expected ${expected} ± ${tolerance}, got ${actual}`.trim(),
    });
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

function checkError(error: unknown, errorClass: ErrorClass, pattern?: RegExp): Error {
  if (!(error instanceof errorClass)) {
    throw new nodeAssert.AssertionError({
      message: `expected ${errorClass.name}, got ${
        error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      }`,
    });
  }
  if (pattern && !pattern.test(error.message)) {
    throw new nodeAssert.AssertionError({
      message: `error message "${error.message}" does not match ${pattern}`,
    });
  }
  return error;
}

/** Asserts that `fn` throws an instance of `errorClass` whose message matches `pattern`. */
export function assertThrows(fn: () => unknown, errorClass: ErrorClass, pattern?: RegExp): Error {
  try {
    fn();
  } catch (error) {
    return checkError(error, errorClass, pattern);
  }
  throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}

/** Asserts that `fn` rejects with an instance of `errorClass` whose message matches `pattern`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  errorClass: ErrorClass,
  pattern?: RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, errorClass, pattern);
  }
  throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name} to be rejected` });
}

/**
 * The check that a graph's consumed outputs hold usable numbers: NaN, +-Inf or saturated values
 * are an {@link EngineError}, never a result.
 *
 * @module
 */
import type { ort } from "./ort.ts";
import type { GraphName } from "../model/mod.ts";
import { EngineError } from "../errors.ts";

/** The outputs every task consumes: a NaN or Inf in them is an error, never a result. */
export const FINITE_OUTPUTS = new Set(["image_embeds", "inputs_embeds", "logits"]);

/**
 * Values past sqrt(float32 max): the squares in the next RMSNorm/LayerNorm overflow to Inf, so the
 * model silently computes zeros (a saturated head gives an "empty" caption).
 */
const SATURATED = 2 ** 64;

/**
 * Refuses a graph output holding NaN, +-Inf or saturated values, naming graph, output, index
 * (`tensor` is an onnxruntime tensor, or float32 values with their dims computed without one).
 */
export function checkFinite(
  graph: GraphName,
  name: string,
  tensor: Pick<ort.Tensor, "data" | "dims">,
): void {
  const data = tensor.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v > -SATURATED && v < SATURATED)) {
      const what = Number.isFinite(v) ? `${v}, a saturated value (|x| >= 2^64)` : String(v);
      throw new EngineError(
        `the ${graph} graph's output ${name} holds ${what} (first at element ${i} of ` +
          `${data.length}, shape [${tensor.dims.join(", ")}]): the weights or the inputs are ` +
          "not usable numbers",
        "run `nanovlm info --check <model>` to list weight tensors holding NaN, Inf or saturated values",
      );
    }
  }
}

/**
 * onnxruntime-node, imported in exactly one place so that its telemetry is switched off before the
 * native library loads (see `telemetry_off.ts`). Every other module uses `ort` from here; a test
 * keeps it that way.
 *
 * @module
 */
import "./telemetry_off.ts";
import * as ort from "onnxruntime-node";

/** The onnxruntime-node namespace (`ort.InferenceSession`, `ort.Tensor`), telemetry off. */
export { ort };

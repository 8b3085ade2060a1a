/**
 * Turns onnxruntime's telemetry off before its native library loads. onnxruntime-node 1.30 ships
 * Microsoft's 1DS telemetry client: about 10 s into a run that creates a session it looks up
 * `mobile.events.data.microsoft.com`, queues events with a device id under
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime`, and writes `mat-debug-<pid>.log` into the
 * system temp folder on load. Native code ignores Deno's permissions, so the library's own switch,
 * the environment variable `ORT_DISABLE_TELEMETRY=1`, is set here; `src/runtime/ort.ts` imports
 * this module before onnxruntime-node, and is the only module that imports onnxruntime-node.
 *
 * @module
 */

/** The environment variable onnxruntime reads to disable its telemetry. */
export const ORT_TELEMETRY_SWITCH = "ORT_DISABLE_TELEMETRY";

try {
  Deno.env.set(ORT_TELEMETRY_SWITCH, "1");
} catch {
  // Without --allow-env the switch cannot be set; createSession refuses to run then.
}

/** Whether onnxruntime's telemetry switch is set in this process. */
export function telemetryOff(): boolean {
  try {
    return Deno.env.get(ORT_TELEMETRY_SWITCH) === "1";
  } catch {
    return false;
  }
}

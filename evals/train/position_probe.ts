/**
 * How well the image tokens of a ShapesBench model say where they are: a linear probe
 * ({@link trainProbe}) of the row and the column of each occupied cell's token, from the vision
 * encoder's output and from the projector's (what the decoder sees), on pictures of a seed never
 * trained on, scored on a held-out half. Relative-position questions need it near 100%.
 *
 * ```sh
 * deno run -A evals/train/position_probe.ts --model data/models/shapes-nano [--images 400]
 * ```
 *
 * @module
 */
import { init } from "@jax-js/jax";
import {
  loadParams,
  modalityProjector,
  toDevice,
  trainProbe,
  visionEncoder,
} from "../../src/train/mod.ts";
import { ShapesStream } from "./shapes_data.ts";
import { patchesOf } from "./shapes_model.ts";
import { countFlag, flagValue, runScript } from "./cli_flags.ts";

/** Held-out probe accuracies of the occupied cells' row and column, per read-out point. */
export type PositionReadout = Record<"vision" | "projector", { row: number; column: number }>;

/** Reads out the model folder `model` on `images` pictures of data seed `seed`. */
export async function positionReadout(
  model: string,
  images = 400,
  seed = 4242,
): Promise<PositionReadout> {
  const { config, params } = await loadParams(model);
  const p = toDevice(params);
  const stream = new ShapesStream({ seed, size: config.vit_img_size });
  const features = { vision: [] as Float32Array[], projector: [] as Float32Array[] };
  const rows: string[] = [], columns: string[] = [];
  for (let first = 0; first < images; first += 50) {
    const scenes = [], pixels = [];
    for (let n = first; n < Math.min(images, first + 50); n++) {
      const image = stream.image(n);
      scenes.push(image.scene);
      pixels.push(image.pixels);
    }
    const vision = visionEncoder(patchesOf(pixels, config), { ...p }, config);
    const projected = modalityProjector(vision.ref, { ...p }, config);
    const [v, m] = [await vision.data(), await projected.data()] as Float32Array[];
    const dv = v.length / (scenes.length * 9), dm = m.length / (scenes.length * 9);
    scenes.forEach((scene, j) => {
      for (const o of scene.objects) {
        const token = j * 9 + o.row * 3 + o.col;
        features.vision.push(v.slice(token * dv, (token + 1) * dv));
        features.projector.push(m.slice(token * dm, (token + 1) * dm));
        rows.push(String(o.row));
        columns.push(String(o.col));
      }
    });
  }
  const accuracy = async (x: Float32Array[], labels: string[]) =>
    (await trainProbe(x, labels, { valSplit: 0.5 })).accuracy;
  const read = async (x: Float32Array[]) => ({
    row: await accuracy(x, rows),
    column: await accuracy(x, columns),
  });
  return { vision: await read(features.vision), projector: await read(features.projector) };
}

if (import.meta.main) {
  await runScript(async () => {
    await init("wasm");
    const model = flagValue("model") ?? "data/models/shapes-nano";
    const images = countFlag("images", 400);
    const readout = await positionReadout(model, images);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(
      `where an object's token is, read by a linear probe (${images} pictures), ${model}:`,
    );
    for (const [where, { row, column }] of Object.entries(readout)) {
      console.log(`  ${where.padEnd(9)} row ${pct(row)}  column ${pct(column)}`);
    }
  });
}

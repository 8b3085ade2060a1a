/**
 * Parity with the original PyTorch code: feeds a fixture's exact inputs through every stage of our
 * graphs and compares each golden tensor present, then checks greedy generation (single prompt and
 * padded batch) token by token.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import {
  concatFloat32,
  type DecoderPrompt,
  greedyDecode,
  loadImage,
  mergeImageEmbeddings,
  preprocessImage,
} from "../pipeline/mod.ts";
import {
  type Flavour,
  formatPrecision,
  type ModulePrecision,
  type Precision,
} from "../model/mod.ts";
import type { NanoVLMRuntime, ResolvedProvider } from "../runtime/mod.ts";
import { type Bounds, compareTensors, type StageComparison } from "./compare.ts";
import { type Fixture, golden, goldenShape } from "./fixture.ts";

/** Stages every fixture must provide goldens for. */
export const CORE_STAGES = [
  "preprocess.pixel_values",
  "mp.output",
  "lm.logits",
  "gen.step_logits",
] as const;

/** Expected and generated greedy ids. */
export interface GreedyCheck<T> {
  /** The ids the original code generated (the fixture's). */
  expected: T;
  /** The ids our runtime generated. */
  got: T;
  /** Whether they are identical. */
  pass: boolean;
}

/** The result of a parity run. */
export interface ParityReport {
  /** Whether every stage passed and, at fp32, both greedy checks too. */
  pass: boolean;
  /** The fixture's name (from its manifest). */
  fixture: string;
  /** The fixture's code generation. */
  generation: string;
  /** The runtime's precision (`formatPrecision`); its lowest module precision chose the bounds. */
  precision: string;
  /** The flavour of the runtime's graphs (`inspect` also compares internal stages). */
  flavour: Flavour;
  /** The execution provider the graphs ran on. */
  provider: ResolvedProvider;
  /** One comparison per golden tensor the fixture holds and the run produced. */
  stages: StageComparison[];
  /** Greedy ids of the single prompt and of the padded batch. */
  greedy: { single: GreedyCheck<number[]>; batch: GreedyCheck<number[][]> };
}

/** The logits cosine each reduced precision must keep (its drift elsewhere is reported only). */
const LOGITS_COSINE: Record<Exclude<Precision, "fp32">, number> = {
  fp16: 0.999,
  int8: 0.99,
  int4: 0.8,
};

/** The precision that sets a mix's bounds: its lowest (fp32 < fp16 < int8 < int4). */
export function lowestPrecision(precision: ModulePrecision): Precision {
  const order: Precision[] = ["fp32", "fp16", "int8", "int4"];
  return order[Math.max(...Object.values(precision).map((p) => order.indexOf(p)))];
}

/**
 * Bounds per precision: fp32 within 1e-4 of each golden's max-abs; lower precisions judged by the
 * logits' cosine (fp16 0.999, int8 0.99, int4 0.8 — the tiny random fixtures are harsh on 4 bits);
 * quantised ones on the prefill logits only, since generation steps follow their own greedy path.
 */
export function parityBounds(precision: Precision, stage: string): Bounds {
  if (stage.startsWith("preprocess.")) return { rel: 1 / 255 }; // pixels are in [0, 1]: ±1 LSB
  if (precision === "fp32") return { rel: 1e-4 };
  const judged = precision === "fp16" || !stage.includes("gen.");
  return judged && stage.endsWith("logits")
    ? { rel: Infinity, cosine: LOGITS_COSINE[precision] }
    : { rel: Infinity };
}

/**
 * Runs every stage of a fixture through `runtime` and compares.
 *
 * @example
 * ```ts
 * const fixture = await openFixture("fixtures/reference/v0.1-tiny");
 * const checkpoint = await openCheckpoint(`${fixture.dir}/checkpoint`);
 * const runtime = await NanoVLMRuntime.load(checkpoint, { flavour: "inspect" });
 * const report = await runParity(fixture, runtime);
 * report.pass; // true when every golden stage and both greedy checks match
 * await runtime.release();
 * ```
 */
export async function runParity(
  fixture: Fixture,
  runtime: NanoVLMRuntime,
): Promise<ParityReport> {
  const precision = lowestPrecision(runtime.options.precision);
  const stages: StageComparison[] = [];
  // A stage is compared with the golden of the same name (`preprocess.X` with golden `X`).
  const check = async (name: string, got: ArrayLike<number>, keep?: (i: number) => boolean) => {
    const want = await golden(fixture, name.replace(/^preprocess\./, ""));
    if (want) stages.push(compareTensors(name, got, want, parityBounds(precision, name), keep));
  };
  const cfg = runtime.config;
  const inspect = runtime.options.flavour === "inspect";
  const { manifest } = fixture;

  // Preprocessing: the fixture's image files through our pipeline vs the pixel values it fed.
  const singleImage = await pipelinePixels(fixture, [manifest.cases.single.image], cfg);
  await check("preprocess.pixel_values", singleImage);
  await check(
    "preprocess.batch.pixel_values",
    await pipelinePixels(fixture, manifest.cases.padded_batch.images, cfg),
  );

  // Vision and projector on the exact pixel values.
  const pixels = (await golden(fixture, "pixel_values"))!;
  const visionTaps = inspect
    ? runtime.outputNames("vision").filter((n) => n !== "image_embeds")
    : [];
  const vision = await runtime.encodeImages(
    pixels,
    goldenShape(fixture, "pixel_values")[0],
    visionTaps,
  );
  for (const [name, tensor] of Object.entries(vision.taps)) {
    await check(name, tensor.data as Float32Array);
  }
  await check("mp.output", vision.embeds);

  // Single prompt: merged embeddings, prefill at every position, then greedy decoding.
  const single = manifest.cases.single;
  const singlePrompt = await mergedPrompt(runtime, fixture, [single.input_ids], vision.embeds, [
    single.input_ids.map(() => 1),
  ]);
  await check("lm.inputs_embeds", singlePrompt.embeds);
  const decoderTaps = inspect
    ? runtime.outputNames("decoder").filter((n) => n.startsWith("lm.") && n !== "lm.inputs_embeds")
    : [];
  const prefill = await runtime.decode({
    embeds: singlePrompt.embeds,
    batch: 1,
    tokens: singlePrompt.length,
    attentionMask: singlePrompt.attentionMask.flat(),
    positionIds: [...Array(singlePrompt.length).keys()],
    logitsIndex: [...Array(singlePrompt.length).keys()],
    taps: decoderTaps,
  });
  for (const [name, tensor] of Object.entries(prefill.taps)) {
    await check(name, tensor.data as Float32Array);
  }
  await check("lm.logits", prefill.logits);
  const greedy = manifest.cases.greedy;
  const singleRun = await greedyDecode(runtime, singlePrompt, greedy.max_new_tokens);
  await check("gen.step_logits", singleRun.stepLogits);

  // Padded batch: left padding, the manifest's masks; compare valid positions only.
  const batch = manifest.cases.padded_batch;
  const batchPixels = (await golden(fixture, "batch.pixel_values"))!;
  const batchVision = await runtime.encodeImages(
    batchPixels,
    goldenShape(fixture, "batch.pixel_values")[0],
  );
  const masks = (batch.attention_mask ?? batch.attention_mask_text)!;
  const batchPrompt = await mergedPrompt(
    runtime,
    fixture,
    batch.input_ids,
    batchVision.embeds,
    masks,
  );
  const batchPrefill = await runtime.decode({
    embeds: batchPrompt.embeds,
    batch: batchPrompt.batch,
    tokens: batchPrompt.length,
    attentionMask: batchPrompt.attentionMask.flat(),
    positionIds: batchPrompt.attentionMask.flatMap((row) => row.map((_, i) => i)),
    logitsIndex: [...Array(batchPrompt.length).keys()],
  });
  const vocab = cfg.lm_vocab_size;
  const valid = batch.valid_lm_positions;
  const length = batchPrompt.length;
  await check("batch.logits", batchPrefill.logits, (i) => {
    const position = Math.floor(i / vocab);
    return valid[Math.floor(position / length)][position % length] === 1;
  });
  const batchRun = await greedyDecode(runtime, batchPrompt, greedy.max_new_tokens);
  await check("batch.gen.step_logits", batchRun.stepLogits);

  const expectedSingle = greedy.raw_argmax_ids ?? greedy.generated_ids;
  const expectedBatch = batch.greedy_raw_argmax_ids ?? batch.greedy_generated_ids;
  const greedyResult = {
    single: {
      expected: expectedSingle,
      got: singleRun.ids[0],
      pass: sameIds(expectedSingle, singleRun.ids[0]),
    },
    batch: {
      expected: expectedBatch,
      got: batchRun.ids,
      pass: expectedBatch.every((row, r) => sameIds(row, batchRun.ids[r])),
    },
  };
  // A fixture missing the core goldens would pass having compared nothing: refuse it.
  const missing = CORE_STAGES.filter((name) => !stages.some((s) => s.name === name));
  if (missing.length > 0) {
    throw new InputError(
      `${fixture.dir}: goldens.safetensors lacks ${
        missing.join(", ")
      }; parity would compare too little`,
      "use a complete fixture (see shared/fixtures/README.md for the tensors)",
    );
  }
  const greedyCounts = precision === "fp32";
  return {
    pass: stages.every((s) => s.pass) &&
      (!greedyCounts || (greedyResult.single.pass && greedyResult.batch.pass)),
    fixture: manifest.fixture,
    generation: fixture.generation,
    precision: formatPrecision(runtime.options.precision),
    flavour: runtime.options.flavour,
    provider: runtime.provider,
    stages,
    greedy: greedyResult,
  };
}

/** The fixture's image files decoded and preprocessed by our pipeline, tiles concatenated. */
async function pipelinePixels(
  fixture: Fixture,
  files: string[],
  cfg: NanoVLMConfig,
): Promise<Float32Array> {
  const parts = [];
  for (const file of files) {
    parts.push(preprocessImage(await loadImage(`${fixture.dir}/${file}`), cfg).pixelValues);
  }
  return concatFloat32(parts);
}

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Embeds the ids and merges the image embeddings as the fixture's generation does; `attentionMask`
 * covers the ids (v0.1: ones for the prepended image embeddings are added in front).
 */
async function mergedPrompt(
  runtime: NanoVLMRuntime,
  fixture: Fixture,
  ids: number[][],
  imageEmbeds: Float32Array,
  attentionMask: number[][],
): Promise<DecoderPrompt> {
  const cfg: NanoVLMConfig = runtime.config;
  const tokensPerImage = runtime.geometry.imageTokensPerImage;
  const embeds = mergeImageEmbeddings({
    generation: fixture.generation,
    tokenEmbeds: await runtime.embedTokens(ids),
    ids,
    imageEmbeds,
    tokensPerImage,
    dim: cfg.lm_hidden_dim,
    imageTokenId: fixture.manifest.tokens.image_token_id,
  });
  const length = embeds.length / ids.length / cfg.lm_hidden_dim;
  const imageOnes = Array(length - ids[0].length).fill(1);
  return {
    embeds,
    batch: ids.length,
    length,
    attentionMask: attentionMask.map((m) => [...imageOnes, ...m]),
  };
}

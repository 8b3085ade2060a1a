/**
 * Parity of the int8/int4 graphs (com.microsoft MatMulNBits) on the reference fixtures' checkpoints:
 * the vision output and the all-position logits equal the independent float64 reference model run
 * on the same checkpoint with its linear weights replaced by a plain TypeScript dequantisation of
 * the packed codes (read from the MatMulNBits layout as its spec states, no code shared with the
 * packer's layout helpers), to float tolerance; top-1 agreement with fp32 is printed.
 */
import { type Checkpoint, floatToHalf, halfToFloat, openCheckpoint } from "../checkpoint/mod.ts";
import { mergeImageEmbeddings } from "../pipeline/mod.ts";
import { type ModulePrecision, quantizeWeight, type QuantOptions } from "../model/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import {
  assert,
  fixturePath,
  fixtureTest,
  referenceInputsEmbeds,
  referenceLogits,
  referenceVision,
  withTempDir,
} from "../testing/mod.ts";
import { compareTensors } from "./compare.ts";
import { golden, openFixture } from "./fixture.ts";

/** Dequantises MatMulNBits codes `[N, ceil(K/bs), bs*bits/8]` back to a row-major `[N, K]` weight. */
function dequantize(
  codes: Uint8Array,
  scales: Float32Array,
  zeroPoints: Uint8Array | undefined,
  n: number,
  k: number,
  bits: 4 | 8,
  blockSize: number,
): Float32Array {
  const blocks = Math.ceil(k / blockSize);
  const bytesPerBlock = blockSize * bits / 8;
  const zpBytesPerRow = Math.ceil(blocks * bits / 8);
  const out = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const b = Math.floor(c / blockSize), j = c % blockSize;
      const at = (r * blocks + b) * bytesPerBlock;
      const code = bits === 8 ? codes[at + j] : (codes[at + (j >> 1)] >> ((j % 2) * 4)) & 15;
      let zero = 2 ** (bits - 1);
      if (zeroPoints) {
        const z = zeroPoints[r * zpBytesPerRow + (bits === 8 ? b : b >> 1)];
        zero = bits === 8 ? z : (z >> ((b % 2) * 4)) & 15;
      }
      out[r * k + c] = (code - zero) * scales[r * blocks + b];
    }
  }
  return out;
}

/** Which module a linear weight belongs to (the LM head on its own), or none for other tensors. */
function moduleOf(name: string, shape: readonly number[]): keyof ModulePrecision | undefined {
  if (shape.length !== 2 || !name.endsWith(".weight") || name.includes("embedding")) return;
  if (name.endsWith("norm.weight")) return;
  if (name.startsWith("vision_encoder.")) return "vision";
  if (name.startsWith("MP.")) return "projector";
  if (name === "decoder.head.weight") return "head";
  if (name.startsWith("decoder.")) return "decoder";
}

/**
 * The checkpoint as the reference model sees it under a precision: quantised modules' linear
 * weights dequantised. The token lookup reads `decoder.token_embedding.weight` (the float table,
 * also when the head is tied), rounded to float16 when the head is quantised, as the graphs store it.
 */
function dequantizedCheckpoint(
  ckpt: Checkpoint,
  precision: ModulePrecision,
  quant: QuantOptions,
): Checkpoint {
  return {
    ...ckpt,
    readF32: async (name) => {
      const values = await ckpt.readF32(name);
      if (name === "decoder.token_embedding.weight" && quantized(precision.head)) {
        return values.map((x) => halfToFloat(floatToHalf(x)));
      }
      const tied = ["decoder.head.weight", "decoder.token_embedding.weight"];
      const stored = ckpt.index.tensors.get(name) ??
        ckpt.index.tensors.get(tied.find((t) => t !== name)!)!;
      const module = moduleOf(name, stored.shape);
      const p = module ? precision[module] : "fp32";
      if (!quantized(p)) return values;
      const bits = p === "int8" ? 8 : 4;
      const [n, k] = stored.shape;
      const shape = { n, k, bits, blockSize: quant.blockSize, symmetric: quant.symmetric } as const;
      const q = quantizeWeight(values, shape);
      return dequantize(q.codes, q.scales, q.zeroPoints, n, k, bits, quant.blockSize);
    },
  };
}

const quantized = (p: string) => p === "int8" || p === "int4";

const CASES: { precision: ModulePrecision; quant: QuantOptions; kernels?: "microsoft" }[] = [
  {
    precision: { vision: "int8", projector: "int8", decoder: "int8", head: "int8" },
    quant: { blockSize: 32, symmetric: true, accuracyLevel: 0 },
  },
  {
    precision: { vision: "int4", projector: "int4", decoder: "int4", head: "int4" },
    quant: { blockSize: 32, symmetric: true, accuracyLevel: 0 },
  },
  {
    // GroupQueryAttention reads the stacked q/k/v projection packed.
    precision: { vision: "int4", projector: "int4", decoder: "int4", head: "int4" },
    quant: { blockSize: 32, symmetric: true, accuracyLevel: 0 },
    kernels: "microsoft",
  },
  {
    precision: { vision: "int4", projector: "int8", decoder: "int4", head: "int8" },
    quant: { blockSize: 64, symmetric: false, accuracyLevel: 0 },
  },
  {
    precision: { vision: "fp32", projector: "fp32", decoder: "int8", head: "fp32" },
    quant: { blockSize: 128, symmetric: false, accuracyLevel: 0 },
  },
];

function top1(logits: ArrayLike<number>, vocab: number): number[] {
  const out = [];
  for (let row = 0; row < logits.length / vocab; row++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) {
      if (logits[row * vocab + v] > logits[row * vocab + best]) best = v;
    }
    out.push(best);
  }
  return out;
}

for (const name of ["v0.1-tiny", "v0.2-tiny", "head-tiny"]) {
  fixtureTest(
    `quantised graphs equal dequantise-then-matmul on ${name} (int8, int4, mixes)`,
    async () => {
      const fixture = await openFixture(fixturePath("reference", name));
      const ckpt = await openCheckpoint(`${fixture.dir}/checkpoint`);
      const cfg = ckpt.config;
      const pixels = (await golden(fixture, "pixel_values"))!;
      const images = pixels.length / (3 * cfg.vit_img_size ** 2);
      const ids = [fixture.manifest.cases.single.input_ids as number[]];
      await withTempDir(async (cacheDir) => {
        const forward = async (runtime: NanoVLMRuntime) => {
          const vision = await runtime.encodeImages(pixels, images);
          const embeds = mergeImageEmbeddings({
            generation: fixture.generation,
            tokenEmbeds: await runtime.embedTokens(ids),
            ids,
            imageEmbeds: vision.embeds,
            tokensPerImage: runtime.geometry.imageTokensPerImage,
            dim: cfg.lm_hidden_dim,
            imageTokenId: fixture.manifest.tokens.image_token_id,
          });
          const tokens = embeds.length / cfg.lm_hidden_dim;
          const positions = [...Array(tokens).keys()];
          const { logits } = await runtime.decode({
            embeds,
            batch: 1,
            tokens,
            attentionMask: positions.map(() => 1),
            positionIds: positions,
            logitsIndex: positions,
          });
          return { imageEmbeds: vision.embeds, embeds, logits, tokens };
        };
        const fp32 = await NanoVLMRuntime.load(ckpt, { cacheDir });
        const base = await forward(fp32).finally(() => fp32.release());
        for (const { precision, quant, kernels } of CASES) {
          const runtime = await NanoVLMRuntime.load(ckpt, {
            cacheDir,
            precision,
            quantization: quant,
            kernels,
          });
          const got = await forward(runtime).finally(() => runtime.release());
          const ref = dequantizedCheckpoint(ckpt, precision, quant);
          const vision = await referenceVision(ref, pixels, images);
          const label = `${name} ${JSON.stringify(precision)} b${quant.blockSize}${
            quant.symmetric ? "" : " asym"
          }${kernels ? ` ${kernels} kernels` : ""}`;
          const v = compareTensors("image_embeds", got.imageEmbeds, vision.projected, {
            rel: 1e-4,
          });
          assert(v.pass, `${label} image_embeds: rel ${v.rel}`);
          // The reference's merge of its own image embeddings and token lookup.
          const { embeds } = await referenceInputsEmbeds(ref, ids, vision.projected);
          const logits = await referenceLogits(ref, embeds, got.tokens);
          const l = compareTensors("logits", got.logits, logits, { rel: 1e-4 });
          assert(l.pass, `${label} logits: rel ${l.rel}`);
          const a = top1(base.logits, cfg.lm_vocab_size), b = top1(got.logits, cfg.lm_vocab_size);
          const agree = a.filter((t, i) => t === b[i]).length;
          console.log(
            `${label}: vs dequantised reference rel ${v.rel.toExponential(1)} (vision), ${
              l.rel.toExponential(1)
            } (logits); top-1 agreement with fp32 ${agree}/${a.length}`,
          );
        }
      });
    },
  );
}

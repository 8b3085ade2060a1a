/**
 * The demo's attention figure: where the model looked when it answered one ShapesBench question —
 * the decoder attention of the last prompt position (the one that predicts the answer) on the
 * image tokens, mean over layers and heads, painted over the picture (inspect's maps, viz's heat
 * map).
 *
 * @module
 */
import type { ReportFigure } from "../../evals/report/mod.ts";
import type { ManifestItem } from "../../evals/datasets/mod.ts";
import { attentionMaps, combineMaps } from "../inspect/mod.ts";
import { loadImage, NanoVLM } from "../pipeline/mod.ts";
import { attentionHeatmap } from "../viz/mod.ts";

/** The picture and question the figure is about. */
export interface AttentionItem {
  /** Item id. */
  id: string;
  /** Absolute path of the picture. */
  image: string;
  /** The question asked. */
  question: string;
}

/**
 * The question the figure is about: the first VQA item asking the colour of one named object
 * (`question_type` "color", so the answer has to come from that object's place in the picture),
 * else the first VQA item.
 */
export function attentionQuestion(items: readonly ManifestItem[], dir: string): AttentionItem {
  const vqa = items.filter((i) => i.task === "vqa");
  const item = vqa.find((i) => i.question_type === "color") ?? vqa[0];
  if (!item || item.task !== "vqa") throw new Error(`no VQA item in ${dir}`);
  return { id: item.id, image: `${dir}/${item.image}`, question: item.question };
}

/** Traces `item` on the model (fp32, inspect graphs) and returns the heat map as a report figure. */
export async function attentionFigure(
  model: string,
  tokenizer: string,
  cacheDir: string,
  item: AttentionItem,
): Promise<ReportFigure> {
  const vlm = await NanoVLM.load(model, { tokenizer, cacheDir });
  try {
    const trace = await vlm.trace({ images: [item.image], text: item.question }, {
      layers: "all",
      heads: "all",
      stages: ["decoder.attention", "logits"],
    });
    const map = combineMaps(attentionMaps(trace, { query: "last", layers: "all", heads: "mean" }));
    const figure = attentionHeatmap({
      image: await loadImage(item.image),
      tiles: map.tiles.map((t) => ({
        name: t.name,
        box: t.box,
        grid: [t.values.length, t.values[0]?.length ?? 0] as const,
        values: t.values,
      })),
    }, { width: 420 });
    return {
      name: "attention",
      title: `Attention of the answer position: "${item.question}" (${item.id})`,
      caption: "Decoder attention of the last prompt position (it predicts the answer) on the " +
        `image tokens, mean over layers and heads, ${
          (100 * map.imageMass).toFixed(0)
        }% of it on the image. The question names one object, so a model that reads the ` +
        "picture should look at that object's place.",
      plot: figure.options,
    };
  } finally {
    await vlm.release();
  }
}

/**
 * The manifest items and `dataset.json` of the bundled photos, built from the hand-written
 * annotations and the source table.
 *
 * @module
 */
import type { DatasetInfo, ManifestItem } from "../manifest_types.ts";
import { PHOTO_ANNOTATIONS, type PhotoAnnotation, type PhotoQuestion } from "./annotations.ts";
import { PHOTO_SOURCES, type PhotoSource } from "./sources.ts";

/** The `dataset.json` of `data/photos`. */
export const PHOTOS_INFO: DatasetInfo = {
  name: "photos",
  version: "1.0.0",
  tasks: ["caption", "vqa", "mcq"],
  license: "public-domain / CC0-1.0 (per image, see README.md)",
  source: "photographs shipped by Debian packages (python3-skimage, python-matplotlib-data, " +
    "python3-scipy, palapeli-data), downscaled; captions and questions written by nanovlm-lab",
  description: "Ten real photographs with hand-written captions, VQA and multiple-choice items.",
};

/** Ten VQA answers: 4 copies of each variant, the main answer filling the rest. */
export function vqaAnswers(question: PhotoQuestion): string[] {
  const variants = question.variants ?? [];
  const main = Array(10 - 4 * variants.length).fill(question.answer);
  return [...main, ...variants.flatMap((v) => Array(4).fill(v))];
}

function itemsFor(source: PhotoSource, notes: PhotoAnnotation, number: number): ManifestItem[] {
  const base = {
    image: `images/${source.id}.jpg`,
    image_id: number,
    split: "test",
    license: source.license,
    source: `${source.debianPackage}: ${source.path}`,
  };
  const prefix = `photos-${source.id}`;
  return [
    { id: `${prefix}-caption`, task: "caption", ...base, references: notes.captions },
    ...notes.questions.map((q, k): ManifestItem => ({
      id: `${prefix}-vqa-${k}`,
      task: "vqa",
      ...base,
      question_id: number * 100 + k,
      question: q.question,
      answers: vqaAnswers(q),
      answer_type: q.answerType,
      multiple_choice_answer: q.answer,
    })),
    ...notes.choices.map((c, k): ManifestItem => ({
      id: `${prefix}-mcq-${k}`,
      task: "mcq",
      ...base,
      question: c.question,
      options: Object.fromEntries(c.options.map((o, i) => [String.fromCharCode(65 + i), o])),
      answer: String.fromCharCode(65 + c.answer),
    })),
  ];
}

/** Every item of `data/photos`, grouped by photo in source order (image ids 1, 2, ...). */
export function photoItems(): ManifestItem[] {
  return PHOTO_SOURCES.flatMap((source, i) =>
    itemsFor(source, PHOTO_ANNOTATIONS[source.id], i + 1)
  );
}

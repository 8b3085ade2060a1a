/**
 * VQA v2 files (`v2_OpenEnded_mscoco_val2014_questions.json` +
 * `v2_mscoco_val2014_annotations.json`) to manifest VQA items, and back.
 *
 * @module
 */
import type { ImageId, VqaItem } from "./manifest_types.ts";
import { badField, idAt, type JsonObject, objectAt, objectsAt, stringAt } from "./json_fields.ts";

/** A VQA v2 questions file. */
export interface VqaQuestionsFile {
  /** E.g. `val2014`: names the COCO image files. */
  data_subtype?: string;
  /** The questions. */
  questions: { image_id: ImageId; question: string; question_id: ImageId }[];
}

/** One official VQA v2 answer. */
export interface VqaAnswer {
  /** The answer text. */
  answer: string;
  /** `yes`, `maybe` or `no`. */
  answer_confidence: string;
  /** 1-based position among the question's answers. */
  answer_id: number;
}

/** A VQA v2 annotations file. */
export interface VqaAnnotationsFile {
  /** One per question. */
  annotations: {
    question_id: ImageId;
    image_id: ImageId;
    question_type: string;
    answer_type: string;
    multiple_choice_answer: string;
    answers: VqaAnswer[];
  }[];
}

/** Options of {@link importVqaV2}. */
export interface VqaImportOptions {
  /** Folder of the images inside the dataset (default `images`). */
  imageDir?: string;
  /**
   * Image file name for an image id; default `COCO_<data_subtype>_<12-digit id>.jpg` when the
   * questions file names its subtype, else `<id>.jpg`.
   */
  imageFile?: (imageId: ImageId) => string;
  /** Split name stored on each item. */
  split?: string;
}

function cocoFileName(subtype: string | undefined): (id: ImageId) => string {
  return subtype
    ? (id) => `COCO_${subtype}_${String(id).padStart(12, "0")}.jpg`
    : (id) => `${id}.jpg`;
}

/** One question's annotation in a VQA v2 annotations file, as read by {@link vqaAnnotations}. */
export interface VqaAnnotation {
  /** The annotation object itself. */
  value: JsonObject;
  /** Where it sits in the file (`annotations[3]`), for error messages. */
  path: string;
  /** The human answers' texts (official `{answer}` objects, or plain strings). */
  answers: string[];
  /** Each answer's `answer_confidence` (`""` where absent). */
  confidences: string[];
}

function readAnswers(annotation: JsonObject, path: string, file: string): {
  answers: string[];
  confidences: string[];
} {
  const list = annotation.answers;
  if (!Array.isArray(list)) badField(file, `${path}.answers`, "must be an array");
  const answers: string[] = [];
  const confidences: string[] = [];
  list.forEach((answer, j) => {
    if (typeof answer === "string") {
      answers.push(answer);
      confidences.push("");
      return;
    }
    const object = objectAt(answer, file, `${path}.answers[${j}]`);
    answers.push(stringAt(object, "answer", file, `${path}.answers[${j}].answer`));
    confidences.push(typeof object.answer_confidence === "string" ? object.answer_confidence : "");
  });
  if (answers.length === 0) badField(file, `${path}.answers`, "is empty");
  return { answers, confidences };
}

/**
 * Reads the `annotations` of a VQA v2 annotations file by question id; each question once. The one
 * reader of this format: the importer and `score vqa` both use it.
 */
export function vqaAnnotations(
  json: unknown,
  file = "VQA annotations file",
): Map<ImageId, VqaAnnotation> {
  const annotations = new Map<ImageId, VqaAnnotation>();
  objectsAt(objectAt(json, file, "(root)"), "annotations", file).forEach((value, i) => {
    const path = `annotations[${i}]`;
    const id = idAt(value, "question_id", file, `${path}.question_id`);
    if (annotations.has(id)) badField(file, `${path}.question_id`, `repeats question ${id}`);
    annotations.set(id, { value, path, ...readAnswers(value, path, file) });
  });
  return annotations;
}

/**
 * Joins a VQA v2 questions file and its annotations file into VQA items, in question order; a
 * question without an annotation is an error (test-dev questions have no answers to score).
 *
 * @example
 * ```ts
 * const items = importVqaV2(JSON.parse(questionsText), JSON.parse(annotationsText));
 * ```
 */
export function importVqaV2(
  questionsJson: unknown,
  annotationsJson: unknown,
  options: VqaImportOptions = {},
): VqaItem[] {
  const qFile = "VQA questions file";
  const aFile = "VQA annotations file";
  const qRoot = objectAt(questionsJson, qFile, "(root)");
  const subtype = typeof qRoot.data_subtype === "string" ? qRoot.data_subtype : undefined;
  const imageFile = options.imageFile ?? cocoFileName(subtype);
  const annotations = vqaAnnotations(annotationsJson, aFile);
  return objectsAt(qRoot, "questions", qFile).map((q, i) => {
    const questionId = idAt(q, "question_id", qFile, `questions[${i}].question_id`);
    const imageId = idAt(q, "image_id", qFile, `questions[${i}].image_id`);
    const found = annotations.get(questionId);
    if (!found) badField(qFile, `questions[${i}]`, `(question_id ${questionId}) has no annotation`);
    const { value: a, path, answers, confidences } = found;
    if (a.image_id !== imageId) {
      badField(aFile, `${path}.image_id`, `is ${a.image_id} but the question says ${imageId}`);
    }
    return {
      id: `vqa-${questionId}`,
      task: "vqa",
      image: `${options.imageDir ?? "images"}/${imageFile(imageId)}`,
      image_id: imageId,
      ...(options.split ? { split: options.split } : {}),
      question_id: questionId,
      question: stringAt(q, "question", qFile, `questions[${i}].question`),
      answers,
      answer_type: stringAt(a, "answer_type", aFile, `${path}.answer_type`),
      question_type: stringAt(a, "question_type", aFile, `${path}.question_type`),
      multiple_choice_answer: stringAt(
        a,
        "multiple_choice_answer",
        aFile,
        `${path}.multiple_choice_answer`,
      ),
      meta: { answer_confidence: confidences },
    };
  });
}

/** The most frequent answer (first one on ties), as VQA's `multiple_choice_answer`. */
export function mostCommonAnswer(answers: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  let best = answers[0];
  for (const [answer, count] of counts) if (count > counts.get(best)!) best = answer;
  return best;
}

/**
 * Converts VQA items back into a VQA v2 questions file and annotations file (for the official
 * evaluation script). Missing `answer_type`/`question_type` become `other`/`none of the above`,
 * confidences default to `yes`.
 */
export function toVqaV2(
  items: readonly VqaItem[],
  dataSubtype?: string,
): { questions: VqaQuestionsFile; annotations: VqaAnnotationsFile } {
  const questions: VqaQuestionsFile = { questions: [] };
  if (dataSubtype) questions.data_subtype = dataSubtype;
  const annotations: VqaAnnotationsFile = { annotations: [] };
  for (const item of items) {
    const confidence = item.meta?.answer_confidence as string[] | undefined;
    questions.questions.push({
      image_id: item.image_id,
      question: item.question,
      question_id: item.question_id,
    });
    annotations.annotations.push({
      question_id: item.question_id,
      image_id: item.image_id,
      question_type: item.question_type ?? "none of the above",
      answer_type: item.answer_type ?? "other",
      multiple_choice_answer: item.multiple_choice_answer ?? mostCommonAnswer(item.answers),
      answers: item.answers.map((answer, i) => ({
        answer,
        answer_confidence: confidence?.[i] || "yes",
        answer_id: i + 1,
      })),
    });
  }
  return { questions, annotations };
}

/**
 * ShapesBench questions with unambiguous answers (metrics.md §4c ambiguity rules): counting,
 * colour, shape, existence (yes/no, balanced: one yes and one no per image), absolute and
 * relative position (only where the grid makes the answer clear), and multiple choice.
 *
 * @module
 */
import { article, plural } from "./language.ts";
import { COLOR_NAMES, type ColorName, type Shape, SHAPES } from "./palette.ts";
import type { Rng } from "./prng.ts";
import type { Scene, SceneObject } from "./scene.ts";

/** A VQA question before it becomes a manifest item. */
export interface QuestionDraft {
  /** Template name, stored as `question_type`. */
  template: string;
  /** The question text. */
  question: string;
  /** The canonical answer (digits for numbers). */
  answer: string;
  /** VQA answer type. */
  answerType: "yes/no" | "number" | "other";
  /** For `no` answers of existence questions: which part of the asked pair is in the image. */
  negative?: "none" | "color" | "shape" | "color+shape";
}

/** A multiple-choice question: four options, one correct. */
export interface ChoiceDraft {
  /** Template name, stored as the item's `category`. */
  template: string;
  /** The question text. */
  question: string;
  /** The four options, in display order. */
  options: string[];
  /** Index of the correct option. */
  answerIndex: number;
}

const count = (scene: Scene, test: (o: SceneObject) => boolean) =>
  scene.objects.filter(test).length;

/** Objects that "the <colour> <shape>" names unambiguously. */
export function referable(scene: Scene): SceneObject[] {
  return scene.objects.filter((o) =>
    count(scene, (p) => p.color === o.color && p.shape === o.shape) === 1
  );
}

const the = (o: SceneObject) => `the ${o.color} ${o.shape}`;

function countQuestions(scene: Scene, rng: Rng): QuestionDraft[] {
  const colors = scene.objects.map((o) => o.color);
  const shapes = scene.objects.map((o) => o.shape);
  // A quarter of colour/shape counts ask about an absent value (answer 0).
  const absentColors = COLOR_NAMES.filter((c) => !colors.includes(c));
  const absentShapes = SHAPES.filter((s) => !shapes.includes(s));
  const color = rng.float() < 0.25 && absentColors.length > 0
    ? rng.pick(absentColors)
    : rng.pick(colors);
  const shape = rng.float() < 0.25 && absentShapes.length > 0
    ? rng.pick(absentShapes)
    : rng.pick(shapes);
  const both = rng.pick(scene.objects);
  const number = (template: string, question: string, n: number): QuestionDraft => ({
    template,
    question,
    answer: String(n),
    answerType: "number",
  });
  return [
    number("count_all", "How many shapes are there?", scene.objects.length),
    number(
      "count_color",
      `How many ${color} shapes are there?`,
      count(scene, (o) => o.color === color),
    ),
    number(
      "count_shape",
      `How many ${plural(shape)} are there?`,
      count(scene, (o) => o.shape === shape),
    ),
    number(
      "count_color_shape",
      `How many ${both.color} ${plural(both.shape)} are there?`,
      count(scene, (o) => o.color === both.color && o.shape === both.shape),
    ),
  ];
}

function existenceQuestions(scene: Scene, rng: Rng): QuestionDraft[] {
  const present = rng.pick(scene.objects);
  const absent: { color: ColorName; shape: Shape }[] = [];
  for (const color of COLOR_NAMES) {
    for (const shape of SHAPES) {
      if (count(scene, (o) => o.color === color && o.shape === shape) === 0) {
        absent.push({ color, shape });
      }
    }
  }
  const no = rng.pick(absent);
  const colorSeen = scene.objects.some((o) => o.color === no.color);
  const shapeSeen = scene.objects.some((o) => o.shape === no.shape);
  const negative = colorSeen && shapeSeen
    ? "color+shape"
    : colorSeen
    ? "color"
    : shapeSeen
    ? "shape"
    : "none";
  const ask = (o: { color: string; shape: string }) =>
    `Is there ${article(o.color)} ${o.color} ${o.shape}?`;
  const drafts: QuestionDraft[] = [
    { template: "exists", question: ask(present), answer: "yes", answerType: "yes/no" },
    { template: "exists", question: ask(no), answer: "no", answerType: "yes/no", negative },
  ];
  return rng.shuffle(drafts);
}

function attributeQuestions(scene: Scene, rng: Rng): QuestionDraft[] {
  const drafts: QuestionDraft[] = [];
  const uniqueShape = scene.objects.filter((o) => count(scene, (p) => p.shape === o.shape) === 1);
  if (uniqueShape.length > 0) {
    const o = rng.pick(uniqueShape);
    drafts.push({
      template: "color",
      question: `What color is the ${o.shape}?`,
      answer: o.color,
      answerType: "other",
    });
  }
  const uniqueColor = scene.objects.filter((o) => count(scene, (p) => p.color === o.color) === 1);
  if (uniqueColor.length > 0) {
    const o = rng.pick(uniqueColor);
    drafts.push({
      template: "shape",
      question: `What shape is the ${o.color} object?`,
      answer: o.shape,
      answerType: "other",
    });
  }
  return drafts;
}

function positionQuestions(scene: Scene, rng: Rng): QuestionDraft[] {
  const drafts: QuestionDraft[] = [];
  const named = referable(scene);
  const sideways = named.filter((o) => o.col !== 1);
  if (sideways.length > 0) {
    const o = rng.pick(sideways);
    drafts.push({
      template: "position_h",
      question: `Is ${the(o)} on the left or on the right?`,
      answer: o.col === 0 ? "left" : "right",
      answerType: "other",
    });
  }
  const vertical = named.filter((o) => o.row !== 1);
  if (vertical.length > 0) {
    const o = rng.pick(vertical);
    drafts.push({
      template: "position_v",
      question: `Is ${the(o)} at the top or at the bottom?`,
      answer: o.row === 0 ? "top" : "bottom",
      answerType: "other",
    });
  }
  const pairs = named.flatMap((a) => named.filter((b) => b !== a).map((b) => [a, b] as const));
  const across = pairs.filter(([a, b]) => a.col < b.col);
  if (across.length > 0) {
    const [a, b] = rng.pick(across);
    const left = (x: SceneObject, y: SceneObject, answer: string): QuestionDraft => ({
      template: "relative_h",
      question: `Is ${the(x)} to the left of ${the(y)}?`,
      answer,
      answerType: "yes/no",
    });
    drafts.push(...rng.shuffle([left(a, b, "yes"), left(b, a, "no")]));
  }
  const stacked = pairs.filter(([a, b]) => a.row < b.row);
  if (stacked.length > 0) {
    const [a, b] = rng.pick(stacked);
    const above = (x: SceneObject, y: SceneObject, answer: string): QuestionDraft => ({
      template: "relative_v",
      question: `Is ${the(x)} above ${the(y)}?`,
      answer,
      answerType: "yes/no",
    });
    drafts.push(...rng.shuffle([above(a, b, "yes"), above(b, a, "no")]));
  }
  return drafts;
}

/** All VQA questions for a scene. */
export function vqaQuestions(scene: Scene, rng: Rng): QuestionDraft[] {
  return [
    ...countQuestions(scene, rng),
    ...existenceQuestions(scene, rng),
    ...attributeQuestions(scene, rng),
    ...positionQuestions(scene, rng),
  ];
}

/**
 * Multiple-choice versions of the total-count, colour and shape questions: three distractors
 * from the same attribute's other values, answer position shuffled with the seed.
 */
export function choiceQuestions(drafts: readonly QuestionDraft[], rng: Rng): ChoiceDraft[] {
  const values: Record<string, readonly string[]> = {
    count_all: ["1", "2", "3", "4", "5", "6"],
    color: COLOR_NAMES,
    shape: SHAPES,
  };
  return drafts.filter((d) => d.template in values).map((d) => {
    const distractors = rng.shuffle(values[d.template].filter((v) => v !== d.answer)).slice(0, 3);
    const options = rng.shuffle([d.answer, ...distractors]);
    return {
      template: d.template,
      question: d.question,
      options,
      answerIndex: options.indexOf(d.answer),
    };
  });
}

/**
 * An independent checker of ShapesBench items: it reads each question and caption as text,
 * recomputes the answer from the scene graph (`meta.scene` of the image's caption item) with its
 * own parsing and counting, and checks the ambiguity rules of metrics.md §4c. It shares only the
 * vocabulary with the generator, none of its answer code.
 *
 * @module
 */
import type { ManifestItem } from "../manifest_types.ts";
import { COLOR_NAMES, SHAPES } from "./palette.ts";
import type { Scene, SceneObject } from "./scene.ts";

const NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
};
const PLACES: Record<string, [number, number]> = {
  "in the top left corner": [0, 0],
  "at the top": [0, 1],
  "in the top right corner": [0, 2],
  "on the left": [1, 0],
  "in the center": [1, 1],
  "on the right": [1, 2],
  "in the bottom left corner": [2, 0],
  "at the bottom": [2, 1],
  "in the bottom right corner": [2, 2],
};
const COLOR = `(${COLOR_NAMES.join("|")})`;
const SHAPE = `(${SHAPES.join("|")})`;
const PLACE = `(${Object.keys(PLACES).join("|")})`;

/** One object as a caption describes it; absent attributes were not stated. */
interface Mention {
  count: number;
  size?: string;
  color?: string;
  shape: string;
  place?: [number, number];
}

const matches = (o: SceneObject, m: Mention) =>
  m.shape === o.shape && (m.color === undefined || m.color === o.color) &&
  (m.size === undefined || m.size === o.size) &&
  (m.place === undefined || (m.place[0] === o.row && m.place[1] === o.col));

/** Parses one noun phrase: `two small red circles`, `a blue square in the center`. */
function parsePhrase(text: string): Mention | string {
  const phrase = new RegExp(
    `^(a|an|one|two|three|four|five|six) (?:(small|large) )?(?:${COLOR} )?${SHAPE}(s?)(?: ${PLACE})?$`,
  ).exec(text);
  if (!phrase) return `cannot parse "${text}"`;
  const [, quantity, size, color, shape, s, place] = phrase;
  const count = NUMBERS[quantity];
  if ((count > 1) !== (s === "s")) return `number disagrees in "${text}"`;
  const next = size ?? color ?? shape;
  if ((quantity === "an") !== /^[aeiou]/.test(next) && (quantity === "a" || quantity === "an")) {
    return `wrong article in "${text}"`;
  }
  return { count, size, color, shape, place: place ? PLACES[place] : undefined };
}

/** Splits a caption into noun phrases, folding `, both blue` / `, all blue` into the one before. */
function parseCaption(caption: string, scene: Scene): Mention[] | string {
  let text = caption;
  const counted = /^(one|two|three|four|five|six) shapes?: (.*)$/.exec(text);
  if (counted) {
    if (NUMBERS[counted[1]] !== scene.objects.length) return `wrong total in "${caption}"`;
    text = counted[2];
  }
  const background = / on a (white|light gray) background$/.exec(text);
  if (background) {
    if (background[1] !== scene.background) return `wrong background in "${caption}"`;
    text = text.slice(0, background.index);
  }
  const mentions: Mention[] = [];
  const inverted = new RegExp(`^${PLACE} there is (.*)$`);
  for (const chunk of text.split(/, and |, | and |; /)) {
    const quantified = new RegExp(`^(both|all) ${COLOR}$`).exec(chunk);
    if (quantified && mentions.length > 0) {
      const last = mentions[mentions.length - 1];
      if ((quantified[1] === "both") !== (last.count === 2) || last.color) {
        return `bad "${chunk}" in "${caption}"`;
      }
      last.color = quantified[2];
      continue;
    }
    const turned = inverted.exec(chunk);
    const parsed = parsePhrase(turned ? `${turned[2]} ${turned[1]}` : chunk);
    if (typeof parsed === "string") return `${parsed} (caption "${caption}")`;
    mentions.push(parsed);
  }
  return mentions;
}

/**
 * Checks that the mentions describe exactly the scene: every object claimed once, no object
 * left over, and stated attributes true.
 */
function captionProblem(caption: string, scene: Scene, needPlaces: boolean): string | undefined {
  const mentions = parseCaption(caption, scene);
  if (typeof mentions === "string") return mentions;
  const free = [...scene.objects];
  const mixed = new Set(scene.objects.map((o) => o.size)).size > 1;
  for (const m of mentions) {
    if (m.color === undefined) return `no colour for ${m.shape} in "${caption}"`;
    if (needPlaces && (m.place === undefined || m.size === undefined)) {
      return `retrieval caption lacks size or place: "${caption}"`;
    }
    if (!needPlaces && mixed !== (m.size !== undefined)) {
      return `size words must appear exactly when sizes are mixed: "${caption}"`;
    }
    // Group phrases count every object of that size/colour/shape; claim them all.
    const claimed = free.filter((o) => matches(o, m));
    const total = scene.objects.filter((o) => matches(o, m)).length;
    if (claimed.length < m.count || (m.place === undefined && total !== m.count)) {
      return `"${caption}" claims ${m.count} ${m.color} ${m.shape}, the scene has ${total}`;
    }
    for (const o of claimed.slice(0, m.count)) free.splice(free.indexOf(o), 1);
  }
  return free.length > 0 ? `"${caption}" leaves ${free.length} object(s) out` : undefined;
}

const only = (scene: Scene, test: (o: SceneObject) => boolean): SceneObject | undefined => {
  const found = scene.objects.filter(test);
  return found.length === 1 ? found[0] : undefined;
};
const howMany = (scene: Scene, test: (o: SceneObject) => boolean) =>
  String(scene.objects.filter(test).length);

/**
 * The answer a question has in a scene, read from the question text; a string starting with `!`
 * when the question is unknown or breaks an ambiguity rule.
 */
export function answerFromScene(question: string, scene: Scene): string {
  const ref = (color: string, shape: string) =>
    only(scene, (o) => o.color === color && o.shape === shape);
  let m: RegExpExecArray | null;
  if (question === "How many shapes are there?") return String(scene.objects.length);
  if ((m = new RegExp(`^How many ${COLOR} shapes are there\\?$`).exec(question))) {
    return howMany(scene, (o) => o.color === m![1]);
  }
  if ((m = new RegExp(`^How many ${SHAPE}s are there\\?$`).exec(question))) {
    return howMany(scene, (o) => o.shape === m![1]);
  }
  if ((m = new RegExp(`^How many ${COLOR} ${SHAPE}s are there\\?$`).exec(question))) {
    return howMany(scene, (o) => o.color === m![1] && o.shape === m![2]);
  }
  if ((m = new RegExp(`^Is there (a|an) ${COLOR} ${SHAPE}\\?$`).exec(question))) {
    const [, art, color, shape] = m;
    if ((art === "an") !== /^[aeiou]/.test(color)) return "!wrong article";
    return scene.objects.some((o) => o.color === color && o.shape === shape) ? "yes" : "no";
  }
  if ((m = new RegExp(`^What color is the ${SHAPE}\\?$`).exec(question))) {
    return only(scene, (o) => o.shape === m![1])?.color ?? "!shape not unique";
  }
  if ((m = new RegExp(`^What shape is the ${COLOR} object\\?$`).exec(question))) {
    return only(scene, (o) => o.color === m![1])?.shape ?? "!colour not unique";
  }
  if (
    (m = new RegExp(`^Is the ${COLOR} ${SHAPE} on the left or on the right\\?$`).exec(question))
  ) {
    const o = ref(m[1], m[2]);
    return !o ? "!not unique" : o.col === 1 ? "!centre column" : o.col === 0 ? "left" : "right";
  }
  if (
    (m = new RegExp(`^Is the ${COLOR} ${SHAPE} at the top or at the bottom\\?$`).exec(question))
  ) {
    const o = ref(m[1], m[2]);
    return !o ? "!not unique" : o.row === 1 ? "!middle row" : o.row === 0 ? "top" : "bottom";
  }
  const pair = new RegExp(
    `^Is the ${COLOR} ${SHAPE} (to the left of|above) the ${COLOR} ${SHAPE}\\?$`,
  )
    .exec(question);
  if (pair) {
    const a = ref(pair[1], pair[2]);
    const b = ref(pair[4], pair[5]);
    if (!a || !b) return "!not unique";
    const [pa, pb] = pair[3] === "above" ? [a.row, b.row] : [a.col, b.col];
    return pa === pb ? "!same line" : pa < pb ? "yes" : "no";
  }
  return `!unknown question "${question}"`;
}

/** For an existence question: which of its colour and shape occur in the scene at all. */
function negativeKind(question: string, scene: Scene): string {
  const m = new RegExp(`^Is there an? ${COLOR} ${SHAPE}\\?$`).exec(question);
  if (!m) return "(not an existence question)";
  const color = scene.objects.some((o) => o.color === m[1]);
  const shape = scene.objects.some((o) => o.shape === m[2]);
  return color && shape ? "color+shape" : color ? "color" : shape ? "shape" : "none";
}

function geometryProblem(scene: Scene): string | undefined {
  const w = scene.width;
  const cells = new Set(scene.objects.map((o) => o.row * 3 + o.col));
  if (cells.size !== scene.objects.length) return "two objects share a cell";
  if (scene.objects.length < 1 || scene.objects.length > 6) return "object count outside 1-6";
  const margin = (8 / 384) * w;
  for (const o of scene.objects) {
    const side = o.size === "small" ? 0.12 * w : 0.24 * w;
    if (Math.abs(o.d - side) > 1) return `box ${o.d} does not match size ${o.size}`;
    const inside = (c: number, index: number) =>
      c - o.d / 2 >= Math.floor(index * w / 3) + margin - 0.5 &&
      c + o.d / 2 <= Math.floor((index + 1) * w / 3) - margin + 0.5;
    if (!inside(o.cx, o.col) || !inside(o.cy, o.row)) return "object box leaves its cell margin";
  }
  return undefined;
}

/** Checks every item of a ShapesBench item list; returns the problems found (empty when sound). */
export function verifyShapesItems(items: readonly ManifestItem[]): string[] {
  const problems: string[] = [];
  const scenes = new Map<unknown, Scene>();
  for (const item of items) {
    if (item.task === "caption") scenes.set(item.image_id, item.meta?.scene as Scene);
  }
  const yesNo = new Map<string, { yes: number; no: number }>();
  const retrievalCaptions = new Set<string>();
  for (const item of items) {
    const scene = scenes.get(item.image_id);
    const say = (problem: string) => problems.push(`${item.id}: ${problem}`);
    if (!scene) {
      say("no caption item with a scene graph for this image");
      continue;
    }
    if (item.task === "caption") {
      const geometry = geometryProblem(scene);
      if (geometry) say(geometry);
      if (item.references.length !== 5) say("expected 5 reference captions");
      for (const caption of item.references) {
        const problem = captionProblem(caption, scene, false);
        if (problem) say(problem);
      }
    } else if (item.task === "retrieval") {
      for (const caption of item.captions) {
        const problem = captionProblem(caption, scene, true);
        if (problem) say(problem);
        if (retrievalCaptions.has(caption)) say(`retrieval caption repeats: "${caption}"`);
        retrievalCaptions.add(caption);
      }
    } else if (item.task === "vqa") {
      const truth = answerFromScene(item.question, scene);
      if (truth.startsWith("!")) say(truth.slice(1));
      if (item.answers.length !== 10 || item.answers.some((a) => a !== truth)) {
        say(`answers ${item.answers[0]} x${item.answers.length}, the scene says ${truth}`);
      }
      const negative = item.meta?.negative;
      if (negative !== undefined && negative !== negativeKind(item.question, scene)) {
        say(`negative tag ${negative} is wrong`);
      }
      if (truth === "yes" || truth === "no") {
        const tally = yesNo.get(item.question_type ?? "") ?? { yes: 0, no: 0 };
        tally[truth]++;
        yesNo.set(item.question_type ?? "", tally);
      }
    } else {
      const truth = answerFromScene(item.question, scene);
      const options = Object.values(item.options ?? {});
      if (truth.startsWith("!")) say(truth.slice(1));
      if (item.options?.[item.answer] !== truth) say(`answer ${item.answer} is not "${truth}"`);
      if (new Set(options).size !== options.length) say("options repeat");
    }
  }
  for (const [template, { yes, no }] of yesNo) {
    if (yes !== no) problems.push(`yes/no template ${template}: ${yes} yes vs ${no} no`);
  }
  return problems;
}

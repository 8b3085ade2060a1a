/**
 * The small English grammar of ShapesBench: number words, articles, plurals, position phrases,
 * lists, and grouping of a scene's objects into "two blue squares"-style phrases.
 *
 * @module
 */
import { COLUMNS, ROWS, type Shape } from "./palette.ts";
import type { Scene, SceneObject } from "./scene.ts";

/** Number words 0-9. */
export const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
] as const;

/** `a` or `an` for the word that follows. */
export function article(nextWord: string): string {
  return /^[aeiou]/.test(nextWord) ? "an" : "a";
}

/** The plural of a shape name (`circles`, `hexagons`). */
export function plural(shape: Shape): string {
  return `${shape}s`;
}

/** Joins phrases as `a`, `a and b`, `a, b and c`. */
export function joinList(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** Where an object is, as a phrase: `in the top left corner`, `at the top`, `in the center`. */
export function positionPhrase(object: Pick<SceneObject, "row" | "col">): string {
  const row = ROWS[object.row];
  const col = COLUMNS[object.col];
  if (row === "middle") return col === "center" ? "in the center" : `on the ${col}`;
  if (col === "center") return `at the ${row}`;
  return `in the ${row} ${col} corner`;
}

/** Whether a scene has both small and large objects (size words are used only then). */
export function mixedSizes(scene: Scene): boolean {
  return new Set(scene.objects.map((o) => o.size)).size > 1;
}

/** Objects of a scene that share size (when sizes are mixed), colour and shape. */
export interface ObjectGroup {
  /** The size word, or "" when the scene's objects all have one size. */
  size: string;
  /** Colour name. */
  color: string;
  /** Shape name. */
  shape: Shape;
  /** How many objects the group holds. */
  count: number;
}

/** Groups a scene's objects by (size when mixed, colour, shape), in first-seen order. */
export function groupObjects(scene: Scene): ObjectGroup[] {
  const withSize = mixedSizes(scene);
  const groups = new Map<string, ObjectGroup>();
  for (const o of scene.objects) {
    const size = withSize ? o.size : "";
    const key = `${size}|${o.color}|${o.shape}`;
    const group = groups.get(key) ?? { size, color: o.color, shape: o.shape, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `a small red circle`, `two blue squares` (numberOne: `one red circle`). */
export function groupPhrase(group: ObjectGroup, numberOne = false): string {
  const adjectives = [group.size, group.color].filter((w) => w !== "").join(" ");
  if (group.count === 1) {
    const head = numberOne ? "one" : article(adjectives);
    return `${head} ${adjectives} ${group.shape}`;
  }
  return `${NUMBER_WORDS[group.count]} ${adjectives} ${plural(group.shape)}`;
}

/** `a small red circle` for one object (size word only when the scene mixes sizes). */
export function objectPhrase(object: SceneObject, withSize: boolean): string {
  const adjectives = [withSize ? object.size : "", object.color].filter((w) => w !== "").join(" ");
  return `${article(adjectives)} ${adjectives} ${object.shape}`;
}

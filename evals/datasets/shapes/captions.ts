/**
 * ShapesBench captions: five reference captions per image (enumeration, with background,
 * positional, counted, grouped variant; group order shuffled per caption with the seed) and two
 * fully specific retrieval captions that describe every object with its position.
 *
 * @module
 */
import {
  groupObjects,
  groupPhrase,
  joinList,
  mixedSizes,
  NUMBER_WORDS,
  type ObjectGroup,
  objectPhrase,
  plural,
  positionPhrase,
} from "./language.ts";
import type { Rng } from "./prng.ts";
import type { Scene } from "./scene.ts";

/** `two squares, both blue` / `three squares, all blue` / `one red circle`. */
function variantPhrase(group: ObjectGroup): string {
  if (group.count === 1) return groupPhrase(group, true);
  const size = group.size ? `${group.size} ` : "";
  const quantifier = group.count === 2 ? "both" : "all";
  return `${NUMBER_WORDS[group.count]} ${size}${plural(group.shape)}, ${quantifier} ${group.color}`;
}

/** Five reference captions for a scene, in the order listed in metrics.md §4c. */
export function referenceCaptions(scene: Scene, rng: Rng): string[] {
  const groups = groupObjects(scene);
  const order = () => rng.shuffle(groups);
  const withSize = mixedSizes(scene);
  const total = scene.objects.length;
  const positional = rng.shuffle(scene.objects).map((o) =>
    `${objectPhrase(o, withSize)} ${positionPhrase(o)}`
  );
  const variants = order().map(variantPhrase);
  const variantList = variants.length === 1
    ? variants[0]
    : `${variants.slice(0, -1).join(", ")}, and ${variants[variants.length - 1]}`;
  return [
    joinList(order().map((g) => groupPhrase(g))),
    `${joinList(order().map((g) => groupPhrase(g)))} on ${
      scene.background === "white" ? "a white" : "a light gray"
    } background`,
    joinList(positional),
    `${NUMBER_WORDS[total]} ${total === 1 ? "shape" : "shapes"}: ${
      joinList(order().map((g) => groupPhrase(g, true)))
    }`,
    variantList,
  ];
}

/**
 * Two captions naming every object with size, colour, shape and cell: row-major (`a small red
 * circle in the top left corner, ...`) and column-major with a different template. Two scenes
 * get the same retrieval captions only when they show the same objects in the same cells.
 */
export function retrievalCaptions(scene: Scene): [string, string] {
  const described = scene.objects.map((o) => ({ o, phrase: objectPhrase(o, true) }));
  const rowMajor = joinList(described.map(({ o, phrase }) => `${phrase} ${positionPhrase(o)}`));
  const columnMajor = [...described]
    .sort((a, b) => a.o.col * 3 + a.o.row - (b.o.col * 3 + b.o.row))
    .map(({ o, phrase }) => `${positionPhrase(o)} there is ${phrase}`);
  return [rowMajor, columnMajor.join("; ")];
}

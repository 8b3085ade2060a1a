import { relationGroups } from "./relation_breakdown.ts";
import { TWO_OBJECT_SCENE } from "./test_scene.ts";

const scene = TWO_OBJECT_SCENE;

Deno.test("relation breakdown: a question's groups follow the pair's geometry", () => {
  const cases: [string, string, string, string[]][] = [
    ["relative_h", "Is the blue square to the left of the green star?", "no", [
      "relative_h answer no",
      "relative_h gap 2",
      "relative_h x second in reading order",
    ]],
    ["relative_v", "Is the green star above the blue square?", "yes", [
      "relative_v answer yes",
      "relative_v gap 1",
      "relative_v x first in reading order",
    ]],
  ];
  for (const [type, question, answer, expected] of cases) {
    const got = relationGroups(type, question, answer, scene);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`${question}: ${JSON.stringify(got)}`);
    }
  }
  let message = "";
  try {
    relationGroups("relative_h", "Is the red circle to the left of the blue square?", "no", scene);
  } catch (error) {
    message = (error as Error).message;
  }
  if (!message.includes("does not name two single objects")) {
    throw new Error(`not refused: ${message}`);
  }
});

import { assert, assertEquals } from "../testing/mod.ts";
import { dedupeImages } from "./dedupe_images.ts";

Deno.test("dedupeImages defines a repeated picture once and uses it in each place", () => {
  const a = "data:image/png;base64,AAAA", b = "data:image/png;base64,BBBB";
  const svg =
    `<svg width="10"><g><image preserveAspectRatio="none" href="${a}" height="4" width="6" y="1" x="2" />` +
    `<image preserveAspectRatio="none" href="${a}" height="4" width="6" y="7" x="2" />` +
    `<image href="${b}" width="3" height="3" /></g></svg>`;
  const out = dedupeImages(svg);
  assertEquals(out.split(a).length - 1, 1);
  assertEquals(out.split(b).length - 1, 1);
  const id = /<symbol id="([^"]+)" viewBox="0 0 1 1" preserveAspectRatio="none">/.exec(out)?.[1];
  assert(id, out);
  assert(out.startsWith(`<svg width="10"><defs><symbol id="${id}"`));
  assert(out.includes(`<use href="#${id}" height="4" width="6" y="1" x="2" />`));
  assert(out.includes(`<use href="#${id}" height="4" width="6" y="7" x="2" />`));
  assert(out.includes(`<image href="${b}" width="3" height="3" />`), "a single use stays as it is");
  assertEquals(
    dedupeImages(`<svg><image href="${b}" /></svg>`),
    `<svg><image href="${b}" /></svg>`,
  );
});

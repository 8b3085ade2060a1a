import { openCheckpoint, presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { CheckpointError } from "../errors.ts";
import { buildOptions } from "../model/mod.ts";

import { assertEquals, assertThrows, withTempDir } from "../testing/mod.ts";
import { prepareGraph } from "./graph_cache.ts";
import { createSession, i64 } from "./session.ts";
import { TokenTable } from "./token_table.ts";

Deno.test("token table: rows read from the weights file equal the embed graph's output at fp32 (in place), fp16 and int4", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), `${dir}/tiny`, { seed: 3 });
    const checkpoint = await openCheckpoint(`${dir}/tiny`);
    const vocab = checkpoint.config.lm_vocab_size;
    const ids = [[0, 5, vocab - 1], [7, 7, 1]];
    for (const precision of ["fp32", "fp16", "int4"] as const) {
      const graph = await prepareGraph("embed", checkpoint, buildOptions({ precision }), dir);
      const { session } = await createSession(graph.bytes, graph.weightsFolder);
      const out = await session.run({ input_ids: i64(ids.flat(), [2, 3]) });
      await session.release();
      const table = TokenTable.open(graph.tokenTable!);
      try {
        assertEquals(table.lookup(ids), out.inputs_embeds.data as Float32Array, precision);
      } finally {
        table.close();
      }
    }
    // fp32 reads the checkpoint's own file; a cut-short file is a named error, not a short row.
    const fp32 = await prepareGraph("embed", checkpoint, buildOptions({}), dir);
    assertEquals(fp32.tokenTable!.path, await Deno.realPath(`${dir}/tiny/model.safetensors`));
    const cut = `${dir}/cut.weights`;
    const bytes = await Deno.readFile(fp32.tokenTable!.path);
    const rowBytes = 4 * fp32.tokenTable!.shape[1];
    await Deno.writeFile(cut, bytes.subarray(0, fp32.tokenTable!.offset + 2.5 * rowBytes));
    const table = TokenTable.open({ ...fp32.tokenTable!, path: cut });
    try {
      assertEquals(table.lookup([[1]]).length, fp32.tokenTable!.shape[1]);
      assertThrows(() => table.lookup([[2]]), CheckpointError, /ends before byte/);
    } finally {
      table.close();
    }
  });
});

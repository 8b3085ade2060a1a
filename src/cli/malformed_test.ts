/**
 * The malformed-input corpus at the command line (issue 13 acceptance; the checkpoint-file cases
 * live in `src/checkpoint/malformed_test.ts`): configs, images, tokenizers, model and cache
 * folders, options and datasets, each giving its named error class with a message that says what
 * is wrong, and nothing hanging (FIFOs, devices).
 */
import { join } from "node:path";
import {
  configToJson,
  presetConfig,
  readSafetensorsIndex,
  synthesizeCheckpoint,
} from "../checkpoint/mod.ts";
import { CheckpointError, ConfigError, InputError, type NanovlmError } from "../errors.ts";
import { assertRejects, BYTE_LEVEL_TOKENIZER, withTempDir } from "../testing/mod.ts";
import { captionCommand } from "./caption.ts";
import type { Command } from "./command.ts";
import { datasetCheckCommand } from "./dataset_check.ts";
import { datasetShapesCommand } from "./dataset_shapes.ts";
import { infoCommand } from "./info.ts";
import { runCaptured } from "./score_testing.ts";
import { synthCommand } from "./synth.ts";

type ErrorClass = new (...args: never[]) => NanovlmError;

/** One case: prepare files under `dir`, run a command, expect an error class and message. */
interface Case {
  name: string;
  setup?: (dir: string, base: Base) => Promise<void>;
  command: Command;
  args: (dir: string, base: Base) => string[];
  error: ErrorClass;
  pattern: RegExp;
}

/** Shared inputs: a tiny checkpoint, a photo, a small dataset. */
interface Base {
  ckpt: string;
  image: string;
  dataset: string;
}

const PHOTO = decodeURIComponent(
  new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);

/** caption's arguments: the base checkpoint, byte-level tokenizer and a fresh cache unless given. */
const caption = (
  dir: string,
  base: Base,
  extra: string[],
  { model = base.ckpt, tokenizer = BYTE_LEVEL_TOKENIZER, cacheDir = `${dir}/cache` } = {},
) => ["--model", model, "--tokenizer", tokenizer, "--cache-dir", cacheDir, ...extra];
const withImage = (
  dir: string,
  base: Base,
  extra: string[],
  paths: Parameters<typeof caption>[3] = {},
) => caption(dir, base, ["--image", base.image, ...extra], paths);

async function mkfifo(path: string): Promise<void> {
  const { success } = await new Deno.Command("mkfifo", { args: [path] }).output();
  if (!success) throw new Error("mkfifo failed");
}

/** A copy of the checkpoint whose config.json is `config` (an object, or raw text). */
async function configCase(dir: string, base: Base, config: Record<string, unknown> | string) {
  await Deno.mkdir(`${dir}/ckpt`);
  await Deno.copyFile(`${base.ckpt}/model.safetensors`, `${dir}/ckpt/model.safetensors`);
  const text = typeof config === "string"
    ? config
    : configToJson({ ...presetConfig("tiny-v0.1"), ...config } as never);
  await Deno.writeTextFile(`${dir}/ckpt/config.json`, text);
}

/** A copy of the dataset, then `edit` applied to it. */
async function datasetCase(dir: string, base: Base, edit: (ds: string) => Promise<void>) {
  const ds = `${dir}/ds`;
  await Deno.mkdir(`${ds}/images`, { recursive: true });
  for (const entry of Deno.readDirSync(base.dataset)) {
    if (entry.isFile) await Deno.copyFile(`${base.dataset}/${entry.name}`, `${ds}/${entry.name}`);
  }
  for (const entry of Deno.readDirSync(`${base.dataset}/images`)) {
    await Deno.copyFile(`${base.dataset}/images/${entry.name}`, `${ds}/images/${entry.name}`);
  }
  await edit(ds);
}

const info = (path = "ckpt") => (dir: string) => [`${dir}/${path}`];

const CONFIG_VALUES: [string, Record<string, unknown>, RegExp][] = [
  [
    "mp_pixel_shuffle_factor 1000",
    { mp_pixel_shuffle_factor: 1000 },
    /mp_pixel_shuffle_factor = 1000 is over/,
  ],
  ["lm_hidden_dim 1,000,000", { lm_hidden_dim: 1_000_000 }, /lm_hidden_dim = 1000000 is over/],
  ["lm_vocab_size 2^40", { lm_vocab_size: 2 ** 40 }, /lm_vocab_size = \d+ is over/],
  ["vit_n_blocks 100,000", { vit_n_blocks: 100_000 }, /vit_n_blocks = 100000 is over/],
  [
    "lm_max_position_embeddings 2^30",
    { lm_max_position_embeddings: 2 ** 30 },
    /lm_max_position_embeddings = \d+ is over/,
  ],
  ["vit_img_size 0", { vit_img_size: 0 }, /vit_img_size = 0 is not a positive integer/],
  ["lm_n_heads 2.5", { lm_n_heads: 2.5 }, /lm_n_heads = 2.5 is not a positive integer/],
  ["lm_rms_eps -1", { lm_rms_eps: -1 }, /lm_rms_eps = -1 must be a positive number/],
  ["vit_dropout 1.5", { vit_dropout: 1.5 }, /vit_dropout = 1.5 is outside \[0, 1\)/],
];

const CASES: Case[] = [
  // Configs.
  ...CONFIG_VALUES.map(([name, values, pattern]): Case => ({
    name: `config: ${name}`,
    setup: (dir, base) => configCase(dir, base, values),
    command: infoCommand,
    args: info(),
    error: ConfigError,
    pattern,
  })),
  {
    name: "config: not JSON",
    setup: (dir, base) => configCase(dir, base, "{ vit_hidden_dim: 768 "),
    command: infoCommand,
    args: info(),
    error: ConfigError,
    pattern: /not valid JSON/,
  },
  {
    name: "config: not UTF-8",
    setup: async (dir, base) => {
      await configCase(dir, base, "{}");
      await Deno.writeFile(`${dir}/ckpt/config.json`, new Uint8Array([0x7b, 0xff, 0x7d]));
    },
    command: infoCommand,
    args: info(),
    error: ConfigError,
    pattern: /config\.json .* is not UTF-8 text/,
  },
  {
    name: "config: 2 MiB of whitespace",
    setup: (dir, base) => configCase(dir, base, " ".repeat(2 << 20) + "{}"),
    command: infoCommand,
    args: info(),
    error: ConfigError,
    pattern: /is 2\.0 MiB, over the 1\.0 MiB a config\.json may hold/,
  },
  {
    name: "config: a FIFO (would hang)",
    setup: async (dir, base) => {
      await configCase(dir, base, "{}");
      await Deno.remove(`${dir}/ckpt/config.json`);
      await mkfifo(`${dir}/ckpt/config.json`);
    },
    command: infoCommand,
    args: info(),
    error: ConfigError,
    pattern: /config\.json is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: "config: a link to /dev/zero (endless)",
    setup: async (dir, base) => {
      await configCase(dir, base, "{}");
      await Deno.remove(`${dir}/ckpt/config.json`);
      await Deno.symlink("/dev/zero", `${dir}/ckpt/config.json`);
    },
    command: infoCommand,
    args: info(),
    error: ConfigError,
    pattern: /is a character device, not a regular file/,
  },
  {
    name: "config: synth --config with max_img_size 6,400,000",
    setup: async (dir) => {
      await Deno.writeTextFile(
        `${dir}/config.json`,
        configToJson({ ...presetConfig("tiny-current"), max_img_size: 6_400_000 }),
      );
    },
    command: synthCommand,
    args: (dir) => ["--config", `${dir}/config.json`, "--out", `${dir}/out`],
    error: ConfigError,
    pattern: /max_img_size = 6400000 is over/,
  },
  // Checkpoint folders.
  {
    name: "checkpoint: model.safetensors is a folder",
    setup: async (dir, base) => {
      await Deno.mkdir(`${dir}/ckpt/model.safetensors`, { recursive: true });
      await Deno.copyFile(`${base.ckpt}/config.json`, `${dir}/ckpt/config.json`);
    },
    command: infoCommand,
    args: info(),
    error: CheckpointError,
    pattern: /model\.safetensors: is a folder, not a safetensors file/,
  },
  {
    name: "checkpoint: model.safetensors is a FIFO (would hang)",
    setup: async (dir, base) => {
      await Deno.mkdir(`${dir}/ckpt`);
      await mkfifo(`${dir}/ckpt/model.safetensors`);
      await Deno.copyFile(`${base.ckpt}/config.json`, `${dir}/ckpt/config.json`);
    },
    command: infoCommand,
    args: info(),
    error: CheckpointError,
    pattern: /model\.safetensors: is a FIFO, not a safetensors file/,
  },
  {
    name: "checkpoint: info --check names a tensor holding NaN",
    setup: async (dir, base) => {
      await configCase(dir, base, {});
      const file = `${dir}/ckpt/model.safetensors`;
      const entry = (await readSafetensorsIndex(file)).tensors.get("decoder.norm.weight")!;
      const bytes = await Deno.readFile(file);
      new DataView(bytes.buffer).setFloat32(entry.offset, NaN, true);
      await Deno.writeFile(file, bytes);
    },
    command: infoCommand,
    args: (dir) => [`${dir}/ckpt`, "--check"],
    error: CheckpointError,
    pattern: /1 tensor\(s\) hold NaN or Inf:\n {2}- decoder\.norm\.weight: 1 NaN, 0 Inf of 64/,
  },
  {
    name: "checkpoint: --model is a file",
    command: captionCommand,
    args: (dir, base) => caption(dir, base, ["--image", base.image], { model: base.image }),
    error: CheckpointError,
    pattern: /not a folder/,
  },
  // Cache folders.
  ...([
    [
      "a file",
      (dir: string) => Deno.writeTextFile(`${dir}/f`, "x"),
      "f",
      /cache folder .*\/f is a file, not a folder/,
    ],
    [
      "under a file",
      (dir: string) => Deno.writeTextFile(`${dir}/f`, "x"),
      "f/sub/cache",
      /cache folder .*\/f\/sub\/cache cannot be made: .*\/f is a file/,
    ],
    ["a device", async () => {}, "/dev/null", /cache folder \/dev\/null is a special file/],
  ] as const).map(([name, setup, path, pattern]): Case => ({
    name: `cache: --cache-dir is ${name}`,
    setup: (dir) => setup(dir),
    command: captionCommand,
    args: (dir, base) =>
      withImage(dir, base, [], { cacheDir: path.startsWith("/") ? path : `${dir}/${path}` }),
    error: InputError,
    pattern,
  })),
  // Images.
  ...([
    ["an empty path", async () => {}, () => "", /image: the path is empty/],
    ["a folder", async () => {}, (dir: string) => dir, /is a folder, not a regular file/],
    ["missing", async () => {}, (dir: string) => `${dir}/nope.png`, /image not found: .*nope\.png/],
    [
      "a FIFO",
      (dir: string) => mkfifo(`${dir}/pipe.png`),
      (dir: string) => `${dir}/pipe.png`,
      /FIFO/,
    ],
    [
      "an empty file",
      (dir: string) => Deno.writeFile(`${dir}/e.png`, new Uint8Array()),
      (dir: string) => `${dir}/e.png`,
      /is an empty file/,
    ],
    [
      "text, not an image",
      (dir: string) => Deno.writeTextFile(`${dir}/t.png`, "hello"),
      (dir: string) => `${dir}/t.png`,
      /cannot decode image/,
    ],
    [
      "a truncated JPEG",
      async (dir: string) => {
        const bytes = await Deno.readFile(PHOTO);
        await Deno.writeFile(`${dir}/cut.jpg`, bytes.subarray(0, 600));
      },
      (dir: string) => `${dir}/cut.jpg`,
      /cannot decode image/,
    ],
    [
      "an SVG naming another file",
      (dir: string) =>
        Deno.writeTextFile(
          `${dir}/x.svg`,
          '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' +
            'width="8" height="8"><image xlink:href="/etc/hostname" width="8" height="8"/></svg>',
        ),
      (dir: string) => `${dir}/x.svg`,
      /SVG images are refused/,
    ],
  ] as const).map(([name, setup, path, pattern]): Case => ({
    name: `image: ${name}`,
    setup: (dir) => setup(dir),
    command: captionCommand,
    args: (dir, base) => caption(dir, base, ["--image", path(dir)]),
    error: InputError,
    pattern,
  })),
  // Tokenizers.
  ...([
    ["missing", async () => {}, (dir: string) => `${dir}/none.json`, /tokenizer not found/],
    [
      "a folder without tokenizer.json",
      async () => {},
      (dir: string) => dir,
      /has no tokenizer\.json/,
    ],
    [
      "not JSON",
      (dir: string) => Deno.writeTextFile(`${dir}/tok.json`, "{"),
      (dir: string) => `${dir}/tok.json`,
      /not valid JSON/,
    ],
    [
      "a JSON array",
      (dir: string) => Deno.writeTextFile(`${dir}/tok.json`, "[]"),
      (dir: string) => `${dir}/tok.json`,
      /does not hold a JSON object/,
    ],
    [
      "a FIFO",
      (dir: string) => mkfifo(`${dir}/tok.json`),
      (dir: string) => `${dir}/tok.json`,
      /tokenizer file .* is a FIFO/,
    ],
    [
      "a link to /dev/zero",
      (dir: string) => Deno.symlink("/dev/zero", `${dir}/tok.json`),
      (dir: string) => `${dir}/tok.json`,
      /tokenizer file .* is a character device/,
    ],
    [
      "a JSON object without a model",
      (dir: string) => Deno.writeTextFile(`${dir}/tok.json`, "{}"),
      (dir: string) => `${dir}/tok.json`,
      /not a Hugging Face tokenizer\.json/,
    ],
  ] as const).map(([name, setup, path, pattern]): Case => ({
    name: `tokenizer: ${name}`,
    setup: (dir) => setup(dir),
    command: captionCommand,
    args: (dir, base) => withImage(dir, base, [], { tokenizer: path(dir) }),
    error: InputError,
    pattern,
  })),
  // Options.
  ...([
    [["--threads", "0"], /--threads/],
    [["--threads", "two"], /--threads/],
    [["--seed", "1.5"], /--seed/],
    [["--num-beams", "many"], /--num-beams/],
    [["--repetition-penalty", "0"], /--repetition-penalty/],
    [["--length-penalty", "x"], /--length-penalty/],
    [["--flavour", "slow"], /--flavour must be one of fast, inspect/],
    [["--sampling-order", "random"], /--sampling-order/],
    [["--top-k", "-2"], /--top-k/],
  ] as const).map(([extra, pattern]): Case => ({
    name: `option: ${extra.join(" ")}`,
    command: captionCommand,
    args: (dir, base) => withImage(dir, base, [...extra]),
    error: InputError,
    pattern,
  })),
  // Datasets.
  ...([
    [
      "an empty manifest",
      (ds: string) => Deno.writeTextFile(`${ds}/manifest.jsonl`, ""),
      /manifest\.jsonl has no items/,
    ],
    [
      "manifest.jsonl is a FIFO",
      async (ds: string) => {
        await Deno.remove(`${ds}/manifest.jsonl`);
        await mkfifo(`${ds}/manifest.jsonl`);
      },
      /manifest\.jsonl .* is a FIFO/,
    ],
    [
      "dataset.json is not JSON",
      (ds: string) => Deno.writeTextFile(`${ds}/dataset.json`, "{"),
      /dataset\.json: not valid JSON/,
    ],
    [
      "dataset.json missing",
      (ds: string) => Deno.remove(`${ds}/dataset.json`),
      /dataset\.json not found/,
    ],
    [
      "an image missing",
      async (ds: string) => {
        const [first] = [...Deno.readDirSync(`${ds}/images`)];
        await Deno.remove(`${ds}/images/${first.name}`);
      },
      /missing images in/,
    ],
    [
      "an image that is a text file",
      async (ds: string) => {
        const [first] = [...Deno.readDirSync(`${ds}/images`)].map((e) => e.name).sort();
        await Deno.writeTextFile(`${ds}/images/${first}`, "not a picture\n");
        await Deno.remove(`${ds}/images.sha256`);
      },
      /images\/00000\.png is text \(starts "not a picture\\n"\), not an image \(item shapes-00000-caption,/,
    ],
    [
      "images.sha256 naming a file outside the folder",
      (ds: string) =>
        Deno.writeTextFile(
          `${ds}/images.sha256`,
          `${"0".repeat(64)}  ../../../../../../etc/hostname\n`,
        ),
      /outside the dataset folder|escapes|\.\./,
    ],
  ] as const).map(([name, edit, pattern]): Case => ({
    name: `dataset: ${name}`,
    setup: (dir, base) => datasetCase(dir, base, edit),
    command: datasetCheckCommand,
    args: (dir) => [join(dir, "ds")],
    error: InputError,
    pattern,
  })),
];

Deno.test(`malformed inputs at the command line: ${CASES.length} cases, each a named error`, async (t) => {
  await withTempDir(async (root) => {
    const base: Base = { ckpt: `${root}/ckpt`, image: PHOTO, dataset: `${root}/dataset` };
    await synthesizeCheckpoint(presetConfig("tiny-v0.1"), base.ckpt, { seed: 0 });
    await runCaptured(datasetShapesCommand, ["--out", base.dataset, "--count", "2", "--seed", "1"]);
    for (const c of CASES) {
      await t.step(c.name, async () => {
        await withTempDir(async (dir) => {
          await c.setup?.(dir, base);
          await assertRejects(() => runCaptured(c.command, c.args(dir, base)), c.error, c.pattern);
        });
      });
    }
  });
});

/**
 * The answer normalisation of the official VQA evaluation (GT-Vision-Lab/VQA `vqaEval.py`,
 * commit a013f00) and of lmms-eval (`EvalAIAnswerProcessor.process_punctuation` and
 * `process_digit_article`): punctuation rules, number words to digits, articles dropped, and the
 * contraction table (120 entries, identical in both, quirks included: `somebody'd` → `somebodyd`).
 *
 * @module
 */
import { pySplit } from "./py_text.ts";

/** The contraction table as `from>to` pairs (apostrophe-less spellings to the canonical ones). */
const CONTRACTION_PAIRS = `
aint>ain't arent>aren't cant>can't couldve>could've couldnt>couldn't
couldn'tve>couldn't've couldnt've>couldn't've didnt>didn't doesnt>doesn't dont>don't
hadnt>hadn't hadnt've>hadn't've hadn'tve>hadn't've hasnt>hasn't havent>haven't hed>he'd
hed've>he'd've he'dve>he'd've hes>he's howd>how'd howll>how'll hows>how's Id've>I'd've
I'dve>I'd've Im>I'm Ive>I've isnt>isn't itd>it'd itd've>it'd've it'dve>it'd've
itll>it'll let's>let's maam>ma'am mightnt>mightn't mightnt've>mightn't've
mightn'tve>mightn't've mightve>might've mustnt>mustn't mustve>must've neednt>needn't
notve>not've oclock>o'clock oughtnt>oughtn't ow's'at>'ow's'at 'ows'at>'ow's'at
'ow'sat>'ow's'at shant>shan't shed've>she'd've she'dve>she'd've she's>she's
shouldve>should've shouldnt>shouldn't shouldnt've>shouldn't've shouldn'tve>shouldn't've
somebody'd>somebodyd somebodyd've>somebody'd've somebody'dve>somebody'd've
somebodyll>somebody'll somebodys>somebody's someoned>someone'd someoned've>someone'd've
someone'dve>someone'd've someonell>someone'll someones>someone's somethingd>something'd
somethingd've>something'd've something'dve>something'd've somethingll>something'll
thats>that's thered>there'd thered've>there'd've there'dve>there'd've therere>there're
theres>there's theyd>they'd theyd've>they'd've they'dve>they'd've theyll>they'll
theyre>they're theyve>they've twas>'twas wasnt>wasn't wed've>we'd've we'dve>we'd've
weve>we've werent>weren't whatll>what'll whatre>what're whats>what's whatve>what've
whens>when's whered>where'd wheres>where's whereve>where've whod>who'd whod've>who'd've
who'dve>who'd've wholl>who'll whos>who's whove>who've whyll>why'll whyre>why're
whys>why's wont>won't wouldve>would've wouldnt>wouldn't wouldnt've>wouldn't've
wouldn'tve>wouldn't've yall>y'all yall'll>y'all'll y'allll>y'all'll yall'd've>y'all'd've
y'alld've>y'all'd've y'all'dve>y'all'd've youd>you'd youd've>you'd've you'dve>you'd've
youll>you'll youre>you're youve>you've`;

/** Contractions: e.g. `dont` → `don't`, `whats` → `what's`. */
export const VQA_CONTRACTIONS: ReadonlyMap<string, string> = new Map(
  CONTRACTION_PAIRS.trim().split(/\s+/).map((pair) => pair.split(">") as [string, string]),
);

/** Number words mapped to digits (`none` counts as `0`). */
export const VQA_NUMBER_WORDS: ReadonlyMap<string, string> = new Map(
  "none zero one two three four five six seven eight nine ten".split(" ").map((word, i) => [
    word,
    String(Math.max(0, i - 1)),
  ]),
);

const ARTICLES = new Set(["a", "an", "the"]);

/** The 21 punctuation characters handled by `processPunctuation` (not `'`, `:` or `.`). */
export const VQA_PUNCTUATION: readonly string[] = [
  ";",
  "/",
  "[",
  "]",
  '"',
  "{",
  "}",
  "(",
  ")",
  "=",
  "+",
  "\\",
  "_",
  "-",
  ">",
  "<",
  "@",
  "`",
  ",",
  "?",
  "!",
];

/** Which implementation's small differences to follow. */
export type VqaFlavour = "official" | "lmms";

/** `(\d)(,)(\d)` in the official script, `(?<=\d)(\,)+(?=\d)` in lmms-eval. */
const DIGIT_COMMA: Record<VqaFlavour, RegExp> = { official: /\d,\d/, lmms: /\d,+\d/ };

/** Python's `re.sub(..., count=32)`: both scripts pass `re.UNICODE` (32) as the count by mistake. */
const PERIOD_STRIP_COUNT = 32;

/**
 * `processPunctuation`: for each punctuation character, delete it when it touches a space in the
 * ORIGINAL text (or the text has a digit-comma-digit), else replace it by a space; then delete
 * periods not followed by a digit (at most 32 of them, like the reference).
 *
 * @example
 * ```ts
 * processPunctuation("hot-dog") // "hot dog"
 * processPunctuation("1,000") // "1000"
 * ```
 */
export function processPunctuation(text: string, flavour: VqaFlavour = "official"): string {
  let out = text;
  const digitComma = DIGIT_COMMA[flavour].test(text);
  for (const p of VQA_PUNCTUATION) {
    const touchesSpace = text.includes(`${p} `) || text.includes(` ${p}`);
    out = out.replaceAll(p, touchesSpace || digitComma ? "" : " ");
  }
  let removed = 0;
  return out.replace(/\.(?!\d)/g, (period) => removed++ < PERIOD_STRIP_COUNT ? "" : period);
}

/**
 * `processDigitArticle`: lower-case, split on whitespace, map number words to digits, drop
 * articles, expand contractions, join with single spaces.
 *
 * @example
 * ```ts
 * processDigitArticle("Two dogs") // "2 dogs"
 * ```
 */
export function processDigitArticle(text: string): string {
  return pySplit(text.toLowerCase())
    .map((word) => VQA_NUMBER_WORDS.get(word) ?? word)
    .filter((word) => !ARTICLES.has(word))
    .map((word) => VQA_CONTRACTIONS.get(word) ?? word)
    .join(" ");
}

/**
 * The full normalisation of one answer: punctuation, then digits/articles/contractions.
 *
 * @example
 * ```ts
 * normalizeVqaAnswer("The dog!") // "dog"
 * ```
 */
export function normalizeVqaAnswer(text: string, flavour: VqaFlavour = "official"): string {
  return processDigitArticle(processPunctuation(text, flavour));
}

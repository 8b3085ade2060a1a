/**
 * A PTB-style caption tokenizer in TypeScript that stands in for the Java pipeline of
 * pycocoevalcap: Stanford CoreNLP 3.4.1 `PTBTokenizer -preserveLines -lowerCase`, followed by the
 * removal of pycocoevalcap's punctuation tokens and a join with single spaces.
 *
 * It reproduces, for everyday caption text: lower-casing; splitting off `, ; : . ? !` and quotes
 * (all removed afterwards); clitics (`dog's` → `dog 's`, `isn't` → `is n't`, `can't` → `ca n't`,
 * `won't` → `wo n't`, `cannot` → `can not`, `gonna` → `gon na`); periods kept inside numbers,
 * acronyms and known abbreviations (`3.5`, `u.s.`, `p.m.`, `mr.`); hyphenated words kept whole
 * (`black-and-white`, as in 3.4.1); brackets kept as the tokens `-lrb- -rrb- -lsb- -rsb- -lcb- -rcb-`
 * (the Java pipeline lower-cases them, so pycocoevalcap's upper-case filter misses them); runs
 * such as `!!` or `?!` kept as one token (only a lone `!`/`?` is filtered); `% $ # & * +`
 * split off and kept; URLs and e-mail addresses kept whole. CoreNLP 3.4.1 does NOT americanize
 * here (`grey` stays `grey`).
 *
 * Measured against the real CoreNLP 3.4.1 tokenizer (built from source): the final strings agree
 * on 86 of the 89 recorded tricky cases in `testdata/` (the 3 known differences are listed in
 * `ptb_tokenizer_test.ts`) and on 2999 of 3000 random caption-like lines mixing clitics,
 * abbreviations, numbers, quotes, brackets and punctuation runs. Known differences (rare in
 * captions): CoreNLP's full abbreviation grammar (context-dependent sentence-final
 * periods after abbreviations such as `etc.` or `Inc.`), SGML/XML markup, the complete list of
 * special apostrophe words (`nor'easter`, `c'mon`), words joined by a hyphen to a clitic
 * (`dog's-eye`), fractions and currency forms beyond `$5`/`3/4`, Unicode normalisation of
 * non-ASCII symbols (`½` → `1/2`), a single capital letter with a sentence-final period
 * (`... A.`), and `\r` or other line separators inside a caption (the
 * Java pipeline treats them as line breaks and misaligns the rest of the file; here they are
 * ordinary whitespace).
 *
 * @module
 */

/** Tokens pycocoevalcap removes after tokenization (`tokenizer/ptbtokenizer.py`). */
export const COCO_PUNCTUATIONS: ReadonlySet<string> = new Set([
  "''",
  "'",
  "``",
  "`",
  "-LRB-",
  "-RRB-",
  "-LCB-",
  "-RCB-",
  ".",
  "?",
  "!",
  ",",
  ":",
  "-",
  "--",
  "...",
  ";",
]);

const BRACKETS: Record<string, string> = {
  "(": "-LRB-",
  ")": "-RRB-",
  "[": "-LSB-",
  "]": "-RSB-",
  "{": "-LCB-",
  "}": "-RCB-",
};

/** Words whose trailing period belongs to them (CoreNLP's abbreviation lists, caseless). */
const ABBREVIATIONS = new Set(
  (
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri " +
    "inc co cos corp ltd plc bros jr sr blvd rd esq etc al seq bldg tel est ext sq " +
    "mr mrs ms miss dr drs prof profs sen sens rep reps lt col gen gov govs adm rev maj sgt cpl " +
    "pvt capt st ste ave pres lieut hon brig det mt ft asst assoc vs cf no nos fig figs ca pp op"
  ).split(" "),
);

/** Contractions that PTB splits inside one word. */
const SPLIT_WORDS: Record<string, [string, string]> = {
  cannot: ["can", "not"],
  gonna: ["gon", "na"],
  gotta: ["got", "ta"],
  wanna: ["wan", "na"],
  gimme: ["gim", "me"],
  lemme: ["lem", "me"],
};

const URL =
  /(?:https?|ftp):\/\/[^\s"<>|(){}]*[^\s"<>|.!?(){},-]|www\.[^\s"<>|(){}]*[^\s"<>|.!?(){},-]/uy;
const EMAIL = /[\p{L}\p{N}][\p{L}\p{N}._%+-]*@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/uy;
const WORD_CHAR = "[\\p{L}\\p{N}_\\p{M}]";
const WORD = new RegExp(
  `${WORD_CHAR}+(?:(?:[-./&]|(?<=\\p{L})'(?=\\p{L})|(?<=\\p{N})[,:](?=\\p{N}))${WORD_CHAR}+)*`,
  "uy",
);
const APOSTROPHE_WORD = /'(?:em|cause|til|till|n'|\d0s)(?![\p{L}\p{N}])/iuy;
const TRAILING_CLITIC = /'(?:s|m|d|ll|re|ve)(?![\p{L}\p{N}])/iuy;
const APOSTROPHE_T = /'t(?=is\b|was\b)/iuy;
const PUNCT_RUN = /[!?]+|\.{3}|-{2,}|``|''/y;
const CLITIC = /^(.+?)(n't|'(?:s|m|d|ll|re|ve))$/iu;

/** Splits a word token into PTB pieces (clitics, `cannot`, `y'all`, `rock'n'roll`). */
function splitWord(word: string): string[] {
  const lower = word.toLowerCase();
  if (SPLIT_WORDS[lower]) {
    const [first] = SPLIT_WORDS[lower];
    return [word.slice(0, first.length), word.slice(first.length)];
  }
  const yall = /^(y')(all)$/iu.exec(word);
  if (yall) return [yall[1], yall[2]];
  const rockNRoll = /^(.+?)('n')(.+)$/iu.exec(word);
  if (rockNRoll) return [rockNRoll[1], rockNRoll[2], ...splitWord(rockNRoll[3])];
  const clitic = CLITIC.exec(word);
  if (clitic && !/^'/u.test(clitic[1])) return [clitic[1], clitic[2]];
  return [word];
}

/** Whether `word.` keeps its period (acronym, single letter, or listed abbreviation). */
function keepsPeriod(word: string): boolean {
  return /^\p{L}(?:\.\p{L})*$/u.test(word) || ABBREVIATIONS.has(word.toLowerCase());
}

/** Tokenizes one whitespace-free chunk of text. */
function tokenizeChunk(chunk: string): string[] {
  const tokens: string[] = [];
  let pos = 0;
  const tryMatch = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = pos;
    const match = pattern.exec(chunk);
    return match ? match[0] : undefined;
  };
  while (pos < chunk.length) {
    const char = String.fromCodePoint(chunk.codePointAt(pos)!);
    const whole = tryMatch(URL) ?? tryMatch(EMAIL);
    if (whole) {
      tokens.push(whole);
      pos += whole.length;
      continue;
    }
    const apostropheT = tryMatch(APOSTROPHE_T);
    const clitic = pos > 0 && /[\p{L}\p{N}]/u.test(chunk[pos - 1])
      ? tryMatch(TRAILING_CLITIC)
      : undefined;
    const apostropheWord = apostropheT ?? clitic ?? tryMatch(APOSTROPHE_WORD);
    if (apostropheWord) {
      tokens.push(apostropheWord);
      pos += apostropheWord.length;
      continue;
    }
    const word = tryMatch(WORD);
    if (word) {
      const period = chunk[pos + word.length] === "." && keepsPeriod(word);
      tokens.push(...splitWord(period ? `${word}.` : word));
      pos += word.length + (period ? 1 : 0);
      continue;
    }
    const run = tryMatch(PUNCT_RUN);
    if (run) {
      tokens.push(run);
      pos += run.length;
      continue;
    }
    if (char in BRACKETS) tokens.push(BRACKETS[char]);
    else if (char === '"') tokens.push("''");
    else if (char.length === 1) tokens.push(char); // astral characters (emoji) are dropped, as CoreNLP does
    pos += char.length;
  }
  return tokens;
}

/**
 * The PTB token list of one caption, lower-cased (before pycocoevalcap's punctuation filter).
 *
 * @example
 * ```ts
 * ptbTokens("The dog's ball isn't red.") // ["the", "dog", "'s", "ball", "is", "n't", "red", "."]
 * ```
 */
export function ptbTokens(caption: string): string[] {
  return caption
    .replace(/[\u2018\u2019]/gu, "'")
    .replace(/[\u201c\u201d]/gu, '"')
    .replace(/[\u2013\u2014]/gu, " -- ")
    .replace(/\u2026/gu, " ... ")
    .split(/\s+/u)
    .filter((chunk) => chunk.length > 0)
    .flatMap(tokenizeChunk)
    .map((token) => token.toLowerCase());
}

/**
 * Tokenizes a caption as pycocoevalcap does before scoring: PTB tokens, lower-cased, minus
 * pycocoevalcap's punctuation tokens, joined by single spaces.
 *
 * @example
 * ```ts
 * cocoTokenize("A man riding a horse.") // "a man riding a horse"
 * cocoTokenize('A "happy" cat (sleeping)') // "a happy cat -lrb- sleeping -rrb-"
 * ```
 */
export function cocoTokenize(caption: string): string {
  return ptbTokens(caption)
    .filter((token) => !COCO_PUNCTUATIONS.has(token))
    .join(" ");
}

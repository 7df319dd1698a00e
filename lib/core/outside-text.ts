/**
 * Text written by someone else (an exchange's error `msg`, a chat platform's error reason) on its
 * way to a person: an email, an SMS, a chat message, a log line someone reads. Binance's own words
 * are short sentences; anything else in them is either noise or an attack: a masked link
 * (`[Verify your account](https://…)`) that Discord renders as a trusted-looking link, a bare URL
 * Slack and Telegram turn into one, a mention, markup, or control characters that rewrite a
 * terminal line or reorder text (bidi overrides). So such text is reduced to a safe summary: no
 * URLs or domain names, no markup, no control or invisible characters, one line, bounded.
 */

/** The longest summary kept: Binance's longest documented `msg` is about 100 characters. */
export const SUMMARY_MAX = 160;

/** Ranges of characters that are not shown as themselves: they control, hide or reorder text. */
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f], // C0 controls (CR, LF, ESC...)
  [0x007f, 0x009f], // DEL, C1 controls
  [0x00ad, 0x00ad], // soft hyphen
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5],
  [0x180e, 0x180e], // Mongolian vowel separator
  [0x200b, 0x200f], // zero-width characters, LRM, RLM
  [0x2028, 0x202e], // line/paragraph separators, bidi embeddings and overrides
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // zero-width no-break space (BOM)
  [0xffa0, 0xffa0],
  [0xfff0, 0xfffb], // specials, interlinear annotation
  [0xe0000, 0xe007f], // tags
];

function isInvisible(codePoint: number): boolean {
  return INVISIBLE_RANGES.some(([lo, hi]) => codePoint >= lo && codePoint <= hi);
}

/** `text` with every invisible character replaced by `by`; one pass over its code points. */
function replaceInvisible(text: string, by: string): string {
  let out = "";
  for (const ch of text) out += isInvisible(ch.codePointAt(0) ?? 0) ? by : ch;
  return out;
}

// scheme://anything, www.anything, and bare domain names (label.label.tld, any script).
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/\S*|\bwww\.\S*|(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}(?:[/?#]\S*)?/giu;
// What is kept: letters and digits of any script, spaces, and plain punctuation. Markup
// ([]()<>*_~`|#@{}\&$^) and everything else goes.
const NOT_PLAIN = /[^\p{L}\p{N}\s.,:;'"!?%=+\-/]/gu;

/**
 * `text` without control and invisible characters, newlines kept: for whole messages whose lines
 * matter (a chat alert) but whose other characters must not rewrite or reorder what a person sees.
 */
export function withoutInvisible(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => replaceInvisible(line, ""))
    .join("\n");
}

/**
 * A safe one-line summary of outside text, at most `max` characters. Empty when nothing plain
 * is left. Linear in the input, which is cut to a bounded prefix before any pattern runs.
 */
export function safeSummary(text: string, max = SUMMARY_MAX): string {
  const cleaned = replaceInvisible(text.slice(0, max * 8), " ")
    .replace(URL_LIKE, " link removed ")
    .replace(NOT_PLAIN, " ")
    .replace(/\s+/g, " ")
    .trim()
    // Parentheses are markup's too (a masked link's half); ours are put back once the rest is plain.
    .replace(/(?:link removed ?)+/g, "(link removed) ")
    .trim();
  return cleaned.length <= max ? cleaned : `${cleaned.slice(0, max - 3).trimEnd()}...`;
}

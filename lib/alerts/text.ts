/**
 * Text helpers every alert rendering shares: the SMS and subject limits, short decimals that
 * never show a digit Binance did not send, and a GSM-safe cut.
 */
import { divideUp, formatDecimal, parseDecimal } from "../risk/decimal.js";

export const SMS_MAX = 140;
/** SNS refuses (InvalidParameter, for good) a subject of 100 characters or more. */
export const SUBJECT_MAX = 99;

/**
 * A price or amount short enough for an SMS, cut (not rounded) from Binance's own string so it
 * never shows a digit Binance did not send: 1 decimal from 1,000, 4 from 1, else 8.
 */
export function shortDecimal(raw: string): string {
  const [whole = "0", frac = ""] = raw.split(".");
  const digits = Math.abs(Number(whole)) >= 1000 ? 1 : Math.abs(Number(whole)) >= 1 ? 4 : 8;
  const kept = frac.slice(0, digits).replace(/0+$/, "");
  return kept ? `${whole}.${kept}` : whole;
}

/** An amount to add, short for an SMS like shortDecimal but rounded up: a cut would ask for too little. */
export function shortAmountUp(raw: string): string {
  const amount = parseDecimal(raw);
  if (!amount) return raw;
  const whole = amount.units / 10n ** BigInt(amount.scale);
  const digits = whole >= 1000n ? 1 : whole >= 1n ? 4 : 8;
  return formatDecimal(divideUp(amount, { units: 1n, scale: 0 }, Math.min(digits, Math.max(amount.scale, 0))));
}

/**
 * Cut to `max` characters with an ASCII "...": a non-GSM character such as "…" would turn an SMS
 * into UCS-2 (70 characters a segment), and subjects are kept to plain ASCII.
 */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/**
 * The first of `texts` (fullest first) that fits in `max`, else the last one cut: a long pool
 * label or "at mark" then costs the figures a person can look up, not the remedy at the end.
 */
export function firstThatFits(texts: readonly [string, ...string[]], max: number): string {
  return texts.find((t) => t.length <= max) ?? truncate(texts[texts.length - 1] as string, max);
}

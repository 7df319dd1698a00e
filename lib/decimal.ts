/**
 * Exact arithmetic on Binance's decimal strings. Binance sends balances as strings with up to
 * 8 (sometimes more) decimals; parsing them into floats before dividing can push a ratio that is
 * exactly at a threshold to either side of it, so ratios are computed on scaled integers.
 */

const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;

/** A decimal as an integer `units` scaled by 10^-scale. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Parse a plain decimal string ("0.00241969", "-12", "5."). Returns undefined if it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const whole = m[1] ?? "0";
  const frac = m[2] ?? "";
  const negative = text.trim().startsWith("-");
  const units = BigInt(whole + frac) * (negative ? -1n : 1n);
  return { units, scale: frac.length };
}

function align(a: Decimal, b: Decimal): [bigint, bigint] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale)];
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isPositive(d: Decimal): boolean {
  return d.units > 0n;
}

/** Digits kept in a ratio: enough that no float rounding can move a ratio across a threshold. */
const RATIO_DIGITS = 12n;

/**
 * The margin ratio maintMargin / marginBalance, as Binance defines it for COIN-M.
 * - maintMargin = 0 gives 0: no position can be liquidated.
 * - marginBalance <= 0 with maintMargin > 0 is the worst case, not a division error: the ratio
 *   is +Infinity, which is above every alert level.
 */
export function marginRatio(maintMargin: Decimal, marginBalance: Decimal): number {
  if (maintMargin.units <= 0n) return 0;
  if (marginBalance.units <= 0n) return Number.POSITIVE_INFINITY;
  const [mm, mb] = align(maintMargin, marginBalance);
  const scaled = (mm * 10n ** RATIO_DIGITS) / mb;
  return Number(scaled) / 10 ** Number(RATIO_DIGITS);
}

/** Format a ratio for people: "53.42%", or "∞" when the margin balance is gone. */
export function formatPercent(ratio: number, digits = 2): string {
  if (!Number.isFinite(ratio)) return "∞%";
  return `${(ratio * 100).toFixed(digits)}%`;
}

/**
 * Exact arithmetic on Binance's decimal strings. Binance sends balances as strings with up to
 * 8 (sometimes more) decimals; parsing them into floats before dividing can push a ratio that is
 * exactly at a threshold to either side of it, so ratios are computed on scaled integers.
 */

const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;

/**
 * The longest decimal text accepted. Binance's figures have at most ~20 significant digits and 8-10
 * decimals; a 100,000-digit "decimal" is an attack on the event loop (BigInt parsing and every
 * later alignment grow with the digit count), not a balance. 64 characters is three times the
 * longest real figure.
 */
export const MAX_DECIMAL_LENGTH = 64;

/** A decimal as an integer `units` scaled by 10^-scale. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/**
 * Parse a plain decimal string ("0.00241969", "-12", "+3.10"). Returns undefined if it is not one,
 * or if it is longer than MAX_DECIMAL_LENGTH (checked before any other work, so a hostile length
 * costs nothing).
 */
export function parseDecimal(text: string): Decimal | undefined {
  // Surrounding blanks count against the cap too: nothing here scans an unbounded string.
  if (text.length > MAX_DECIMAL_LENGTH) return undefined;
  const trimmed = text.trim();
  const m = DECIMAL.exec(trimmed);
  if (!m) return undefined;
  const whole = m[1] ?? "0";
  const frac = m[2] ?? "";
  const negative = trimmed.startsWith("-");
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
  return quotient(maintMargin, marginBalance);
}

/** Format a ratio for people: "53.42%", or "∞" when the margin balance is gone. */
export function formatPercent(ratio: number, digits = 2): string {
  if (!Number.isFinite(ratio)) return "∞%";
  return `${(ratio * 100).toFixed(digits)}%`;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

/** A parsed decimal, or zero for an absent field. Only for fields already validated at the boundary. */
export function decimalOrZero(text: string | undefined): Decimal {
  return (text !== undefined ? parseDecimal(text) : undefined) ?? ZERO;
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y] = align(a, b);
  return { units: x + y, scale: Math.max(a.scale, b.scale) };
}

export function subDecimal(a: Decimal, b: Decimal): Decimal {
  return addDecimal(a, { units: -b.units, scale: b.scale });
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = addDecimal(total, v);
  return total;
}

export function absDecimal(d: Decimal): Decimal {
  return d.units < 0n ? { units: -d.units, scale: d.scale } : d;
}

/** a / b as a number with RATIO_DIGITS exact digits (b must be positive). */
export function quotient(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return Number((x * 10n ** RATIO_DIGITS) / y) / 10 ** Number(RATIO_DIGITS);
}

/** A float given in config (0.5, 0.03) as the exact decimal of its shortest representation. */
export function decimalFromNumber(value: number): Decimal {
  const parsed = parseDecimal(trimFractionZeros(value.toFixed(12)));
  if (!parsed) throw new RangeError(`not a finite decimal: ${value}`);
  return parsed;
}

export function mulDecimal(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** a / b at `scale` digits, rounded down (toward -infinity): a collateral must never be overstated. b > 0. */
export function divideDown(a: Decimal, b: Decimal, scale: number): Decimal {
  const up = divideUp({ units: -a.units, scale: a.scale }, b, scale);
  return { units: -up.units, scale: up.scale };
}

/** a / b at `scale` digits, rounded up (an amount to add must be enough, never short). b > 0. */
export function divideUp(a: Decimal, b: Decimal, scale: number): Decimal {
  const [x, y] = align(a, b);
  const num = x * 10n ** BigInt(scale);
  const q = num / y;
  const units = q * y === num || num < 0n ? q : q + 1n;
  return { units, scale };
}

/** The canonical text of a decimal: "0.00454545", "-12", "66040.1". */
export function formatDecimal(d: Decimal): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, "0");
  const whole = d.scale === 0 ? digits : digits.slice(0, -d.scale);
  const frac = d.scale === 0 ? "" : trimTrailingZeros(digits.slice(-d.scale));
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/**
 * `text` without its trailing "0"s, in one backward scan. A regex (`/0+$/`) retries from every
 * zero of a long run that is not at the end, which is quadratic: 34 s of blocked event loop for
 * one 100,000-digit figure (issue 17).
 */
export function trimTrailingZeros(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 48) end--;
  return text.slice(0, end);
}

/** A decimal text without the zeros that end its fraction (and the point, if nothing is left): "1.50" -> "1.5", "2.000" -> "2". */
export function trimFractionZeros(text: string): string {
  if (!text.includes(".")) return text;
  const kept = trimTrailingZeros(text);
  return kept.endsWith(".") ? kept.slice(0, -1) : kept;
}

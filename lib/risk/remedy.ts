/** What a person can do about a pool at risk, in numbers. */

import {
  absDecimal,
  addDecimal,
  compareDecimal,
  type Decimal,
  decimalFromNumber,
  decimalOrZero,
  divideUp,
  formatDecimal,
  mulDecimal,
  parseDecimal,
  subDecimal,
} from "./decimal.js";
import type { Product } from "./product.js";

/** Coin amounts are shown to 8 decimals, Binance's own precision for COIN-M balances. */
const AMOUNT_SCALE = 8;

/**
 * The margin to add so that requirement / (collateral + x) falls below `targetRatio`:
 * x = requirement / target - collateral, rounded up and one unit more, so it is enough.
 * Undefined when the pool is already below the target or holds no requirement.
 */
export function marginToAdd(requirement: string, collateral: string, targetRatio: number): string | undefined {
  const req = decimalOrZero(requirement);
  if (req.units <= 0n || !(targetRatio > 0)) return undefined;
  const needed = divideUp(req, decimalFromNumber(targetRatio), AMOUNT_SCALE);
  const shortfall = subDecimal(needed, decimalOrZero(collateral));
  if (compareDecimal(shortfall, { units: 0n, scale: 0 }) < 0) return undefined;
  return formatDecimal(addDecimal(shortfall, { units: 1n, scale: AMOUNT_SCALE }));
}

/** What marginToAddForDistance needs of a position: Binance's mark and reference liquidation price. */
export interface PricedPosition {
  readonly markPrice?: string;
  /** "0" or absent: no liquidation price, nothing to move. */
  readonly liquidationPrice?: string;
  /** USD-M: a linear contract. Absent: COIN-M (inverse). */
  readonly product?: Product;
}

/** c − r below this (coin) is lost in Binance's 8-decimal rounding: ≥ 0.1% error in A. */
const MIN_SLACK: Decimal = { units: 2000n, scale: AMOUNT_SCALE };

/**
 * The margin to add to a pool so that a position's liquidation price lies at least `targetDistance`
 * (a fraction of the mark) from its mark. A ratio under the warning level is not enough on its own:
 * with a 0.5% maintenance rate a pool at 50% is still ~0.5% from liquidation (critical by distance).
 *
 * For inverse contracts, with only this symbol's mark p moving (how Binance defines the reference
 * liquidation price), the pool's collateral − requirement is K − A/p. Its two known points, c − r
 * at the mark m and 0 at the liquidation price L, give A and K; added margin x moves L to A/(K + x).
 * For a target price T = m(1 − d) (long, L < m) or m(1 + d) (short, L > m):
 *   x = (c − r) · m · (L − T) / ((m − L) · T)
 * For linear (USD-M) contracts c − r is K + B·p (PnL and maintenance both linear in p), so the
 * same two points give x = (c − r) · (L − T) / (m − L), in the margin asset.
 * Exact decimals, rounded up at 8 decimals and one unit more. Undefined when the position has no
 * liquidation price, is already far enough, or the pool is within MIN_SLACK of liquidation: c and
 * r come rounded to 1e-8, so a smaller c − r cannot place the two points (the ratio's amount is
 * then the one to act on, and the pool is beyond every level anyway).
 */
export function marginToAddForDistance(
  requirement: string,
  collateral: string,
  position: PricedPosition,
  targetDistance: number,
): string | undefined {
  const mark = position.markPrice !== undefined ? parseDecimal(position.markPrice) : undefined;
  const liq = position.liquidationPrice !== undefined ? parseDecimal(position.liquidationPrice) : undefined;
  if (!mark || !liq || mark.units <= 0n || liq.units <= 0n || !(targetDistance > 0)) return undefined;
  const slack = subDecimal(decimalOrZero(collateral), decimalOrZero(requirement));
  const gap = subDecimal(mark, liq);
  if (compareDecimal(slack, MIN_SLACK) < 0 || gap.units === 0n) return undefined;
  const d = decimalFromNumber(targetDistance);
  const one: Decimal = { units: 1n, scale: 0 };
  const target = mulDecimal(mark, gap.units > 0n ? subDecimal(one, d) : addDecimal(one, d));
  if (target.units <= 0n) return undefined;
  const move = subDecimal(liq, target);
  // Already at or beyond the target: the liquidation price is on the far side of it from the mark.
  if (move.units === 0n || move.units > 0n !== gap.units > 0n) return undefined;
  // Linear (USD-M): c − r is K + B·p, a line through (m, c − r) and (L, 0), and x moves L by x/B:
  //   x = (c − r) · (L − T) / (m − L)
  const linear = position.product === "usdm";
  const numerator = absDecimal(linear ? mulDecimal(slack, move) : mulDecimal(mulDecimal(slack, mark), move));
  const denominator = absDecimal(linear ? gap : mulDecimal(gap, target));
  return formatDecimal(addDecimal(divideUp(numerator, denominator, AMOUNT_SCALE), { units: 1n, scale: AMOUNT_SCALE }));
}

/**
 * The margin to add so that the pool is under `targetRatio` and, when `targetDistance` is given,
 * every position with a liquidation price is at least that far from it: the largest of the two
 * amounts. Undefined when neither needs anything.
 */
export function marginToAddForPool(
  pool: { readonly requirement: string; readonly collateral: string; readonly positions: readonly PricedPosition[] },
  targetRatio: number,
  targetDistance?: number,
): string | undefined {
  const amounts = [
    marginToAdd(pool.requirement, pool.collateral, targetRatio),
    ...(targetDistance !== undefined
      ? pool.positions.map((p) => marginToAddForDistance(pool.requirement, pool.collateral, p, targetDistance))
      : []),
  ].filter((a): a is string => a !== undefined);
  let largest: string | undefined;
  for (const a of amounts) {
    if (largest === undefined || compareDecimal(decimalOrZero(a), decimalOrZero(largest)) > 0) largest = a;
  }
  return largest;
}

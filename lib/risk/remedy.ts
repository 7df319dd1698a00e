/** What a person can do about a pool at risk, in numbers. */
import {
  addDecimal,
  compareDecimal,
  decimalFromNumber,
  decimalOrZero,
  divideUp,
  formatDecimal,
  subDecimal,
} from "./decimal.js";

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

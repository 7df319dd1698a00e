/**
 * Margin evaluation: which assets matter, their ratio maintMargin / marginBalance, and the
 * alert level each ratio has reached. Pure functions over typed, validated values.
 */
import type { AccountInfo, AssetBalance } from "./binance/account.js";
import type { AlertLevel } from "./config.js";
import { marginRatio, parseDecimal } from "./decimal.js";

/** The level name for "below every alert level". */
export const OK_LEVEL = "ok";

export interface AssetMargin {
  readonly asset: string;
  /** maintMargin / marginBalance; +Infinity when the margin balance is gone but margin is held. */
  readonly ratio: number;
  /** The highest configured level the ratio has reached, or "ok". */
  readonly level: string;
  readonly balance: AssetBalance;
}

/** The highest level whose ratio `ratio` has reached (levels sorted ascending), or "ok". */
export function levelForRatio(ratio: number, levels: readonly AlertLevel[]): string {
  let level = OK_LEVEL;
  for (const l of levels) if (ratio >= l.ratio) level = l.name;
  return level;
}

/** 0 for "ok", 1 for the lowest level, and so on; -1 for a name no longer configured. */
export function levelRank(level: string, levels: readonly AlertLevel[]): number {
  if (level === OK_LEVEL) return 0;
  const i = levels.findIndex((l) => l.name === level);
  return i < 0 ? -1 : i + 1;
}

function decimalOrZero(text: string | undefined): ReturnType<typeof parseDecimal> & object {
  return (text !== undefined ? parseDecimal(text) : undefined) ?? { units: 0n, scale: 0 };
}

/** Assets with any balance or margin; Binance lists every COIN-M asset, most of them all zeros. */
export function isActive(balance: AssetBalance): boolean {
  return [balance.walletBalance, balance.marginBalance, balance.maintMargin, balance.unrealizedProfit].some(
    (v) => decimalOrZero(v).units !== 0n,
  );
}

/** Ratio and level of every active asset in the account. */
export function evaluateAccount(account: AccountInfo, levels: readonly AlertLevel[]): AssetMargin[] {
  return account.assets.filter(isActive).map((balance) => {
    const ratio = marginRatio(decimalOrZero(balance.maintMargin), decimalOrZero(balance.marginBalance));
    return { asset: balance.asset, ratio, level: levelForRatio(ratio, levels), balance };
  });
}

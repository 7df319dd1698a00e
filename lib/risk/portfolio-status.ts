/**
 * What a Portfolio Margin account's `accountStatus` says, as an alert level of its own: Binance
 * restricts or liquidates the account by status, whatever uniMMR reads. Any status other than
 * NORMAL is at least the lowest level (a status Binance adds later included: silence never looks
 * like safety); the statuses in which Binance refuses new orders or is liquidating are the most
 * severe level (shared spec binance-portfolio-margin.md).
 */
import { type AlertLevel, OK_LEVEL } from "./levels.js";

/** Binance's documented values; others may come and are judged as "not NORMAL". */
export const PORTFOLIO_STATUSES = [
  "NORMAL",
  "MARGIN_CALL",
  "SUPPLY_MARGIN",
  "REDUCE_ONLY",
  "ACTIVE_LIQUIDATION",
  "FORCE_LIQUIDATION",
  "BANKRUPTED",
] as const;

/** Statuses in which new orders are refused or positions are being closed: the most severe level. */
export const CRITICAL_PORTFOLIO_STATUSES: ReadonlySet<string> = new Set([
  "REDUCE_ONLY",
  "ACTIVE_LIQUIDATION",
  "FORCE_LIQUIDATION",
  "BANKRUPTED",
]);

/** The account-wide figures of a Portfolio Margin account, Binance's raw strings (GET /papi/v1/account). */
export interface PortfolioFigures {
  /** accountEquity / accountMaintMargin; higher is safer. */
  readonly uniMMR: string;
  /** USD, after collateral rates. */
  readonly accountEquity: string;
  /** USD. */
  readonly accountMaintMargin: string;
  readonly accountStatus: string;
}

/** The level `accountStatus` holds on its own (levels in severity order): ok, the lowest, or the highest. */
export function statusLevel(status: string, levels: readonly AlertLevel[]): string {
  if (status === "NORMAL") return OK_LEVEL;
  const level = CRITICAL_PORTFOLIO_STATUSES.has(status) ? levels[levels.length - 1] : levels[0];
  return level?.name ?? OK_LEVEL;
}

/**
 * What a COIN-M inverse contract is, apart from any account: how a symbol names its margin asset
 * and pair, its contract size in USD, and the maintenance bracket that prices its requirement
 * (../shared/spec/coinm-margin-model.md). A linear (USD-M) engine has its own file like this one.
 */
import { MarginEngineInputError } from "../units.js";

/** One maintenance bracket: maintenance margin = notional × maintMarginRatio − cum. */
export interface MaintenanceBracket {
  readonly maintMarginRatio: number;
  readonly cum: number;
}

/** The bracket Binance applies to the smallest BTCUSD notional tier. */
export const DEFAULT_BRACKET: MaintenanceBracket = { maintMarginRatio: 0.005, cum: 0 };

/** The current BTC quarterly in the worked examples (delivery 25 Dec 2026). */
export const BTC_QUARTERLY = "BTCUSD_261225";

const SYMBOL = /^([A-Z0-9]+?)USD_(PERP|\d{6})$/;

/** The margin asset of a COIN-M symbol: the part before "USD" (BTCUSD_PERP, BTCUSD_261225 -> BTC). */
export function marginAssetOf(symbol: string): string {
  const m = SYMBOL.exec(symbol);
  if (!m?.[1]) throw new MarginEngineInputError(`not a COIN-M symbol: ${symbol}`);
  return m[1];
}

/** The pair of a symbol, as the `pair` parameter of positionRisk names it (BTCUSD_PERP -> BTCUSD). */
export function pairOf(symbol: string): string {
  return `${marginAssetOf(symbol)}USD`;
}

/** USD per contract: 100 for BTCUSD contracts, 10 for the others (exchangeInfo `contractSize`). */
export function contractSizeOf(symbol: string): number {
  return marginAssetOf(symbol) === "BTC" ? 100 : 10;
}

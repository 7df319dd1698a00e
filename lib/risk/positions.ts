/**
 * One list of open positions from Binance's two views of them: `/account` gives each position's
 * maintenance margin and whether it is isolated, `/positionRisk` its mark, liquidation price and
 * isolated collateral. A position in one view and not the other means the views were taken
 * either side of a trade; that read is refused rather than half-believed.
 */
import type { AccountInfo, AccountPosition } from "../binance/coinm/account.js";
import type { PositionRiskRow } from "../binance/coinm/position-risk.js";
import type { PositionSide } from "../binance/common/fields.js";
import { PositionsMismatchError } from "../core/errors.js";
import { absDecimal, parseDecimal, quotient, subDecimal } from "./decimal.js";

export type MarginType = "cross" | "isolated";

/** An open position with everything its pool needs; decimals are Binance's raw strings. */
export interface OpenPosition {
  readonly symbol: string;
  readonly positionSide: PositionSide;
  readonly side: "long" | "short";
  readonly marginType: MarginType;
  /** The coin that margins it: BTC for BTCUSD_PERP and BTCUSD_261225. */
  readonly marginAsset: string;
  readonly positionAmt: string;
  readonly entryPrice?: string;
  readonly markPrice?: string;
  /** "0" when Binance reports no liquidation price. */
  readonly liquidationPrice?: string;
  readonly maintMargin: string;
  readonly unrealizedProfit: string;
  /** Isolated positions: isolated wallet + unrealized PnL (positionRisk's `isolatedMargin`). */
  readonly isolatedMargin?: string;
  readonly isolatedWallet?: string;
  readonly leverage?: string;
  /** |mark - liquidation| / mark; null without a liquidation price or mark. */
  readonly distance: number | null;
}

/** COIN-M symbols are `<coin>USD_<contract>`, and the coin margins them (exchangeInfo's marginAsset). */
export function marginAssetOf(symbol: string): string {
  return /^(.+)USD_/.exec(symbol)?.[1] ?? symbol;
}

/** The key that identifies one position of an account: symbol and side row. */
export function positionKey(p: { readonly symbol: string; readonly positionSide: string }): string {
  return `${p.symbol}#${p.positionSide}`;
}

function sideOf(positionSide: PositionSide, amount: string): "long" | "short" {
  if (positionSide === "LONG") return "long";
  if (positionSide === "SHORT") return "short";
  return amount.trim().startsWith("-") ? "short" : "long";
}

/** Distance to liquidation as a fraction of the mark; null when there is no liquidation price. */
export function liquidationDistance(
  markPrice: string | undefined,
  liquidationPrice: string | undefined,
): number | null {
  const mark = markPrice !== undefined ? parseDecimal(markPrice) : undefined;
  const liq = liquidationPrice !== undefined ? parseDecimal(liquidationPrice) : undefined;
  if (!mark || !liq || mark.units <= 0n || liq.units <= 0n) return null;
  return quotient(absDecimal(subDecimal(mark, liq)), mark);
}

/**
 * Join the two views. Throws PositionsMismatchError when an open position is in one and not the
 * other, or they disagree on its margin type; a cross position that positionRisk does not list
 * (its symbol is not TRADING, e.g. settling) is kept without mark and liquidation price.
 */
export function joinPositions(account: AccountInfo, rows: readonly PositionRiskRow[]): OpenPosition[] {
  const fromAccount = new Map<string, AccountPosition>(account.positions.map((p) => [positionKey(p), p]));
  const out: OpenPosition[] = [];
  for (const row of rows) {
    const key = positionKey(row);
    const held = fromAccount.get(key);
    if (!held) throw new PositionsMismatchError(`positionRisk lists ${key} but the account does not`);
    fromAccount.delete(key);
    const marginType: MarginType = held.isolated ? "isolated" : "cross";
    if (marginType !== row.marginType) {
      throw new PositionsMismatchError(`${key} is ${marginType} in the account but ${row.marginType} in positionRisk`);
    }
    const isolatedWallet = row.isolatedWallet ?? held.isolatedWallet;
    out.push({
      symbol: row.symbol,
      positionSide: row.positionSide,
      side: sideOf(row.positionSide, row.positionAmt),
      marginType,
      marginAsset: marginAssetOf(row.symbol),
      positionAmt: row.positionAmt,
      entryPrice: row.entryPrice,
      markPrice: row.markPrice,
      liquidationPrice: row.liquidationPrice,
      maintMargin: held.maintMargin,
      unrealizedProfit: row.unRealizedProfit,
      ...(marginType === "isolated" ? { isolatedMargin: row.isolatedMargin } : {}),
      ...(isolatedWallet !== undefined ? { isolatedWallet } : {}),
      leverage: row.leverage,
      distance: liquidationDistance(row.markPrice, row.liquidationPrice),
    });
  }
  for (const [key, held] of fromAccount) {
    // Without positionRisk an isolated position's collateral is unknown: no honest ratio.
    if (held.isolated) throw new PositionsMismatchError(`the account lists isolated ${key} but positionRisk does not`);
    out.push({
      symbol: held.symbol,
      positionSide: held.positionSide,
      side: sideOf(held.positionSide, held.positionAmt),
      marginType: "cross",
      marginAsset: marginAssetOf(held.symbol),
      positionAmt: held.positionAmt,
      ...(held.entryPrice !== undefined ? { entryPrice: held.entryPrice } : {}),
      maintMargin: held.maintMargin,
      unrealizedProfit: held.unrealizedProfit,
      ...(held.leverage !== undefined ? { leverage: held.leverage } : {}),
      distance: null,
    });
  }
  const assets = new Set(account.assets.map((a) => a.asset));
  for (const p of out) {
    // Its pool's collateral lives in that asset's balance: without it the risk cannot be told.
    if (!assets.has(p.marginAsset)) {
      throw new PositionsMismatchError(
        `${positionKey(p)} is margined in ${p.marginAsset}, which the account does not list`,
      );
    }
  }
  return out.sort((a, b) => positionKey(a).localeCompare(positionKey(b)));
}

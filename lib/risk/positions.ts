/**
 * An open position as the risk model sees it, whatever product it comes from: side, margin type,
 * margin asset, Binance's raw decimal strings and its distance to liquidation. Each product
 * adapter (lib/binance/<product>/) builds these from its own bodies.
 */
import { formatPercent, parseDecimal, quotient, subDecimal } from "./decimal.js";
import type { Product } from "./product.js";

/** Binance's position sides: "BOTH" in one-way mode, "LONG"/"SHORT" in hedge mode. */
export type PositionSide = "BOTH" | "LONG" | "SHORT";

export type MarginType = "cross" | "isolated";

/** An open position with everything its pool needs; decimals are Binance's raw strings. */
export interface OpenPosition {
  /** Absent: COIN-M (every position before products). */
  readonly product?: Product;
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
  /**
   * COIN-M always has it (required at its boundary). Portfolio Margin's positionRisk does not
   * carry it: there the account-wide accountMaintMargin is the pool's requirement.
   */
  readonly maintMargin?: string;
  readonly unrealizedProfit: string;
  /** Isolated positions: isolated wallet + unrealized PnL (positionRisk's `isolatedMargin`). */
  readonly isolatedMargin?: string;
  readonly isolatedWallet?: string;
  readonly leverage?: string;
  /** Portfolio Margin's raw notional: COIN-M's `notionalValue`, USD-M's `notional`. */
  readonly notionalValue?: string;
  readonly notional?: string;
  readonly breakEvenPrice?: string;
  /** Room to liquidation / mark (0 at or past it: liquidationDistance); null without a liquidation price or mark. */
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

export function sideOf(positionSide: PositionSide, amount: string): "long" | "short" {
  if (positionSide === "LONG") return "long";
  if (positionSide === "SHORT") return "short";
  return amount.trim().startsWith("-") ? "short" : "long";
}

/**
 * Distance to liquidation as a fraction of the mark: how far the mark can still move against the
 * position. A long is liquidated as the mark falls to the liquidation price, a short as it rises
 * to it, so a mark at or beyond it (a liquidation under way, or a pool already short of collateral)
 * is 0, never the positive |mark - liq| / mark it would otherwise read. null without a
 * liquidation price ("0") or a mark.
 */
export function liquidationDistance(
  markPrice: string | undefined,
  liquidationPrice: string | undefined,
  side: "long" | "short",
): number | null {
  const mark = markPrice !== undefined ? parseDecimal(markPrice) : undefined;
  const liq = liquidationPrice !== undefined ? parseDecimal(liquidationPrice) : undefined;
  if (!mark || !liq || mark.units <= 0n || liq.units <= 0n) return null;
  const room = side === "long" ? subDecimal(mark, liq) : subDecimal(liq, mark);
  if (room.units <= 0n) return 0;
  return quotient(room, mark);
}

/** How people read a distance of 0: the mark has reached the liquidation price. */
export const PAST_LIQUIDATION = "past liquidation";

/** A distance for people: "0.51%", or "past liquidation" at 0 (never "0.00%", which reads as rounding). */
export function formatDistance(distance: number, digits = 2): string {
  return distance <= 0 ? PAST_LIQUIDATION : formatPercent(distance, digits);
}

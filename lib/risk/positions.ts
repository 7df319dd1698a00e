/**
 * An open position as the risk model sees it, whatever product it comes from: side, margin type,
 * margin asset, Binance's raw decimal strings and its distance to liquidation. Each product
 * adapter (lib/binance/<product>/) builds these from its own bodies.
 */
import { absDecimal, formatPercent, parseDecimal, quotient, subDecimal } from "./decimal.js";
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
 * to it, so with a known `side` a mark at or beyond it (a liquidation under way) is 0, never the
 * positive |mark - liq| / mark it would otherwise read. Without one (hedge-mode cross rows:
 * liquidationSide) it is |mark - liq| / mark, and the pool says whether it is past. null without
 * a liquidation price ("0") or a mark.
 */
export function liquidationDistance(
  markPrice: string | undefined,
  liquidationPrice: string | undefined,
  side: "long" | "short" | undefined,
): number | null {
  const mark = markPrice !== undefined ? parseDecimal(markPrice) : undefined;
  const liq = liquidationPrice !== undefined ? parseDecimal(liquidationPrice) : undefined;
  if (!mark || !liq || mark.units <= 0n || liq.units <= 0n) return null;
  const room =
    side === "long"
      ? subDecimal(mark, liq)
      : side === "short"
        ? subDecimal(liq, mark)
        : absDecimal(subDecimal(mark, liq));
  if (room.units <= 0n) return 0;
  return quotient(room, mark);
}

/** What deciding a row's liquidation direction needs to know of it. */
export interface SideRow {
  readonly positionSide: PositionSide;
  readonly positionAmt: string;
  readonly marginType?: MarginType;
}

/**
 * Which way the mark must move to liquidate `row`: down for "long", up for "short"; undefined
 * when the row alone cannot say. A one-way or isolated row goes by its own side. Hedge-mode cross
 * rows of one symbol share a mark and one liquidation price, reached the way their net position
 * (weighted by maintenance rates no body carries) loses, so a SHORT row of a net-long symbol may
 * rightly have its liquidation price below the mark. For those rows "past liquidation" is read
 * from their pool instead: collateral at or below the requirement (lib/risk/pools.ts).
 */
export function liquidationSide(row: SideRow): "long" | "short" | undefined {
  if (row.positionSide !== "BOTH" && row.marginType === "cross") return undefined;
  return sideOf(row.positionSide, row.positionAmt);
}

/** The positions with their distances to liquidation, each measured the way its liquidation lies. */
export function withDistances<T extends OpenPosition>(positions: readonly T[]): T[] {
  return positions.map((p) => ({
    ...p,
    distance: liquidationDistance(p.markPrice, p.liquidationPrice, liquidationSide(p)),
  }));
}

/** How people read a distance of 0: the mark has reached the liquidation price. */
export const PAST_LIQUIDATION = "past liquidation";

/** A distance for people: "0.51%", or "past liquidation" at 0 (never "0.00%", which reads as rounding). */
export function formatDistance(distance: number, digits = 2): string {
  return distance <= 0 ? PAST_LIQUIDATION : formatPercent(distance, digits);
}

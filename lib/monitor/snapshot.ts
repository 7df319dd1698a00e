/**
 * A snapshot: what one cycle read for one account. Binance's raw decimal strings for every asset
 * and open position, and each margin pool's ratio, distance to liquidation and instantaneous
 * level (thresholds only, no hysteresis).
 */

import { PORTFOLIO_OPTIONAL_FIELDS, type PortfolioAccount } from "../binance/portfolio/account.js";
import { ASSET_DECIMAL_FIELDS, type AssetBalance, type AssetDecimalField } from "../risk/balances.js";
import type { AssessedPool, PoolKind, Product } from "../risk/pools.js";
import type { PortfolioFigures } from "../risk/portfolio-status.js";
import type { OpenPosition } from "../risk/positions.js";
import { isCoinm } from "../risk/product.js";

export interface AssetSnapshot {
  readonly asset: string;
  readonly raw: Readonly<Partial<Record<AssetDecimalField, string>>>;
  /**
   * The asset's cross pool ratio (before pools: maintMargin / marginBalance, the same figure for
   * an all-cross account). null when collateral <= 0 with a requirement (beyond every level).
   */
  readonly marginRatio: number | null;
  readonly level: string;
}

/** Fields kept for each open position, all Binance's raw strings; the stored order never changes. */
export const POSITION_FIELDS = [
  "symbol",
  "positionSide",
  "marginType",
  "positionAmt",
  "entryPrice",
  "markPrice",
  "liquidationPrice",
  "maintMargin",
  "unrealizedProfit",
  "isolatedWallet",
  "isolatedMargin",
  "leverage",
  // Last, so items stored before USD-M read back unchanged: absent is COIN-M (margin asset from the symbol).
  "product",
  "marginAsset",
  // Portfolio Margin's positionRisk (appended after USD-M's, so every stored order reads back).
  "notionalValue",
  "notional",
  "breakEvenPrice",
] as const;

export type PositionSnapshot = {
  readonly symbol: string;
  readonly positionSide: string;
  readonly marginType: string;
  readonly positionAmt: string;
} & { readonly [K in (typeof POSITION_FIELDS)[number]]?: string };

export interface PoolSnapshot {
  readonly id: string;
  readonly kind: PoolKind;
  /** Absent: COIN-M. */
  readonly product?: Product;
  readonly asset: string;
  readonly label: string;
  readonly requirement: string;
  readonly collateral: string;
  /** null: collateral <= 0 with a requirement. */
  readonly ratio: number | null;
  /** null: no liquidation price in the pool. */
  readonly distance: number | null;
  readonly level: string;
  /** A Portfolio Margin pool: Binance's account figures, raw (uniMMR, equity, maintenance, status...). */
  readonly portfolio?: PortfolioSnapshot;
}

/** A PM account's figures as stored, in this order (appended only); the first four always there. */
export const PORTFOLIO_FIELDS = [
  "uniMMR",
  "accountEquity",
  "accountMaintMargin",
  "accountStatus",
  ...PORTFOLIO_OPTIONAL_FIELDS,
] as const;

export type PortfolioSnapshot = Omit<PortfolioAccount, "updateTime">;

function portfolioSnapshot(figures: PortfolioFigures): PortfolioSnapshot {
  const source: Readonly<Record<string, unknown>> = { ...figures };
  const out: Record<string, string> = {};
  for (const field of PORTFOLIO_FIELDS) {
    const value = source[field];
    if (typeof value === "string") out[field] = value;
  }
  return out as unknown as PortfolioSnapshot;
}

export interface Snapshot {
  readonly account: string;
  /** The scheduled cycle time: the same for a retried delivery, so the snapshot is written once. */
  readonly takenAt: string;
  readonly fetchedAt: string;
  readonly assets: readonly AssetSnapshot[];
  /** Margin pools; snapshots written before pools existed have none (their assets carry the ratios). */
  readonly pools: readonly PoolSnapshot[];
  readonly positions: readonly PositionSnapshot[];
  readonly openPositions: number;
  readonly usedWeight?: number;
  /** TTL, seconds since epoch. */
  readonly expiresAt: number;
}

export function positionSnapshot(p: OpenPosition): PositionSnapshot {
  const out: Record<string, string> = {};
  for (const field of POSITION_FIELDS) {
    const value = p[field];
    if (value !== undefined) out[field] = value;
  }
  return out as PositionSnapshot;
}

export function poolSnapshot(p: AssessedPool): PoolSnapshot {
  return {
    id: p.id,
    kind: p.kind,
    ...(p.product && !isCoinm(p) ? { product: p.product } : {}),
    asset: p.asset,
    label: p.label,
    requirement: p.requirement,
    collateral: p.collateral,
    ratio: Number.isFinite(p.ratio) ? p.ratio : null,
    distance: p.distance,
    level: p.level,
    ...(p.portfolio ? { portfolio: portfolioSnapshot(p.portfolio) } : {}),
  };
}

export function buildSnapshot(input: {
  account: string;
  takenAt: Date;
  fetchedAt: Date;
  balances: readonly AssetBalance[];
  pools: readonly AssessedPool[];
  positions: readonly OpenPosition[];
  usedWeight?: number;
  ttlDays: number;
}): Snapshot {
  // COIN-M's balances carry COIN-M's cross pools only: a USD-M "BTC cross" must not pose as COIN-M's.
  const crossPools = new Map(input.pools.filter((p) => p.kind === "cross" && isCoinm(p)).map((p) => [p.asset, p]));
  const assets: AssetSnapshot[] = [];
  for (const balance of input.balances) {
    const cross = crossPools.get(balance.asset);
    // Only assets that make a pool: Binance lists every COIN-M asset, most of them all zeros.
    if (!cross) continue;
    const raw: Partial<Record<AssetDecimalField, string>> = {};
    for (const field of ASSET_DECIMAL_FIELDS) {
      const value = balance[field];
      if (value !== undefined) raw[field] = value;
    }
    assets.push({
      asset: balance.asset,
      raw,
      marginRatio: Number.isFinite(cross.ratio) ? cross.ratio : null,
      level: cross.level,
    });
  }
  return {
    account: input.account,
    takenAt: input.takenAt.toISOString(),
    fetchedAt: input.fetchedAt.toISOString(),
    assets,
    pools: input.pools.map(poolSnapshot),
    positions: input.positions.map(positionSnapshot),
    openPositions: input.positions.length,
    ...(input.usedWeight !== undefined ? { usedWeight: input.usedWeight } : {}),
    expiresAt: Math.floor(input.takenAt.getTime() / 1000) + input.ttlDays * 86_400,
  };
}

/**
 * The three ways `history` can show a snapshot, as rows: its margin pools (the default: where
 * Binance liquidates), its assets (Binance's per-asset figures), or its open positions. Each
 * view says which rows a snapshot has, which of them a selection keeps, and how they print as a
 * table and as CSV. Snapshots written before pools existed (format 1) have no pools: the pool
 * view shows their assets' ratios instead, labelled "BTC (asset)", without a distance.
 */

import type { AssetSnapshot, PositionSnapshot, Snapshot } from "../monitor/snapshot.js";
import { linearMarginAssetOf } from "../risk/linear.js";
import type { PoolKind } from "../risk/pools.js";
import { liquidationDistance, liquidationSide, marginAssetOf, type SideRow } from "../risk/positions.js";
import { productLabel, productPoolId } from "../risk/product.js";

export type ViewName = "pools" | "assets" | "positions";

/** What --asset and --pool keep; undefined = everything. */
export interface Selection {
  /** Upper-case asset names. */
  readonly assets?: ReadonlySet<string> | undefined;
  /** Lower-case pool ids or labels ("btc", "btcusd_perp#long", "btcusd_perp long isolated"). */
  readonly pools?: ReadonlySet<string> | undefined;
}

/** A pool of a snapshot, or for a snapshot from before pools, an asset standing in for one. */
export interface PoolRow {
  readonly id: string;
  /** "asset": a format-1 snapshot's asset ratio (maintMargin / marginBalance of the whole asset). */
  readonly kind: "cross" | "isolated" | "portfolio" | "asset";
  readonly asset: string;
  readonly label: string;
  /** null: collateral <= 0 with a requirement (beyond every level). */
  readonly ratio: number | null;
  /** null: no liquidation price (or not recorded, before pools). */
  readonly distance: number | null;
  readonly level: string;
  readonly requirement: string;
  readonly collateral: string;
  /** A Portfolio Margin pool: Binance's uniMMR and accountStatus, raw (its ratio is 1 / uniMMR). */
  readonly uniMMR?: string;
  readonly accountStatus?: string;
}

export interface PositionRow {
  readonly raw: PositionSnapshot;
  readonly asset: string;
  readonly side: "long" | "short";
  /** The pool it belongs to: its asset's cross pool, or its own isolated pool. */
  readonly poolId: string;
  /** "BTCUSD_PERP long cross" */
  readonly label: string;
  readonly distance: number | null;
}

/** A pool's fields in their documented order, for the pool view and the JSON output alike. */
export function poolJson(p: Omit<PoolRow, "kind"> & { readonly kind: PoolKind }): PoolRow & {
  readonly kind: PoolKind;
} {
  return {
    id: p.id,
    kind: p.kind,
    asset: p.asset,
    label: p.label,
    ratio: p.ratio,
    distance: p.distance,
    level: p.level,
    requirement: p.requirement,
    collateral: p.collateral,
    ...(p.uniMMR !== undefined ? { uniMMR: p.uniMMR } : {}),
    ...(p.accountStatus !== undefined ? { accountStatus: p.accountStatus } : {}),
  };
}

export function poolRows(snapshot: Snapshot): PoolRow[] {
  if (snapshot.pools.length > 0) {
    return snapshot.pools.map((p) =>
      poolJson({
        ...p,
        ...(p.portfolio ? { uniMMR: p.portfolio.uniMMR, accountStatus: p.portfolio.accountStatus } : {}),
      }),
    );
  }
  return snapshot.assets.map((a) => ({
    id: a.asset,
    kind: "asset",
    asset: a.asset,
    label: `${a.asset} (asset)`,
    ratio: a.marginRatio,
    distance: null,
    level: a.level,
    requirement: a.raw.maintMargin ?? "",
    collateral: a.raw.marginBalance ?? "",
  }));
}

function sideOf(p: PositionSnapshot): "long" | "short" {
  if (p.positionSide === "LONG") return "long";
  if (p.positionSide === "SHORT") return "short";
  return p.positionAmt.trim().startsWith("-") ? "short" : "long";
}

/** A stored position as the risk model's side rule reads it. */
function sideRow(p: PositionSnapshot): SideRow {
  const positionSide = p.positionSide === "LONG" || p.positionSide === "SHORT" ? p.positionSide : "BOTH";
  return { positionSide, positionAmt: p.positionAmt, marginType: p.marginType === "isolated" ? "isolated" : "cross" };
}

export function positionRows(snapshot: Snapshot): PositionRow[] {
  // Pools at or past liquidation as recorded (ratio >= 100%, or null: collateral <= 0): their
  // positions are 0 from it, as the monitor judged them (lib/risk/pools.ts).
  const past = new Set(snapshot.pools?.filter((p) => p.ratio === null || p.ratio >= 1).map((p) => p.id) ?? []);
  return snapshot.positions.map((raw) => {
    const side = sideOf(raw);
    const product = raw.product === "usdm" ? "usdm" : undefined;
    const asset = raw.marginAsset ?? (product ? linearMarginAssetOf(raw.symbol) : marginAssetOf(raw.symbol));
    const isolated = raw.marginType === "isolated";
    const poolId = productPoolId(product, isolated ? `${raw.symbol}#${raw.positionSide}` : asset);
    const distance = liquidationDistance(raw.markPrice, raw.liquidationPrice, liquidationSide(sideRow(raw)));
    return {
      raw,
      asset,
      side,
      poolId,
      label: productLabel(product, `${raw.symbol} ${side} ${isolated ? "isolated" : "cross"}`),
      distance: past.has(poolId) && raw.markPrice !== undefined ? 0 : distance,
    };
  });
}

function poolSelected(row: { id: string; label: string; asset: string }, selection: Selection): boolean {
  if (selection.assets && !selection.assets.has(row.asset.toUpperCase())) return false;
  if (!selection.pools) return true;
  // "BTC (asset)" rows of old snapshots answer to "BTC cross" too: the same pool before pools.
  const names = [row.id, row.label, row.label.replace(/ \(asset\)$/, " cross")].map((n) => n.toLowerCase());
  return names.some((n) => selection.pools?.has(n));
}

export function selectPools(snapshot: Snapshot, selection: Selection): PoolRow[] {
  return poolRows(snapshot).filter((r) => poolSelected(r, selection));
}

export function selectAssets(snapshot: Snapshot, selection: Selection): AssetSnapshot[] {
  return snapshot.assets.filter(
    (a) =>
      (!selection.assets || selection.assets.has(a.asset)) &&
      (!selection.pools || [a.asset, `${a.asset} cross`].some((n) => selection.pools?.has(n.toLowerCase()))),
  );
}

export function selectPositions(snapshot: Snapshot, selection: Selection): PositionRow[] {
  return positionRows(snapshot).filter((p) => {
    if (selection.assets && !selection.assets.has(p.asset)) return false;
    if (!selection.pools) return true;
    const isolated = p.raw.marginType === "isolated";
    const product = p.raw.product === "usdm" ? "usdm" : undefined;
    const pool = {
      id: p.poolId,
      label: productLabel(product, isolated ? `${p.raw.symbol} ${p.side} isolated` : `${p.asset} cross`),
    };
    return [pool.id, pool.label].some((n) => selection.pools?.has(n.toLowerCase()));
  });
}

/** Every pool id and label seen, for "no such pool" messages. */
export function poolNames(snapshot: Snapshot): string[] {
  return poolRows(snapshot).map((r) => r.label);
}

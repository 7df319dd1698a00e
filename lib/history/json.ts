/**
 * JSON output for scripts, streamed: "[", one snapshot per line, "]". Each snapshot carries the
 * account, takenAt (ISO 8601), per asset the raw Binance decimal strings, marginRatio and level,
 * per margin pool its ratio, distance to liquidation and level, and per open position Binance's
 * raw strings with its distance. Ratios and distances are numbers, or null (collateral <= 0; no
 * liquidation price). Snapshots from before pools have `pools: []` and `positions: []`.
 */
import type { PoolSnapshot, PositionSnapshot, Snapshot } from "../monitor/snapshot.js";
import { poolJson, type Selection, selectAssets, selectPools, selectPositions } from "./views.js";

export interface SnapshotJson {
  readonly account: string;
  readonly takenAt: string;
  readonly fetchedAt: string;
  readonly openPositions: number;
  readonly usedWeight?: number;
  readonly assets: readonly {
    readonly asset: string;
    readonly marginRatio: number | null;
    readonly level: string;
    readonly raw: Readonly<Record<string, string>>;
  }[];
  readonly pools: readonly PoolSnapshot[];
  /** Binance's raw strings (POSITION_FIELDS), then what the monitor derives from them. */
  readonly positions: readonly (PositionSnapshot & {
    readonly asset: string;
    readonly pool: string;
    readonly side: "long" | "short";
    readonly distance: number | null;
  })[];
}

/** The documented shape of one snapshot, keeping only the selected assets, pools and positions. */
export function snapshotJson(snapshot: Snapshot, selection: Selection = {}): SnapshotJson {
  return {
    account: snapshot.account,
    takenAt: snapshot.takenAt,
    fetchedAt: snapshot.fetchedAt,
    openPositions: snapshot.openPositions,
    ...(snapshot.usedWeight !== undefined ? { usedWeight: snapshot.usedWeight } : {}),
    assets: selectAssets(snapshot, selection).map((a) => ({
      asset: a.asset,
      marginRatio: a.marginRatio,
      level: a.level,
      raw: { ...a.raw } as Record<string, string>,
    })),
    // Only real pools: a snapshot from before pools has its ratios under `assets`.
    pools: snapshot.pools.length
      ? selectPools(snapshot, selection).flatMap((p) => (p.kind === "asset" ? [] : [poolJson({ ...p, kind: p.kind })]))
      : [],
    positions: selectPositions(snapshot, selection).map((p) => ({
      ...p.raw,
      asset: p.asset,
      pool: p.poolId,
      side: p.side,
      distance: p.distance,
    })),
  };
}

/** Writes a JSON array one element at a time: call `item` per snapshot, then `close`. */
export class JsonArrayFormatter {
  private count = 0;

  open(): string {
    return "[";
  }

  item(snapshot: Snapshot, selection: Selection = {}): string {
    const prefix = this.count++ === 0 ? "\n" : ",\n";
    return prefix + JSON.stringify(snapshotJson(snapshot, selection));
  }

  close(): string {
    return this.count === 0 ? "]\n" : "\n]\n";
  }
}

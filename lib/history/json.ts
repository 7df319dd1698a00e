/**
 * JSON output for scripts, streamed: "[", one snapshot per line, "]". Each snapshot carries the
 * account, takenAt (ISO 8601), and per asset the raw Binance decimal strings, marginRatio
 * (a number; null when the margin balance is zero or negative) and level.
 */
import type { Snapshot } from "../snapshot.js";

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
}

/** The documented shape of one snapshot, optionally keeping only some assets. */
export function snapshotJson(snapshot: Snapshot, assets?: ReadonlySet<string>): SnapshotJson {
  return {
    account: snapshot.account,
    takenAt: snapshot.takenAt,
    fetchedAt: snapshot.fetchedAt,
    openPositions: snapshot.openPositions,
    ...(snapshot.usedWeight !== undefined ? { usedWeight: snapshot.usedWeight } : {}),
    assets: snapshot.assets
      .filter((a) => !assets || assets.has(a.asset))
      .map((a) => ({
        asset: a.asset,
        marginRatio: a.marginRatio,
        level: a.level,
        raw: { ...a.raw } as Record<string, string>,
      })),
  };
}

/** Writes a JSON array one element at a time: call `item` per snapshot, then `close`. */
export class JsonArrayFormatter {
  private count = 0;

  open(): string {
    return "[";
  }

  item(snapshot: Snapshot, assets?: ReadonlySet<string>): string {
    const prefix = this.count++ === 0 ? "\n" : ",\n";
    return prefix + JSON.stringify(snapshotJson(snapshot, assets));
  }

  close(): string {
    return this.count === 0 ? "]\n" : "\n]\n";
  }
}

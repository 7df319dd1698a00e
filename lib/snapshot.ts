/**
 * A snapshot: what one cycle read for one account, with the raw decimal strings from Binance,
 * the computed ratio and the instantaneous level (thresholds only, no hysteresis) per asset.
 */
import type { AssetDecimalField } from "./binance/account.js";
import { ASSET_DECIMAL_FIELDS } from "./binance/account.js";
import type { AssetMargin } from "./margin.js";

export interface AssetSnapshot {
  readonly asset: string;
  readonly raw: Readonly<Partial<Record<AssetDecimalField, string>>>;
  /** null when marginBalance <= 0 with maintenance margin held (beyond every level). */
  readonly marginRatio: number | null;
  readonly level: string;
}

export interface Snapshot {
  readonly account: string;
  /** The scheduled cycle time: the same for a retried delivery, so the snapshot is written once. */
  readonly takenAt: string;
  readonly fetchedAt: string;
  readonly assets: readonly AssetSnapshot[];
  readonly openPositions: number;
  readonly usedWeight?: number;
  /** TTL, seconds since epoch. */
  readonly expiresAt: number;
}

export function buildSnapshot(input: {
  account: string;
  takenAt: Date;
  fetchedAt: Date;
  margins: readonly AssetMargin[];
  openPositions: number;
  usedWeight?: number;
  ttlDays: number;
}): Snapshot {
  return {
    account: input.account,
    takenAt: input.takenAt.toISOString(),
    fetchedAt: input.fetchedAt.toISOString(),
    assets: input.margins.map((m) => {
      const raw: Partial<Record<AssetDecimalField, string>> = {};
      for (const field of ASSET_DECIMAL_FIELDS) {
        const value = m.balance[field];
        if (value !== undefined) raw[field] = value;
      }
      return { asset: m.asset, raw, marginRatio: Number.isFinite(m.ratio) ? m.ratio : null, level: m.level };
    }),
    openPositions: input.openPositions,
    ...(input.usedWeight !== undefined ? { usedWeight: input.usedWeight } : {}),
    expiresAt: Math.floor(input.takenAt.getTime() / 1000) + input.ttlDays * 86_400,
  };
}

/**
 * CSV for spreadsheets, one row per snapshot and pool (the default), asset or position, with
 * Binance's raw strings untouched. Ratios and distances are plain fractions (0.5342 = 53.42%),
 * empty when there is none (collateral <= 0; no liquidation price).
 */

import { POSITION_FIELDS, type Snapshot } from "../monitor/snapshot.js";
import { ASSET_DECIMAL_FIELDS } from "../risk/balances.js";
import { type Selection, selectAssets, selectPools, selectPositions, type ViewName } from "./views.js";

/** The asset view's columns (the only CSV before pools). */
export const CSV_COLUMNS = [
  "takenAt",
  "account",
  "asset",
  "marginRatio",
  "level",
  ...ASSET_DECIMAL_FIELDS,
  "openPositions",
] as const;

/** The pool view's columns; `kind` is cross, isolated, or asset for a snapshot from before pools. */
export const POOL_CSV_COLUMNS = [
  "takenAt",
  "account",
  "pool",
  "kind",
  "asset",
  "label",
  "ratio",
  "distance",
  "level",
  "requirement",
  "collateral",
] as const;

/** The position view's columns: Binance's fields, plus side, asset, pool and distance. */
export const POSITION_CSV_COLUMNS = [
  "takenAt",
  "account",
  "asset",
  "pool",
  "side",
  ...POSITION_FIELDS,
  "distance",
] as const;

const HEADERS: Readonly<Record<ViewName, readonly string[]>> = {
  pools: POOL_CSV_COLUMNS,
  assets: CSV_COLUMNS,
  positions: POSITION_CSV_COLUMNS,
};

/** RFC 4180 quoting, only when needed. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const num = (n: number | null) => (n === null ? "" : String(n));

export function csvHeader(view: ViewName): string {
  return `${HEADERS[view].join(",")}\n`;
}

/** Rows for one snapshot in a view, each ending in "\n". */
export function csvRows(view: ViewName, snapshot: Snapshot, selection: Selection = {}): string {
  let out = "";
  const lead = `${snapshot.takenAt},${csvField(snapshot.account)}`;
  if (view === "assets") {
    for (const a of selectAssets(snapshot, selection)) {
      out += `${lead},${csvField(a.asset)},${num(a.marginRatio)},${csvField(a.level)}`;
      for (const field of ASSET_DECIMAL_FIELDS) out += `,${csvField(a.raw[field] ?? "")}`;
      out += `,${snapshot.openPositions}\n`;
    }
  } else if (view === "pools") {
    for (const p of selectPools(snapshot, selection)) {
      const cells = [
        p.id,
        p.kind,
        p.asset,
        p.label,
        num(p.ratio),
        num(p.distance),
        p.level,
        p.requirement,
        p.collateral,
      ];
      out += `${lead},${cells.map(csvField).join(",")}\n`;
    }
  } else {
    for (const p of selectPositions(snapshot, selection)) {
      const cells = [p.asset, p.poolId, p.side, ...POSITION_FIELDS.map((f) => p.raw[f] ?? ""), num(p.distance)];
      out += `${lead},${cells.map(csvField).join(",")}\n`;
    }
  }
  return out;
}

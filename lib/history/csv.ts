/** CSV for spreadsheets: one row per snapshot and asset, raw Binance strings untouched. */
import { ASSET_DECIMAL_FIELDS } from "../binance/account.js";
import type { Snapshot } from "../snapshot.js";

export const CSV_COLUMNS = [
  "takenAt",
  "account",
  "asset",
  "marginRatio",
  "level",
  ...ASSET_DECIMAL_FIELDS,
  "openPositions",
] as const;

/** RFC 4180 quoting, only when needed. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(",")}\n`;
}

/**
 * Rows for one snapshot, each ending in "\n". `marginRatio` is a plain number (0.5342 = 53.42%);
 * it is empty when the margin balance is zero or negative (beyond every level; see `level`).
 */
export function csvRows(snapshot: Snapshot, assets?: ReadonlySet<string>): string {
  let out = "";
  const account = csvField(snapshot.account);
  for (const a of snapshot.assets) {
    if (assets && !assets.has(a.asset)) continue;
    out += `${snapshot.takenAt},${account},${csvField(a.asset)},${a.marginRatio === null ? "" : String(a.marginRatio)},${csvField(a.level)}`;
    for (const field of ASSET_DECIMAL_FIELDS) out += `,${csvField(a.raw[field] ?? "")}`;
    out += `,${snapshot.openPositions}\n`;
  }
  return out;
}

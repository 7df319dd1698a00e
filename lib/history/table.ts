/**
 * The aligned table `history` prints by default: one row per snapshot and margin pool, asset or
 * position (the view). Rows are written as pages arrive, so column widths come from the first
 * page (and never shrink); a later value wider than its column pushes that row's cells right
 * rather than being cut. The default columns fit 80 terminal columns (also with the demo's
 * millisecond times); `wide` adds the rest.
 */

import type { Snapshot } from "../monitor/snapshot.js";
import { formatPercent, trimFractionZeros } from "../risk/decimal.js";
import { formatUniMMR } from "../risk/portfolio.js";
import { formatDistance } from "../risk/positions.js";
import { formatTime } from "./range.js";
import {
  type PoolRow,
  type PositionRow,
  type Selection,
  selectAssets,
  selectPools,
  selectPositions,
  type ViewName,
} from "./views.js";

export interface TableColumn<R> {
  readonly title: string;
  readonly align: "left" | "right";
  readonly cell: (row: R) => string;
}

/** "∞" stands for collateral at or below zero: beyond every level. */
export function ratioCell(ratio: number | null): string {
  return ratio === null ? "∞" : formatPercent(ratio, 2);
}

/** A pool's ratio, or a Portfolio Margin pool's uniMMR as Binance shows it (higher is safer). */
export function poolRatioCell(pool: { readonly ratio: number | null; readonly uniMMR?: string }): string {
  return pool.uniMMR !== undefined ? `uniMMR ${formatUniMMR(pool.uniMMR, 2)}` : ratioCell(pool.ratio);
}

/** "-" when there is no liquidation price (or none was recorded); "past liquidation" at 0. */
export function distanceCell(distance: number | null): string {
  return distance === null ? "-" : formatDistance(distance, 2);
}

/** A decimal string without trailing zeros ("67321.10000000" -> "67321.1"): the same number, narrower. */
export function trimZeros(value: string | undefined): string {
  if (value === undefined) return "";
  // One backward scan: the regex this replaces was quadratic on a long run of inner zeros.
  return trimFractionZeros(value);
}

/**
 * A price for the table: at most 8 significant digits ("54288.61902537" -> "54288.619"), which
 * is closer than any price moves between two snapshots; CSV and JSON keep Binance's string.
 */
export function priceCell(value: string | undefined): string {
  if (value === undefined) return "";
  const n = Number(value);
  if (!Number.isFinite(n) || Math.abs(n) >= 1e8) return trimZeros(value);
  return trimZeros(n.toPrecision(8));
}

/** "2026-11-24 22:28:58", or with milliseconds when snapshots are less than a second apart. */
export function timeCell(iso: string, millis: boolean): string {
  return millis && iso.length >= 23 ? `${formatTime(iso)}${iso.slice(19, 23)}` : formatTime(iso);
}

interface AssetRow {
  readonly asset: string;
  readonly marginRatio: number | null;
  readonly level: string;
  readonly raw: Readonly<Record<string, string | undefined>>;
}

interface TableView<R> {
  readonly columns: readonly TableColumn<R>[];
  readonly wide: readonly TableColumn<R>[];
  rows(snapshot: Snapshot, selection: Selection): readonly R[];
  /** The level to colour, if the row has one. */
  level(row: R): string | undefined;
}

const POOLS: TableView<PoolRow> = {
  columns: [
    { title: "POOL", align: "left", cell: (p) => p.label },
    { title: "RATIO", align: "right", cell: (p) => poolRatioCell(p) },
    { title: "DISTANCE", align: "right", cell: (p) => distanceCell(p.distance) },
    { title: "LEVEL", align: "left", cell: (p) => p.level },
  ],
  wide: [
    { title: "REQUIREMENT", align: "right", cell: (p) => p.requirement },
    { title: "COLLATERAL", align: "right", cell: (p) => p.collateral },
  ],
  rows: selectPools,
  level: (p) => p.level,
};

const ASSETS: TableView<AssetRow> = {
  columns: [
    { title: "ASSET", align: "left", cell: (a) => a.asset },
    { title: "RATIO", align: "right", cell: (a) => ratioCell(a.marginRatio) },
    { title: "LEVEL", align: "left", cell: (a) => a.level },
    { title: "MAINT MARGIN", align: "right", cell: (a) => a.raw.maintMargin ?? "" },
    { title: "MARGIN BALANCE", align: "right", cell: (a) => a.raw.marginBalance ?? "" },
  ],
  wide: [{ title: "WALLET BALANCE", align: "right", cell: (a) => a.raw.walletBalance ?? "" }],
  rows: selectAssets,
  level: (a) => a.level,
};

const POSITIONS: TableView<PositionRow> = {
  columns: [
    { title: "POSITION", align: "left", cell: (p) => p.label },
    { title: "MARK", align: "right", cell: (p) => priceCell(p.raw.markPrice) },
    { title: "LIQ PRICE", align: "right", cell: (p) => priceCell(p.raw.liquidationPrice) },
    { title: "DISTANCE", align: "right", cell: (p) => distanceCell(p.distance) },
  ],
  wide: [
    { title: "AMOUNT", align: "right", cell: (p) => p.raw.positionAmt },
    { title: "ENTRY", align: "right", cell: (p) => priceCell(p.raw.entryPrice) },
    { title: "MAINT MARGIN", align: "right", cell: (p) => p.raw.maintMargin ?? "" },
    { title: "UNREALIZED PNL", align: "right", cell: (p) => p.raw.unrealizedProfit ?? "" },
    { title: "ISOLATED WALLET", align: "right", cell: (p) => p.raw.isolatedWallet ?? "" },
    { title: "LEVERAGE", align: "right", cell: (p) => p.raw.leverage ?? "" },
  ],
  rows: selectPositions,
  level: () => undefined,
};

const VIEWS: { readonly [K in ViewName]: TableView<unknown> } = {
  pools: POOLS as TableView<unknown>,
  assets: ASSETS as TableView<unknown>,
  positions: POSITIONS as TableView<unknown>,
};

const ANSI = { reset: "\x1b[0m", red: "\x1b[31m", yellow: "\x1b[33m", dim: "\x1b[2m", bold: "\x1b[1m" } as const;

/** Colour for a level name: "ok" plain, the lowest named level yellow, anything higher red. */
export function levelColor(level: string, levelNames: readonly string[] = ["warning", "critical"]): string {
  if (level === "ok") return "";
  const rank = levelNames.indexOf(level);
  return rank === 0 ? ANSI.yellow : ANSI.red;
}

export interface TableOptions {
  readonly color?: boolean;
  /** Level names from lowest to highest, for colouring. */
  readonly levelNames?: readonly string[];
  /** Add the view's wide columns. */
  readonly wide?: boolean;
  /** @default "pools" */
  readonly view?: ViewName;
  readonly selection?: Selection;
}

const TIME_TITLE = "TAKEN AT (UTC)";

export class TableFormatter {
  private readonly widths: number[];
  private readonly view: TableView<unknown>;
  private readonly columns: readonly TableColumn<unknown>[];
  private readonly selection: Selection;
  /** Cycles on the minute have ".000"; sub-second ones (the demo) show milliseconds. */
  private readonly millis: boolean;

  /** `sample` (e.g. the first page) sets the column widths. */
  constructor(
    sample: readonly Snapshot[],
    private readonly options: TableOptions = {},
  ) {
    this.view = VIEWS[options.view ?? "pools"];
    this.selection = options.selection ?? {};
    this.columns = options.wide ? [...this.view.columns, ...this.view.wide] : this.view.columns;
    this.millis = sample.some((s) => s.takenAt.length >= 23 && s.takenAt.slice(19, 23) !== ".000");
    this.widths = [this.millis ? 23 : 19, ...this.columns.map((c) => c.title.length)];
    for (const s of sample) {
      for (const row of this.view.rows(s, this.selection)) {
        this.columns.forEach((c, i) => {
          this.widths[i + 1] = Math.max(this.widths[i + 1] ?? 0, c.cell(row).length);
        });
      }
    }
  }

  private line(cells: readonly string[], colorAt?: { index: number; code: string }): string {
    const padded = cells.map((cell, i) => {
      const column = i === 0 ? undefined : this.columns[i - 1];
      const width = this.widths[i] ?? 0;
      const text = column?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      return colorAt && colorAt.index === i && colorAt.code ? `${colorAt.code}${text}${ANSI.reset}` : text;
    });
    return `${padded.join("  ").trimEnd()}\n`;
  }

  header(): string {
    const text = this.line([TIME_TITLE, ...this.columns.map((c) => c.title)]);
    return this.options.color ? `${ANSI.bold}${text.trimEnd()}${ANSI.reset}\n` : text;
  }

  /** The rows of one snapshot (only the selected ones), each ending in "\n". */
  rows(snapshot: Snapshot): string {
    let out = "";
    const found = this.columns.findIndex((c) => c.title === "LEVEL");
    const levelIndex = found < 0 ? -1 : found + 1;
    for (const row of this.view.rows(snapshot, this.selection)) {
      const cells = [timeCell(snapshot.takenAt, this.millis), ...this.columns.map((c) => c.cell(row))];
      const level = this.view.level(row);
      const code = this.options.color && level ? levelColor(level, this.options.levelNames) : "";
      out += this.line(cells, { index: levelIndex, code });
    }
    return out;
  }
}

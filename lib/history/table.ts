/**
 * The aligned table `history` prints by default: one row per snapshot and asset. Rows are
 * written as pages arrive, so column widths come from the first page (and never shrink); a
 * later value wider than its column pushes that row's cells right rather than being cut.
 */
import { formatPercent } from "../risk/decimal.js";
import type { AssetSnapshot, Snapshot } from "../snapshot.js";
import { formatTime } from "./range.js";

export interface TableColumn {
  readonly title: string;
  readonly align: "left" | "right";
  readonly cell: (snapshot: Snapshot, asset: AssetSnapshot) => string;
}

/** "∞" stands for a margin balance at or below zero: beyond every level. */
export function ratioCell(ratio: number | null): string {
  return ratio === null ? "∞" : formatPercent(ratio, 2);
}

/** "2026-11-24 22:28:58", or with milliseconds when snapshots are less than a second apart. */
export function timeCell(iso: string, millis: boolean): string {
  return millis && iso.length >= 23 ? `${formatTime(iso)}${iso.slice(19, 23)}` : formatTime(iso);
}

export const TABLE_COLUMNS: readonly TableColumn[] = [
  { title: "TAKEN AT (UTC)", align: "left", cell: (s) => timeCell(s.takenAt, false) },
  { title: "ASSET", align: "left", cell: (_, a) => a.asset },
  { title: "RATIO", align: "right", cell: (_, a) => ratioCell(a.marginRatio) },
  { title: "LEVEL", align: "left", cell: (_, a) => a.level },
  { title: "MAINT MARGIN", align: "right", cell: (_, a) => a.raw.maintMargin ?? "" },
  { title: "MARGIN BALANCE", align: "right", cell: (_, a) => a.raw.marginBalance ?? "" },
  { title: "WALLET BALANCE", align: "right", cell: (_, a) => a.raw.walletBalance ?? "" },
];

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
}

export class TableFormatter {
  private readonly widths: number[];
  /** Cycles on the minute have ".000"; sub-second ones (the demo) show milliseconds. */
  private readonly millis: boolean;

  /** `sample` (e.g. the first page) sets the column widths. */
  constructor(
    sample: readonly Snapshot[],
    private readonly options: TableOptions = {},
    private readonly assets?: ReadonlySet<string>,
  ) {
    this.widths = TABLE_COLUMNS.map((c) => c.title.length);
    this.millis = sample.some((s) => s.takenAt.length >= 23 && s.takenAt.slice(19, 23) !== ".000");
    if (this.millis) this.widths[0] = Math.max(this.widths[0] ?? 0, 23);
    for (const s of sample) {
      for (const a of s.assets) {
        if (assets && !assets.has(a.asset)) continue;
        TABLE_COLUMNS.forEach((c, i) => {
          this.widths[i] = Math.max(this.widths[i] ?? 0, c.cell(s, a).length);
        });
      }
    }
  }

  private line(cells: readonly string[], colorAt?: { index: number; code: string }): string {
    const padded = cells.map((cell, i) => {
      const column = TABLE_COLUMNS[i];
      const width = this.widths[i] ?? 0;
      const text = column?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      return colorAt && colorAt.index === i && colorAt.code ? `${colorAt.code}${text}${ANSI.reset}` : text;
    });
    return `${padded.join("  ").trimEnd()}\n`;
  }

  header(): string {
    const text = this.line(TABLE_COLUMNS.map((c) => c.title));
    return this.options.color ? `${ANSI.bold}${text.trimEnd()}${ANSI.reset}\n` : text;
  }

  /** The rows of one snapshot (only the selected assets), each ending in "\n". */
  rows(snapshot: Snapshot): string {
    let out = "";
    const levelIndex = TABLE_COLUMNS.findIndex((c) => c.title === "LEVEL");
    for (const a of snapshot.assets) {
      if (this.assets && !this.assets.has(a.asset)) continue;
      const cells = TABLE_COLUMNS.map((c, i) =>
        i === 0 ? timeCell(snapshot.takenAt, this.millis) : c.cell(snapshot, a),
      );
      const code = this.options.color ? levelColor(a.level, this.options.levelNames) : "";
      out += this.line(cells, { index: levelIndex, code });
    }
    return out;
  }
}

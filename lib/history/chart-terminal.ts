/**
 * The margin ratio as a character chart for the terminal: one trace per asset, the alert levels
 * as dashed lines labelled on the right, percent on the y axis and UTC times below.
 */
import { formatPercent } from "../risk/decimal.js";
import type { PlotModel } from "./plot.js";
import { timeTicks, yTicks } from "./plot.js";

export interface TerminalChartOptions {
  /** Total width in columns. @default 100 */
  readonly width?: number;
  /** Plot rows. @default 16 */
  readonly height?: number;
  readonly color?: boolean;
}

const GLYPHS = ["●", "◆", "■", "▲", "○", "◇", "□"] as const;
const ANSI_SERIES = ["\x1b[36m", "\x1b[35m", "\x1b[34m", "\x1b[32m", "\x1b[96m", "\x1b[95m", "\x1b[94m"] as const;
const ANSI_LEVEL = ["\x1b[33m", "\x1b[31m", "\x1b[91m"] as const;
const RESET = "\x1b[0m";

interface Cell {
  ch: string;
  color: string;
}

export function renderTerminalChart(model: PlotModel, options: TerminalChartOptions = {}): string {
  const color = options.color ?? false;
  const height = Math.max(5, options.height ?? 16);
  const levelLabels = model.levels.map((l) => ` ${l.name} ${formatPercent(l.ratio, 0)}`);
  const rightWidth = Math.max(0, ...levelLabels.map((l) => l.length));
  const axisWidth = 6; // "100% ┤"
  const width = Math.max(20, (options.width ?? 100) - axisWidth - rightWidth - 1);
  const { from, to, yMax } = model;
  const span = Math.max(1, to - from);

  const grid: Cell[][] = Array.from({ length: height }, () =>
    Array.from({ length: width }, () => ({ ch: " ", color: "" })),
  );
  const rowOf = (v: number) =>
    Number.isFinite(v) ? Math.min(height - 1, Math.max(0, Math.round((1 - v / yMax) * (height - 1)))) : 0;
  const colOf = (t: number) => Math.min(width - 1, Math.max(0, Math.floor(((t - from) / span) * (width - 1) + 0.5)));

  const levelRows = model.levels.map((l) => rowOf(l.ratio));
  levelRows.forEach((row, i) => {
    const line = grid[row];
    if (!line) return;
    for (const cell of line) {
      cell.ch = "┄";
      cell.color = ANSI_LEVEL[Math.min(i, ANSI_LEVEL.length - 1)] ?? "";
    }
  });

  model.series.forEach((s, si) => {
    const glyph = GLYPHS[si % GLYPHS.length] ?? "●";
    const code = ANSI_SERIES[si % ANSI_SERIES.length] ?? "";
    const mark = (col: number, rowA: number, rowB: number) => {
      for (let r = Math.min(rowA, rowB); r <= Math.max(rowA, rowB); r++) {
        const cell = grid[r]?.[col];
        if (cell) {
          cell.ch = glyph;
          cell.color = code;
        }
      }
    };
    let prev: { col: number; row: number; v: number } | undefined;
    for (const [t, v] of s.points) {
      const col = colOf(t);
      const row = rowOf(v);
      if (!prev) mark(col, row, row);
      else if (col === prev.col) mark(col, prev.row, row);
      else {
        // Join consecutive points: each column covers the rows the line passes through.
        // A vertical step between neighbouring columns is split between them at its midpoint.
        const steps = col - prev.col;
        let rowBefore = prev.row;
        for (let c = prev.col + 1; c <= col; c++) {
          const f = (c - prev.col) / steps;
          const r =
            Number.isFinite(prev.v) && Number.isFinite(v) ? rowOf(prev.v + (v - prev.v) * f) : f < 0.5 ? prev.row : row;
          const mid = Math.round((rowBefore + r) / 2);
          mark(c - 1, rowBefore, mid);
          mark(c, mid, r);
          rowBefore = r;
        }
      }
      prev = { col, row, v };
    }
  });

  const ticks = yTicks(yMax, Math.max(2, Math.floor(height / 3)));
  const labelAt = new Map<number, string>();
  for (const tick of ticks) if (!labelAt.has(rowOf(tick.value))) labelAt.set(rowOf(tick.value), tick.label);

  const paint = (cells: readonly Cell[]) => {
    if (!color) return cells.map((c) => c.ch).join("");
    let out = "";
    let current = "";
    for (const c of cells) {
      if (c.color !== current) {
        out += current ? RESET : "";
        out += c.color;
        current = c.color;
      }
      out += c.ch;
    }
    return current ? `${out}${RESET}` : out;
  };

  const lines: string[] = [];
  const legend = model.series
    .map((s, si) => {
      const glyph = GLYPHS[si % GLYPHS.length] ?? "●";
      return color ? `${ANSI_SERIES[si % ANSI_SERIES.length]}${glyph}${RESET} ${s.name}` : `${glyph} ${s.name}`;
    })
    .join("  ");
  lines.push(`${model.title}: ${model.rangeLabel}`);
  lines.push(
    legend
      ? `${legend}${model.idle.length ? `   (no margin held: ${model.idle.join(", ")})` : ""}`
      : "no asset held margin in this range",
  );
  lines.push("");
  grid.forEach((row, r) => {
    const label = (labelAt.get(r) ?? "").padStart(axisWidth - 2);
    const axis = labelAt.has(r) ? "┤" : "│";
    const levelIndex = levelRows.indexOf(r);
    let right = "";
    if (levelIndex >= 0) {
      const text = levelLabels[levelIndex] ?? "";
      right = color ? `${ANSI_LEVEL[Math.min(levelIndex, ANSI_LEVEL.length - 1)]}${text}${RESET}` : text;
    }
    lines.push(`${label} ${axis}${paint(row)}${right}`.trimEnd());
  });
  lines.push(`${" ".repeat(axisWidth - 1)}└${"─".repeat(width)}`);

  // Time labels under the axis, placed at their columns without overlapping.
  const xTicks = timeTicks(from, to, Math.max(2, Math.floor(width / 14)));
  const axisLine = Array.from({ length: width + axisWidth + 12 }, () => " ");
  let nextFree = 0;
  for (const tick of xTicks) {
    const start = axisWidth + colOf(tick.value) - Math.floor(tick.label.length / 2);
    if (start < nextFree || start < 0) continue;
    for (let i = 0; i < tick.label.length; i++) axisLine[start + i] = tick.label[i] ?? " ";
    nextFree = start + tick.label.length + 2;
  }
  lines.push(axisLine.join("").trimEnd());

  const stats = model.series.map((s) => {
    const max = s.summary.max ? formatPercent(s.summary.max.value, 2) : "n/a";
    const last = Number.isFinite(s.summary.last.value) ? formatPercent(s.summary.last.value, 2) : "∞";
    const beyond = s.summary.beyond > 0 ? `, ${s.summary.beyond} with margin balance <= 0` : "";
    return `${s.name}: max ${max}, last ${last} (${s.summary.count} snapshots${beyond})`;
  });
  if (stats.length) lines.push("", ...stats);
  return `${lines.join("\n")}\n`;
}

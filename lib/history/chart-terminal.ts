/**
 * The margin ratio as a character chart for the terminal: one trace per asset (broken where the
 * monitor was not watching, those columns shaded), the alert levels as dashed lines and
 * liquidation as a solid one, labelled on the right, percent on the y axis and UTC times below.
 * Every line fits the width given (80 columns unless the terminal says otherwise).
 */
import { formatPercent } from "../risk/decimal.js";
import type { PlotModel } from "./plot.js";
import { timeTicks, worstOf, yTicks } from "./plot.js";

export interface TerminalChartOptions {
  /** Total width in columns. @default 80 */
  readonly width?: number;
  /** Plot rows. @default 16 */
  readonly height?: number;
  readonly color?: boolean;
}

const GLYPHS = ["●", "◆", "■", "▲", "○", "◇", "□"] as const;
const ANSI_SERIES = ["\x1b[36m", "\x1b[35m", "\x1b[34m", "\x1b[32m", "\x1b[96m", "\x1b[95m", "\x1b[94m"] as const;
const ANSI_LEVEL = ["\x1b[33m", "\x1b[31m", "\x1b[91m"] as const;
const ANSI_LIQUIDATION = "\x1b[1;31m";
const ANSI_GAP = "\x1b[2m";
const RESET = "\x1b[0m";
const GAP_CHAR = "░";

interface Cell {
  ch: string;
  color: string;
}

export function renderTerminalChart(model: PlotModel, options: TerminalChartOptions = {}): string {
  const color = options.color ?? false;
  const height = Math.max(5, options.height ?? 16);
  const total = Math.max(50, options.width ?? 80);
  const levelLabels = model.levels.map((l) => ` ${l.name} ${formatPercent(l.value, 0)}`);
  const liquidationLabel = ` liquidation ${formatPercent(model.liquidation, 0)}`;
  const rightWidth = Math.max(0, ...levelLabels.map((l) => l.length), liquidationLabel.length);
  const axisWidth = 6; // "100% ┤"
  const width = Math.max(16, total - axisWidth - rightWidth);
  const { from, to, yMax } = model;
  const span = Math.max(1, to - from);

  const grid: Cell[][] = Array.from({ length: height }, () =>
    Array.from({ length: width }, () => ({ ch: " ", color: "" })),
  );
  const rowOf = (v: number) =>
    Number.isFinite(v) ? Math.min(height - 1, Math.max(0, Math.round((1 - v / yMax) * (height - 1)))) : 0;
  const colOf = (t: number) => Math.min(width - 1, Math.max(0, Math.floor(((t - from) / span) * (width - 1) + 0.5)));
  const timeOf = (col: number) => from + (col / Math.max(1, width - 1)) * span;

  // Columns whose time lies inside a "not monitored" span are shaded (the traces break there).
  const gapColumns = new Set<number>();
  for (let c = 0; c < width; c++) {
    const t = timeOf(c);
    if (model.notMonitored.some((g) => t > g.from && t < g.to)) gapColumns.add(c);
  }
  for (const c of gapColumns) {
    for (const line of grid) {
      const cell = line[c];
      if (cell) {
        cell.ch = GAP_CHAR;
        cell.color = ANSI_GAP;
      }
    }
  }

  const liquidationRow = model.liquidation <= yMax ? rowOf(model.liquidation) : -1;
  // A level that rounds onto liquidation's row moves one row to the safe side, so both show.
  const safeStep = model.liquidation > 0 ? 1 : -1;
  const levelRows = model.levels.map((l) => {
    const row = rowOf(l.value);
    return row === liquidationRow ? row + safeStep : row;
  });
  levelRows.forEach((row, i) => {
    // Reference lines run through the shading, as on the SVG chart.
    grid[row]?.forEach((cell) => {
      cell.ch = "┄";
      cell.color = ANSI_LEVEL[Math.min(i, ANSI_LEVEL.length - 1)] ?? "";
    });
  });
  for (const cell of grid[liquidationRow] ?? []) {
    cell.ch = "━";
    cell.color = ANSI_LIQUIDATION;
  }

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
    for (const run of s.runs) {
      let prev: { col: number; row: number; v: number } | undefined;
      for (const [t, v] of run) {
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
              Number.isFinite(prev.v) && Number.isFinite(v)
                ? rowOf(prev.v + (v - prev.v) * f)
                : f < 0.5
                  ? prev.row
                  : row;
            const mid = Math.round((rowBefore + r) / 2);
            mark(c - 1, rowBefore, mid);
            mark(c, mid, r);
            rowBefore = r;
          }
        }
        prev = { col, row, v };
      }
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
  // Legend entries, wrapped to the width: [visible text, painted text].
  const entries: [string, string][] = model.series.map((s, si) => {
    const glyph = GLYPHS[si % GLYPHS.length] ?? "●";
    const plain = `${glyph} ${s.name}`;
    return [plain, color ? `${ANSI_SERIES[si % ANSI_SERIES.length]}${glyph}${RESET} ${s.name}` : plain];
  });
  if (model.notMonitored.length > 0)
    entries.push([
      `${GAP_CHAR} not monitored`,
      color ? `${ANSI_GAP}${GAP_CHAR}${RESET} not monitored` : `${GAP_CHAR} not monitored`,
    ]);
  const heading = `${model.title}: ${model.rangeLabel}`;
  if (heading.length <= total) lines.push(heading);
  else lines.push(`${model.title}:`, `  ${model.rangeLabel}`);
  if (model.series.length === 0) lines.push(`nothing to draw in this range`);
  let legendLine = "";
  let legendWidth = 0;
  for (const [plain, painted] of entries) {
    if (legendWidth > 0 && legendWidth + 2 + [...plain].length > total) {
      lines.push(legendLine);
      legendLine = "";
      legendWidth = 0;
    }
    legendLine += legendWidth > 0 ? `  ${painted}` : painted;
    legendWidth += (legendWidth > 0 ? 2 : 0) + [...plain].length;
  }
  if (legendLine) lines.push(legendLine);
  if (model.idle.length) lines.push(`(${model.idleNote}: ${model.idle.join(", ")})`);
  lines.push("");
  grid.forEach((row, r) => {
    const label = (labelAt.get(r) ?? "").padStart(axisWidth - 2);
    const axis = labelAt.has(r) ? "┤" : "│";
    const levelIndex = levelRows.indexOf(r);
    let right = "";
    if (r === liquidationRow) right = color ? `${ANSI_LIQUIDATION}${liquidationLabel}${RESET}` : liquidationLabel;
    else if (levelIndex >= 0) {
      const text = levelLabels[levelIndex] ?? "";
      right = color ? `${ANSI_LEVEL[Math.min(levelIndex, ANSI_LEVEL.length - 1)]}${text}${RESET}` : text;
    }
    lines.push(`${label} ${axis}${paint(row)}${right}`.trimEnd());
  });
  lines.push(`${" ".repeat(axisWidth - 1)}└${"─".repeat(width)}`);

  // Time labels under the axis, placed at their columns without overlapping.
  const xTicks = timeTicks(from, to, Math.max(2, Math.floor(width / 12)));
  const axisLine = Array.from({ length: total }, () => " ");
  let nextFree = 0;
  for (const tick of xTicks) {
    const start = axisWidth + colOf(tick.value) - Math.floor(tick.label.length / 2);
    if (start < nextFree || start < 0 || start + tick.label.length > total) continue;
    for (let i = 0; i < tick.label.length; i++) axisLine[start + i] = tick.label[i] ?? " ";
    nextFree = start + tick.label.length + 2;
  }
  lines.push(axisLine.join("").trimEnd());

  const ratio = model.metric === "ratio";
  const stats = model.series.map((s) => {
    const worst = worstOf(model, s);
    const peak = worst ? formatPercent(worst.value, 2) : "n/a";
    const last = Number.isFinite(s.summary.last.value) ? formatPercent(s.summary.last.value, 2) : ratio ? "∞" : "none";
    const beyond =
      s.summary.beyond > 0
        ? `, ${s.summary.beyond} ${ratio ? "with collateral <= 0" : "without a liquidation price"}`
        : "";
    return `${s.name}: ${ratio ? "max" : "min"} ${peak}, last ${last} (${s.summary.count} snapshots${beyond})`;
  });
  if (stats.length) lines.push("", ...stats);
  return `${lines.join("\n")}\n`;
}

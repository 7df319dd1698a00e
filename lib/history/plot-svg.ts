/**
 * The chart as one SVG, the single drawing both file formats use: the HTML page inlines it and
 * the PNG is this SVG rasterized, so the two always show the same chart. Title with the range
 * asked for, legend, alert levels and the liquidation line, "not monitored" spans shaded, and
 * one line per asset broken where the monitor was not watching.
 */
import { formatPercent } from "../risk/decimal.js";
import { levelColorHex, type PlotModel, type PlotPoint, SERIES_COLORS } from "./plot.js";

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

export const SVG_WIDTH = 1000;
export const SVG_HEIGHT = 540;
export const LIQUIDATION_COLOR = "#5a0000";
const GAP_FILL = "#d9d9d9";

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? "#1f77b4";
}

/** The plot area in SVG units, for renderers that overlay the SVG (the HTML hover readout). */
export const PLOT_AREA = { left: 70, right: SVG_WIDTH - 24, top: 84, bottom: SVG_HEIGHT - 56 } as const;

export function renderPlotSvg(model: PlotModel): string {
  const width = SVG_WIDTH;
  const height = SVG_HEIGHT;
  const { left, right, top, bottom } = PLOT_AREA;
  const x = (t: number) => left + ((t - model.from) / Math.max(1, model.to - model.from)) * (right - left);
  const y = (v: number) =>
    Number.isFinite(v) ? bottom - (Math.min(v, model.yMax) / model.yMax) * (bottom - top) : top;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${model.title}, ${model.rangeLabel}`)}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="28" font-size="18" font-weight="600" fill="#222">${escapeXml(model.title)}</text>`);
  parts.push(`<text x="${left}" y="50" font-size="13" fill="#555">${escapeXml(model.rangeLabel)}</text>`);
  if (model.idle.length > 0)
    parts.push(
      `<text x="${left}" y="70" fill="#777">${escapeXml(`Not drawn (${model.idleNote}): ${model.idle.join(", ")}`)}</text>`,
    );

  // Legend on the right of the title: one swatch per asset, then the shading.
  const legend: { label: string; swatch: string }[] = model.series.map((s, i) => ({
    label: s.name,
    swatch: `<rect width="18" height="4" y="-4" fill="${seriesColor(i)}"/>`,
  }));
  if (model.notMonitored.length > 0)
    legend.push({
      label: "not monitored",
      swatch: `<rect width="14" height="12" y="-10" fill="${GAP_FILL}" stroke="#bbb"/>`,
    });
  let lx = right;
  const legendParts: string[] = [];
  for (const item of [...legend].reverse()) {
    lx -= item.label.length * 7.5 + 42;
    legendParts.push(
      `<g transform="translate(${fmt(lx)} 46)">${item.swatch}<text x="24" y="0" fill="#222">${escapeXml(item.label)}</text></g>`,
    );
  }
  parts.push(...legendParts.reverse());

  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="#fbfbfb"/>`);
  for (const span of model.notMonitored) {
    const x1 = x(span.from);
    const x2 = x(span.to);
    const w = Math.max(1, x2 - x1);
    parts.push(
      `<rect class="not-monitored" x="${fmt(x1)}" y="${top}" width="${fmt(w)}" height="${bottom - top}" fill="${GAP_FILL}"><title>not monitored: ${escapeXml(new Date(span.from).toISOString().slice(0, 16).replace("T", " "))} to ${escapeXml(new Date(span.to).toISOString().slice(0, 16).replace("T", " "))} UTC</title></rect>`,
    );
    if (w >= 90)
      parts.push(
        `<text x="${fmt(x1 + w / 2)}" y="${bottom - 10}" text-anchor="middle" fill="#777">not monitored</text>`,
      );
  }
  for (const tick of model.yTicks) {
    const yy = fmt(y(tick.value));
    parts.push(`<line x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="#e4e4e4"/>`);
    parts.push(
      `<text x="${left - 8}" y="${Number(yy) + 4}" text-anchor="end" fill="#333">${escapeXml(tick.label)}</text>`,
    );
  }
  let lastLabelEnd = Number.NEGATIVE_INFINITY;
  for (const tick of model.xTicks) {
    const xx = x(tick.value);
    parts.push(`<line x1="${fmt(xx)}" x2="${fmt(xx)}" y1="${top}" y2="${bottom}" stroke="#e4e4e4"/>`);
    // Labels that would overlap the previous one are left out (the grid line stays).
    const half = (tick.label.length * 7) / 2;
    if (xx - half < lastLabelEnd + 8) continue;
    lastLabelEnd = xx + half;
    parts.push(
      `<text x="${fmt(xx)}" y="${bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(tick.label)}</text>`,
    );
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  const midY = (top + bottom) / 2;
  parts.push(
    `<text x="16" y="${midY}" transform="rotate(-90 16 ${midY})" text-anchor="middle" fill="#555">${escapeXml(model.yLabel)}</text>`,
  );
  parts.push(`<text x="${(left + right) / 2}" y="${height - 14}" text-anchor="middle" fill="#555">Time (UTC)</text>`);

  model.levels.forEach((level, i) => {
    const yy = fmt(y(level.value));
    const color = levelColorHex(i);
    parts.push(
      `<line class="level" x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="1.5" stroke-dasharray="8 5"/>`,
    );
    parts.push(
      `<text x="${right - 6}" y="${Number(yy) - 6}" text-anchor="end" fill="${color}" font-weight="600">${escapeXml(`${level.name} ${formatPercent(level.value, 0)}`)}</text>`,
    );
  });
  if (model.liquidation <= model.yMax) {
    const yy = fmt(y(model.liquidation));
    parts.push(
      `<line class="liquidation" x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="${LIQUIDATION_COLOR}" stroke-width="2.5"/>`,
    );
    parts.push(
      `<text x="${left + 6}" y="${Number(yy) - 6}" fill="${LIQUIDATION_COLOR}" font-weight="600">${escapeXml(`liquidation ${formatPercent(model.liquidation, 0)}`)}</text>`,
    );
  }

  const path = (run: readonly PlotPoint[]) => run.map(([t, v]) => `${fmt(x(t))},${fmt(y(v))}`).join(" ");
  model.series.forEach((s, i) => {
    const color = seriesColor(i);
    const lines = s.runs.map((run) => {
      const first = run[0];
      if (run.length === 1 && first)
        return `<circle cx="${fmt(x(first[0]))}" cy="${fmt(y(first[1]))}" r="2.2" fill="${color}"/>`;
      return `<polyline fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round" points="${path(run)}"/>`;
    });
    parts.push(
      `<g class="series" data-asset="${escapeXml(s.name)}"><title>${escapeXml(s.name)}</title>${lines.join("")}</g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

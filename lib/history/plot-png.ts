/** The plot as a PNG: axes with labels, grid, dashed alert levels and one line per asset. */
import { formatPercent } from "../risk/decimal.js";
import { levelColorHex, type PlotModel, SERIES_COLORS } from "./plot.js";
import { encodePng, hexColor, Raster, textWidth } from "./png.js";

export interface PngOptions {
  readonly width?: number;
  readonly height?: number;
}

export function renderPlotPng(model: PlotModel, options: PngOptions = {}): Buffer {
  const width = options.width ?? 1200;
  const height = options.height ?? 600;
  const r = new Raster(width, height);
  const ink = hexColor("#222222");
  const muted = hexColor("#666666");
  const grid = hexColor("#e4e4e4");
  const plotBg = hexColor("#fbfbfb");

  const left = 92;
  const right = width - 24;
  const top = 84;
  const bottom = height - 64;
  const x = (t: number) => left + ((t - model.from) / Math.max(1, model.to - model.from)) * (right - left);
  const y = (v: number) =>
    Number.isFinite(v) ? bottom - (Math.min(v, model.yMax) / model.yMax) * (bottom - top) : top;

  r.text(left, 14, model.title, ink, 3);
  r.text(left, 44, model.rangeLabel, muted, 2);
  // Legend, right-aligned on the title line.
  let lx = right;
  for (let i = model.series.length - 1; i >= 0; i--) {
    const s = model.series[i];
    if (!s) continue;
    lx -= textWidth(s.name) + 28;
    const color = hexColor(SERIES_COLORS[i % SERIES_COLORS.length] ?? "#1f77b4");
    r.fillRect(lx, 22, 18, 4, color);
    r.text(lx + 24, 17, s.name, ink, 2);
  }

  r.fillRect(left, top, right - left, bottom - top, plotBg);
  for (const tick of model.yTicks) {
    const yy = Math.round(y(tick.value));
    r.fillRect(left, yy, right - left, 1, grid);
    r.text(left - 10 - textWidth(tick.label), yy - 7, tick.label, ink, 2);
  }
  let lastLabelEnd = Number.NEGATIVE_INFINITY;
  for (const tick of model.xTicks) {
    const xx = Math.round(x(tick.value));
    r.fillRect(xx, top, 1, bottom - top, grid);
    r.fillRect(xx, bottom, 1, 6, ink);
    const w = textWidth(tick.label);
    const start = Math.min(right - w, Math.max(left - w / 2, xx - w / 2));
    if (start > lastLabelEnd + 12) {
      r.text(start, bottom + 12, tick.label, ink, 2);
      lastLabelEnd = start + w;
    }
  }
  r.fillRect(left, top, 1, bottom - top + 1, ink);
  r.fillRect(left, bottom, right - left, 1, ink);
  r.textUp(18, Math.round((top + bottom) / 2 + textWidth("MARGIN RATIO") / 2), "MARGIN RATIO", muted, 2);
  const xTitle = "TIME (UTC)";
  r.text(Math.round((left + right) / 2 - textWidth(xTitle) / 2), height - 24, xTitle, muted, 2);

  model.levels.forEach((level, i) => {
    const color = hexColor(levelColorHex(i));
    const yy = Math.round(y(level.ratio));
    r.dashedH(left, right, yy, color, 10, 6, 2);
    const label = `${level.name} ${formatPercent(level.ratio, 0)}`;
    r.text(right - textWidth(label) - 6, yy - 20, label, color, 2);
  });

  model.series.forEach((s, i) => {
    const color = hexColor(SERIES_COLORS[i % SERIES_COLORS.length] ?? "#1f77b4");
    let prev: readonly [number, number] | undefined;
    for (const [t, v] of s.points) {
      const px = x(t);
      const py = y(v);
      if (prev) r.line(prev[0], prev[1], px, py, color, 2);
      else r.line(px, py, px, py, color, 2);
      prev = [px, py];
    }
  });
  return encodePng(r);
}

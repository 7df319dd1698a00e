/** The plot as a self-contained HTML page with an inline SVG chart (no scripts, no network). */
import { formatPercent } from "../risk/decimal.js";
import { levelColorHex, type PlotModel, SERIES_COLORS } from "./plot.js";

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

export function renderPlotSvg(model: PlotModel, width = 1000, height = 480): string {
  const left = 70;
  const right = width - 20;
  const top = 20;
  const bottom = height - 56;
  const x = (t: number) => left + ((t - model.from) / Math.max(1, model.to - model.from)) * (right - left);
  const y = (v: number) =>
    Number.isFinite(v) ? bottom - (Math.min(v, model.yMax) / model.yMax) * (bottom - top) : top;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${model.title}, ${model.rangeLabel}`)}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  );
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="#fbfbfb"/>`);
  for (const tick of model.yTicks) {
    const yy = fmt(y(tick.value));
    parts.push(`<line x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="#e4e4e4"/>`);
    parts.push(
      `<text x="${left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#333">${escapeXml(tick.label)}</text>`,
    );
  }
  for (const tick of model.xTicks) {
    const xx = fmt(x(tick.value));
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${top}" y2="${bottom}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${xx}" y="${bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(tick.label)}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  parts.push(
    `<text x="16" y="${(top + bottom) / 2}" transform="rotate(-90 16 ${(top + bottom) / 2})" text-anchor="middle" fill="#555">Margin ratio (maintenance margin / margin balance)</text>`,
  );
  parts.push(`<text x="${(left + right) / 2}" y="${height - 12}" text-anchor="middle" fill="#555">Time (UTC)</text>`);
  model.levels.forEach((level, i) => {
    const yy = fmt(y(level.ratio));
    const color = levelColorHex(i);
    parts.push(
      `<line class="level" x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="1.5" stroke-dasharray="8 5"/>`,
    );
    parts.push(
      `<text x="${right - 6}" y="${Number(yy) - 6}" text-anchor="end" fill="${color}" font-weight="600">${escapeXml(`${level.name} ${formatPercent(level.ratio, 0)}`)}</text>`,
    );
  });
  model.series.forEach((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length] ?? "#1f77b4";
    const points = s.points.map(([t, v]) => `${fmt(x(t))},${fmt(y(v))}`).join(" ");
    parts.push(
      `<polyline class="series" data-asset="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round" points="${points}"><title>${escapeXml(s.name)}</title></polyline>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

export function renderPlotHtml(model: PlotModel): string {
  const rows = model.series
    .map((s, i) => {
      const color = SERIES_COLORS[i % SERIES_COLORS.length] ?? "#1f77b4";
      const max = s.summary.max
        ? `${formatPercent(s.summary.max.value, 2)} at ${new Date(s.summary.max.t).toISOString().slice(0, 19).replace("T", " ")}`
        : "n/a";
      const last = Number.isFinite(s.summary.last.value)
        ? formatPercent(s.summary.last.value, 2)
        : "∞ (margin balance ≤ 0)";
      return `<tr><td><span class="swatch" style="background:${color}"></span>${escapeXml(s.name)}</td><td>${escapeXml(last)}</td><td>${escapeXml(max)}</td><td>${s.summary.count}</td><td>${s.summary.beyond}</td></tr>`;
    })
    .join("\n");
  const idle = model.idle.length
    ? `<p class="note">No margin held in this range: ${escapeXml(model.idle.join(", "))}.</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(`${model.title} - coinm-guard`)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1040px; color: #222; padding: 0 1rem; }
  h1 { font-size: 1.35rem; margin-bottom: 0.2rem; }
  .range { color: #666; margin-top: 0; }
  svg { width: 100%; height: auto; border: 1px solid #eee; border-radius: 6px; }
  table { border-collapse: collapse; margin-top: 1rem; }
  th, td { text-align: left; padding: 0.3rem 0.9rem 0.3rem 0; border-bottom: 1px solid #eee; }
  th { font-weight: 600; color: #555; }
  .swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; margin-right: 0.4rem; vertical-align: -1px; }
  .note { color: #666; }
</style>
</head>
<body>
<h1>${escapeXml(model.title)}</h1>
<p class="range">${escapeXml(model.rangeLabel)} · alert levels: ${escapeXml(model.levels.map((l) => `${l.name} ${formatPercent(l.ratio, 0)}`).join(", "))}</p>
${renderPlotSvg(model)}
<table>
<thead><tr><th>Asset</th><th>Last ratio</th><th>Highest ratio</th><th>Snapshots</th><th>Margin balance ≤ 0</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${idle}
<p class="note">Margin ratio = maintenance margin / margin balance, as Binance computes it for COIN-M; liquidation at 100%. Generated by coinm-guard.</p>
</body>
</html>
`;
}

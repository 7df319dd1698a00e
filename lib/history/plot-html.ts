/**
 * The plot as a self-contained HTML page around the chart's SVG: one file, no network. A small
 * inline script shows the time and each asset's value under the pointer; without scripts the
 * page is the same chart.
 */
import { formatPercent } from "../risk/decimal.js";
import { type PlotModel, worstOf } from "./plot.js";
import { escapeXml, PLOT_AREA, renderPlotSvg, SVG_WIDTH, seriesColor } from "./plot-svg.js";
import { formatAge, formatInterval } from "./range.js";

/** What the hover readout needs, as JSON: values rounded to what a person reads. */
export function hoverData(model: PlotModel) {
  return {
    from: model.from,
    to: model.to,
    left: PLOT_AREA.left,
    right: PLOT_AREA.right,
    top: PLOT_AREA.top,
    bottom: PLOT_AREA.bottom,
    width: SVG_WIDTH,
    gaps: model.notMonitored.map((g) => [g.from, g.to]),
    series: model.series.map((s, i) => ({
      name: s.name,
      color: seriesColor(i),
      // null stands for beyond the top (a margin balance at or below zero).
      points: s.runs.flat().map(([t, v]) => [t, Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null]),
    })),
  };
}

// Plain ES5 for any browser; reads the JSON above it, draws a guide line and a readout.
export const HOVER_SCRIPT = `(function () {
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  var svg = document.querySelector("svg");
  var tip = document.getElementById("readout");
  var ns = "http://www.w3.org/2000/svg";
  var guide = document.createElementNS(ns, "line");
  guide.setAttribute("y1", d.top); guide.setAttribute("y2", d.bottom);
  guide.setAttribute("stroke", "#888"); guide.setAttribute("visibility", "hidden");
  svg.appendChild(guide);
  function nearest(points, t) {
    var lo = 0, hi = points.length - 1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (points[mid][0] < t) lo = mid; else hi = mid; }
    return Math.abs(points[lo][0] - t) <= Math.abs(points[hi][0] - t) ? points[lo] : points[hi];
  }
  function hide() { tip.hidden = true; guide.setAttribute("visibility", "hidden"); }
  svg.addEventListener("mouseleave", hide);
  svg.addEventListener("mousemove", function (e) {
    var box = svg.getBoundingClientRect();
    var x = (e.clientX - box.left) * d.width / box.width;
    if (x < d.left || x > d.right) return hide();
    var t = d.from + (x - d.left) / (d.right - d.left) * (d.to - d.from);
    var lines = [new Date(t).toISOString().slice(0, 19).replace("T", " ") + " UTC"];
    var gap = d.gaps.some(function (g) { return t > g[0] && t < g[1]; });
    if (gap) lines.push("not monitored");
    else d.series.forEach(function (s) {
      if (!s.points.length) return;
      var p = nearest(s.points, t);
      lines.push(s.name + ": " + (p[1] === null ? "\\u221e" : (p[1] * 100).toFixed(2) + "%"));
    });
    tip.textContent = lines.join("\\n");
    tip.hidden = false;
    tip.style.left = Math.min(e.pageX + 14, window.innerWidth - 220) + "px";
    tip.style.top = e.pageY + 14 + "px";
    guide.setAttribute("x1", x); guide.setAttribute("x2", x);
    guide.setAttribute("visibility", "visible");
  });
})();`;

export function renderPlotHtml(model: PlotModel): string {
  const ratio = model.metric === "ratio";
  const rows = model.series
    .map((s, i) => {
      const color = seriesColor(i);
      const w = worstOf(model, s);
      const max = w
        ? `${formatPercent(w.value, 2)} at ${new Date(w.t).toISOString().slice(0, 19).replace("T", " ")}`
        : "n/a";
      const last = Number.isFinite(s.summary.last.value)
        ? formatPercent(s.summary.last.value, 2)
        : ratio
          ? "∞ (collateral ≤ 0)"
          : "no liquidation price";
      return `<tr><td><span class="swatch" style="background:${color}"></span>${escapeXml(s.name)}</td><td>${escapeXml(last)}</td><td>${escapeXml(max)}</td><td>${s.summary.count}</td><td>${s.summary.beyond}</td></tr>`;
    })
    .join("\n");
  const idle = model.idle.length
    ? `<p class="note">${escapeXml(`${model.idleNote[0]?.toUpperCase()}${model.idleNote.slice(1)} in this range: ${model.idle.join(", ")}.`)}</p>`
    : "";
  const unwatched = model.notMonitored.reduce((ms, g) => ms + (g.to - g.from), 0);
  const coverage =
    (model.intervalMs !== undefined ? ` · snapshots every ${formatInterval(model.intervalMs)}` : "") +
    (unwatched > 0 ? ` · not monitored for ${formatAge(unwatched)} in ${model.notMonitored.length} span(s)` : "");
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
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  #readout { position: absolute; background: #fff; border: 1px solid #bbb; border-radius: 4px; padding: 0.3rem 0.5rem; font-size: 0.85rem; white-space: pre; pointer-events: none; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
</style>
</head>
<body>
<h1 class="visually-hidden">${escapeXml(`${model.title}, ${model.rangeLabel}`)}</h1>
${renderPlotSvg(model)}
<p class="range">Alert levels: ${escapeXml(model.levels.map((l) => `${l.name} ${formatPercent(l.value, 0)}`).join(", "))}${escapeXml(coverage)}</p>
<div id="readout" hidden></div>
<table>
<thead><tr><th>Pool</th><th>Last</th><th>${ratio ? "Highest ratio" : "Smallest distance"}</th><th>Snapshots</th><th>${ratio ? "Collateral ≤ 0" : "No liquidation price"}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${idle}
<p class="note">${ratio ? "Margin ratio = maintenance margin / collateral of the margin pool (an asset's cross positions, or one isolated position), as Binance computes it for COIN-M; liquidation at 100%." : "Distance to liquidation = |mark price − liquidation price| / mark price, the smallest among the pool's positions; liquidation at 0%."} Shaded: no snapshot for more than 2.5 schedule intervals, so the account was not monitored. Generated by coinm-guard.</p>
<script type="application/json" id="chart-data">${JSON.stringify(hoverData(model)).replace(/</g, "\\u003c")}</script>
<script>
${HOVER_SCRIPT}
</script>
</body>
</html>
`;
}

/**
 * What every chart needs, independent of how it is drawn: the series (downsampled points per
 * asset, split into runs where the monitor was not watching), the "not monitored" spans, the
 * y scale (0 up to a round value above the data, the alert levels and liquidation), and ticks
 * with labels on both axes. Renderers (terminal, SVG for HTML and PNG) only map this to pixels.
 */
import { bucketPoints, type Downsampler, type SeriesSummary } from "./downsample.js";
import { type Coverage, GAP_INTERVALS, type Span, splitAtGaps } from "./gaps.js";

export type PlotPoint = readonly [number, number];

export interface PlotSeries {
  readonly name: string;
  /**
   * Runs of [ms since epoch, value] in time order, drawn joined; nothing is drawn between runs
   * (the monitor was not watching, or the series was absent). +Infinity is beyond the top.
   */
  readonly runs: readonly (readonly PlotPoint[])[];
  readonly summary: SeriesSummary;
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export interface PlotModel {
  readonly title: string;
  readonly account: string;
  readonly metric: PlotMetric;
  /** The y axis' title. */
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  /** Series with nothing to draw (ratio 0 throughout, or never a liquidation price). */
  readonly idle: readonly string[];
  /** Why the idle series are not drawn: "no margin held", "no liquidation price". */
  readonly idleNote: string;
  readonly levels: readonly PlotLevel[];
  /** Where liquidation is on the y axis (a ratio of 100%, a distance of 0). */
  readonly liquidation: number;
  /** Spans of the range with no snapshot for longer than a few intervals, in time order. */
  readonly notMonitored: readonly Span[];
  /** The schedule interval the snapshots show (their median spacing), if there were two. */
  readonly intervalMs: number | undefined;
  /** The range asked for (not the first and last snapshot). */
  readonly from: number;
  readonly to: number;
  readonly yMax: number;
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  /** "2026-10-01 00:00 → 2026-10-31 23:59 UTC" */
  readonly rangeLabel: string;
}

/** Distinct colours that stay readable on white and on a dark terminal. */
export const SERIES_COLORS = ["#1f77b4", "#9467bd", "#17becf", "#2ca02c", "#8c564b", "#e377c2", "#7f7f7f"] as const;
export const LEVEL_COLORS = ["#e6a100", "#d62728", "#8b0000"] as const;

export function levelColorHex(index: number): string {
  return LEVEL_COLORS[Math.min(index, LEVEL_COLORS.length - 1)] ?? "#d62728";
}

/** The top of the y axis: a multiple of 10% above the data, the highest level and liquidation. */
export function niceYMax(maxFinite: number, levels: readonly number[], liquidation = 0): number {
  const top = Math.max(maxFinite * 1.05, ...levels.map((l) => l * 1.1), liquidation * 1.05, 0.1);
  return Math.ceil(top * 10 - 1e-9) / 10;
}

export function yTicks(yMax: number, maxTicks = 6): Tick[] {
  const steps = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5];
  const step = steps.find((s) => yMax / s <= maxTicks) ?? yMax;
  const ticks: Tick[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    const value = Math.round(v * 1000) / 1000;
    ticks.push({ value, label: `${Math.round(value * 100)}%` });
  }
  return ticks;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
];
/** Calendar steps in months, for ranges of months and years. */
const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60];
const AVERAGE_MONTH = 30.44 * DAY;

/**
 * A UTC time label suited to the tick step: "22:28:58", "22:28", "10-24" at midnight, or with
 * the year when the range crosses into another year ("2026-10-24"); months as "2026-10".
 */
export function timeLabel(t: number, stepMs: number, withYear = false): string {
  const iso = new Date(t).toISOString();
  if (stepMs < MINUTE) return iso.slice(11, 19);
  const day = withYear ? iso.slice(0, 10) : iso.slice(5, 10);
  if (stepMs < DAY) return iso.slice(11, 16) === "00:00" ? day : iso.slice(11, 16);
  return day;
}

/** Round-time ticks between `from` and `to`, about `target` of them; months past ~10 weeks. */
export function timeTicks(from: number, to: number, target = 6): Tick[] {
  const span = Math.max(1, to - from);
  const withYear = new Date(from).getUTCFullYear() !== new Date(to).getUTCFullYear();
  const step = TIME_STEPS.find((s) => span / s <= target);
  const ticks: Tick[] = [];
  if (step !== undefined) {
    for (let t = Math.ceil(from / step) * step; t <= to; t += step)
      ticks.push({ value: t, label: timeLabel(t, step, withYear) });
    return ticks;
  }
  const months = MONTH_STEPS.find((m) => span / (m * AVERAGE_MONTH) <= target) ?? 120;
  // Months counted from year 0, so multiples of the step fall on Jan, Apr, Jul, Oct for quarters.
  const start = new Date(from);
  let m = start.getUTCFullYear() * 12 + start.getUTCMonth();
  if (Date.UTC(Math.floor(m / 12), m % 12, 1) < from) m++;
  for (m = Math.ceil(m / months) * months; ; m += months) {
    const t = Date.UTC(Math.floor(m / 12), m % 12, 1);
    if (t > to) break;
    const iso = new Date(t).toISOString();
    ticks.push({ value: t, label: months >= 12 ? iso.slice(0, 4) : iso.slice(0, 7) });
  }
  return ticks;
}

export function rangeLabel(from: number, to: number): string {
  const a = new Date(from).toISOString();
  const b = new Date(to).toISOString();
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `${a.slice(0, 10)} ${a.slice(11, 19)} → ${sameDay ? "" : `${b.slice(0, 10)} `}${b.slice(11, 19)} UTC`;
}

/** What a chart plots: the margin ratio (liquidation at 100%) or the distance to liquidation (at 0%). */
export type PlotMetric = "ratio" | "distance";

/** A level line: a ratio level, or a distance level (a pool reaches it at or below the distance). */
export interface PlotLevel {
  readonly name: string;
  readonly value: number;
}

export const METRICS: Readonly<
  Record<PlotMetric, { title: string; yLabel: string; liquidation: number; idleNote: string; worst: "max" | "min" }>
> = {
  ratio: {
    title: "Margin ratio",
    yLabel: "Margin ratio (maintenance margin / collateral)",
    liquidation: 1,
    idleNote: "no margin held",
    worst: "max",
  },
  distance: {
    title: "Distance to liquidation",
    yLabel: "Distance to liquidation (|mark − liquidation price| / mark)",
    liquidation: 0,
    idleNote: "no liquidation price",
    worst: "min",
  },
};

/** The worst value a series reached: its highest ratio, or its smallest distance. */
export function worstOf(model: Pick<PlotModel, "metric">, s: PlotSeries): { t: number; value: number } | undefined {
  return METRICS[model.metric].worst === "max" ? s.summary.max : s.summary.min;
}

export interface PlotOptions {
  readonly account: string;
  readonly levels: readonly PlotLevel[];
  /** @default "ratio" */
  readonly metric?: PlotMetric;
  /** The range asked for, ms since epoch. */
  readonly from: number;
  readonly to: number;
  /** Where the monitor was not watching (GapTracker.coverage over the same range). */
  readonly coverage?: Coverage;
}

/**
 * Build the plot from a downsampler that has seen the whole range. A ratio of +Infinity
 * (collateral <= 0) is drawn beyond the top; a distance of +Infinity (no liquidation price) is
 * not drawn, and a series with no distance at all is listed as idle.
 */
export function buildPlot(ds: Downsampler, options: PlotOptions): PlotModel | undefined {
  if (!ds.timeRange) return undefined;
  const metric = options.metric ?? "ratio";
  const info = METRICS[metric];
  const gaps = options.coverage?.gaps ?? [];
  const intervalMs = options.coverage?.intervalMs;
  // Points further apart than this belong to different runs even without a recorded gap: the
  // series was missing from the snapshots between them.
  const maxJoinMs = 2 * ds.bucketWidthMs + GAP_INTERVALS * (intervalMs ?? Number.POSITIVE_INFINITY);
  const series: PlotSeries[] = [];
  const idle: string[] = [];
  let maxFinite = 0;
  for (const name of ds.names()) {
    const summary = ds.summary(name);
    if (!summary) continue;
    const buckets = ds.buckets(name);
    const peak = Math.max(...buckets.map((b) => b.max));
    const nothing = metric === "ratio" ? peak === 0 && summary.beyond === 0 : summary.beyond === summary.count;
    if (nothing) {
      idle.push(name);
      continue;
    }
    if (summary.max) maxFinite = Math.max(maxFinite, summary.max.value);
    let points = buckets.flatMap(bucketPoints);
    if (metric === "distance") points = points.filter(([, v]) => Number.isFinite(v));
    series.push({ name, runs: splitAtGaps(points, gaps, maxJoinMs), summary });
  }
  const liquidation = info.liquidation;
  const yMax = niceYMax(
    maxFinite,
    options.levels.map((l) => l.value),
    liquidation,
  );
  const from = Math.min(options.from, ds.timeRange.from);
  const to = Math.max(options.to, ds.timeRange.to);
  return {
    title: `${info.title}, account ${options.account}`,
    account: options.account,
    metric,
    yLabel: info.yLabel,
    series,
    idle,
    idleNote: info.idleNote,
    levels: options.levels,
    liquidation,
    notMonitored: gaps,
    intervalMs,
    from,
    to,
    yMax,
    xTicks: timeTicks(from, to),
    yTicks: yTicks(yMax),
    rangeLabel: rangeLabel(from, to),
  };
}

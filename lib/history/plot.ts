/**
 * What every chart needs, independent of how it is drawn: the series (downsampled points per
 * asset), the y scale (0 up to a round ratio above the data and the alert levels), and ticks
 * with labels on both axes. Renderers (terminal, PNG, HTML) only map this to their pixels.
 */
import type { AlertLevel } from "../config.js";
import { bucketPoints, type Downsampler, type SeriesSummary } from "./downsample.js";

export interface PlotSeries {
  readonly name: string;
  /** [ms since epoch, ratio] in time order; a ratio of +Infinity means margin balance <= 0. */
  readonly points: readonly (readonly [number, number])[];
  readonly summary: SeriesSummary;
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export interface PlotModel {
  readonly title: string;
  readonly account: string;
  readonly series: readonly PlotSeries[];
  /** Assets in the range whose ratio was 0 throughout (no margin held); not drawn. */
  readonly idle: readonly string[];
  readonly levels: readonly AlertLevel[];
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

/** The top of the y axis: a multiple of 10% above the data and the highest level. */
export function niceYMax(maxFinite: number, levels: readonly AlertLevel[]): number {
  const top = Math.max(maxFinite * 1.05, ...levels.map((l) => l.ratio * 1.1), 0.1);
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
  30 * DAY,
];

/** A UTC time label suited to the tick step: "22:28:58", "22:28", "11-24 22:00", "11-24". */
export function timeLabel(t: number, stepMs: number): string {
  const iso = new Date(t).toISOString();
  if (stepMs < MINUTE) return iso.slice(11, 19);
  if (stepMs < DAY) return iso.slice(11, 16) === "00:00" ? iso.slice(5, 10) : iso.slice(11, 16);
  return iso.slice(5, 10);
}

/** Round-time ticks between `from` and `to`, about `target` of them. */
export function timeTicks(from: number, to: number, target = 6): Tick[] {
  const span = Math.max(1, to - from);
  const step = TIME_STEPS.find((s) => span / s <= target) ?? TIME_STEPS[TIME_STEPS.length - 1] ?? DAY;
  const ticks: Tick[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push({ value: t, label: timeLabel(t, step) });
  return ticks;
}

export function rangeLabel(from: number, to: number): string {
  const a = new Date(from).toISOString();
  const b = new Date(to).toISOString();
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `${a.slice(0, 10)} ${a.slice(11, 19)} → ${sameDay ? "" : `${b.slice(0, 10)} `}${b.slice(11, 19)} UTC`;
}

/** Build the plot from a downsampler that has seen the whole range. */
export function buildPlot(
  ds: Downsampler,
  options: { account: string; levels: readonly AlertLevel[] },
): PlotModel | undefined {
  const range = ds.timeRange;
  if (!range) return undefined;
  const series: PlotSeries[] = [];
  const idle: string[] = [];
  let maxFinite = 0;
  for (const name of ds.names()) {
    const summary = ds.summary(name);
    if (!summary) continue;
    const buckets = ds.buckets(name);
    const peak = Math.max(...buckets.map((b) => b.max));
    if (peak === 0 && summary.beyond === 0) {
      idle.push(name);
      continue;
    }
    if (summary.max) maxFinite = Math.max(maxFinite, summary.max.value);
    series.push({ name, points: buckets.flatMap(bucketPoints), summary });
  }
  const yMax = niceYMax(maxFinite, options.levels);
  return {
    title: `Margin ratio, account ${options.account}`,
    account: options.account,
    series,
    idle,
    levels: options.levels,
    from: range.from,
    to: range.to,
    yMax,
    xTicks: timeTicks(range.from, range.to),
    yTicks: yTicks(yMax),
    rangeLabel: rangeLabel(range.from, range.to),
  };
}

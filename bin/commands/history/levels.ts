/**
 * The levels a history chart draws: --levels when given, else the levels a deployed stack states
 * for the account, else the defaults; ratio levels ascend, distance levels descend.
 */
import type { StackOutputs } from "../../../lib/aws/stack-outputs.js";
import { parseLevelsOption } from "../../../lib/history/levels.js";
import type { PlotLevel, PlotMetric } from "../../../lib/history/plot.js";
import {
  type AlertLevel,
  DEFAULT_DISTANCE_LEVELS,
  type DistanceLevel,
  defaultDistanceLevels,
} from "../../../lib/risk/levels.js";
import { DEFAULT_PORTFOLIO_LEVELS, type PortfolioLevel, portfolioAlertLevels } from "../../../lib/risk/portfolio.js";

/**
 * The levels a chart draws: --levels if given (ratios, or with --distance distances), else the
 * defaults (the stack's replace them later when it has them).
 */
export function chartLevels(text: string | undefined, metric: PlotMetric): { levels: PlotLevel[] } | { error: string } {
  if (metric === "ratio" || text !== undefined) {
    const parsed = parseLevelsOption(text);
    if ("error" in parsed) return parsed;
    return { levels: toPlotLevels(parsed.levels, metric) };
  }
  return { levels: toPlotLevels(DEFAULT_DISTANCE_LEVELS, metric) };
}

/** Ratio levels ascend; distance levels descend (the largest distance is the least severe). */
function toPlotLevels(levels: readonly (AlertLevel | DistanceLevel)[], metric: PlotMetric): PlotLevel[] {
  const out = levels.map((l) => ({ name: l.name, value: "ratio" in l ? l.ratio : l.distance }));
  return metric === "ratio" ? out.sort((a, b) => a.value - b.value) : out.sort((a, b) => b.value - a.value);
}

/**
 * The levels a deployed stack states for the account and metric: the account's own (its entry in
 * the AccountLevels output) else the stack's AlertLevels; for distances the DistanceLevels the
 * same way, else those the monitor derives from the ratio levels.
 */
export function stackLevels(outputs: StackOutputs, account: string, metric: PlotMetric): PlotLevel[] | undefined {
  const own = outputs.accountLevels?.[account];
  const ratio = own?.alertLevels ?? outputs.alertLevels;
  if (metric === "ratio") return ratio ? toPlotLevels(ratio, metric) : undefined;
  const distances =
    own?.distanceLevels ??
    (own?.alertLevels ? undefined : outputs.distanceLevels) ??
    (ratio ? defaultDistanceLevels(ratio) : undefined);
  return distances ? toPlotLevels(distances, metric) : undefined;
}

/**
 * The levels a ratio chart of a Portfolio Margin account draws: its pool's ratio is 1 / uniMMR
 * (lib/risk/portfolio.ts), so the uniMMR levels are drawn where they fall on that scale, named
 * with the uniMMR they stand for ("warning (uniMMR 150%)").
 */
export function portfolioPlotLevels(levels: readonly PortfolioLevel[] = DEFAULT_PORTFOLIO_LEVELS): PlotLevel[] {
  return portfolioAlertLevels(levels, 0).map((l) => {
    const uniMMR = levels.find((p) => p.name === l.name)?.uniMMR ?? 0;
    return { name: `${l.name} (uniMMR ${Math.round(uniMMR * 1000) / 10}%)`, value: l.ratio };
  });
}

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

/**
 * Alert levels of a margin pool, from its two measures: the margin ratio (requirement /
 * collateral; Binance liquidates at 100%) and the distance to liquidation (|mark - liq| / mark).
 * Levels are named once, in ratio order (`ALERT_LEVELS`); distance thresholds attach to those
 * names, so a pool has one level: the worse of the two. Pure functions over validated config.
 */
import type { AlertLevel, DistanceLevel } from "../config.js";

/** The level name for "below every alert level". */
export const OK_LEVEL = "ok";

/** The alert levels a pool is judged against: named in ratio order, with optional distance thresholds. */
export interface RiskLevels {
  /** Sorted by ratio, ascending: the last is the most severe. */
  readonly ratio: readonly AlertLevel[];
  /** Each names a ratio level; a tighter distance for a more severe level. May be empty. */
  readonly distance: readonly DistanceLevel[];
}

/** The highest level whose ratio `ratio` has reached (levels sorted ascending), or "ok". */
export function levelForRatio(ratio: number, levels: readonly AlertLevel[]): string {
  let level = OK_LEVEL;
  for (const l of levels) if (ratio >= l.ratio) level = l.name;
  return level;
}

/** 0 for "ok", 1 for the lowest level, and so on; -1 for a name no longer configured. */
export function levelRank(level: string, levels: readonly AlertLevel[]): number {
  if (level === OK_LEVEL) return 0;
  const i = levels.findIndex((l) => l.name === level);
  return i < 0 ? -1 : i + 1;
}

/** The distance threshold of the level at `rank` (1-based), if that level has one. */
export function distanceThreshold(rank: number, levels: RiskLevels): number | undefined {
  const name = levels.ratio[rank - 1]?.name;
  return levels.distance.find((d) => d.name === name)?.distance;
}

/** The most severe level whose distance threshold `distance` is within; "ok" without a liquidation price. */
export function levelForDistance(distance: number | null, levels: RiskLevels): string {
  if (distance === null) return OK_LEVEL;
  for (let rank = levels.ratio.length; rank >= 1; rank--) {
    const threshold = distanceThreshold(rank, levels);
    if (threshold !== undefined && distance <= threshold) return levels.ratio[rank - 1]?.name ?? OK_LEVEL;
  }
  return OK_LEVEL;
}

/** The more severe of two levels. */
export function worseLevel(a: string, b: string, levels: readonly AlertLevel[]): string {
  return levelRank(b, levels) > levelRank(a, levels) ? b : a;
}

/** What a pool's two measures say right now, with no hysteresis: each measure's level and the worse. */
export interface PoolLevels {
  readonly ratioLevel: string;
  readonly distanceLevel: string;
  readonly level: string;
}

export function poolLevels(ratio: number, distance: number | null, levels: RiskLevels): PoolLevels {
  const ratioLevel = levelForRatio(ratio, levels.ratio);
  const distanceLevel = levelForDistance(distance, levels);
  return { ratioLevel, distanceLevel, level: worseLevel(ratioLevel, distanceLevel, levels.ratio) };
}

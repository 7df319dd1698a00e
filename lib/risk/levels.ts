/**
 * Alert levels of a margin pool, from its two measures: the margin ratio (requirement /
 * collateral; Binance liquidates at 100%) and the distance to liquidation (|mark - liq| / mark).
 * Levels are named once, in ratio order (`ALERT_LEVELS`); distance thresholds attach to those
 * names, so a pool has one level: the worse of the two. Pure functions over validated config.
 */
import { ConfigError } from "../core/errors.js";
import { NAME, parseJson } from "../core/parse.js";

/** One alert level: the asset's margin ratio has reached `ratio` (0.5 = 50%). */
export interface AlertLevel {
  readonly name: string;
  readonly ratio: number;
  /**
   * A held level clears once the ratio falls below this; absent: `ratio` less the hysteresis.
   * Portfolio Margin sets it per level, from its hysteresis in uniMMR points (portfolio.ts).
   */
  readonly clearBelow?: number;
}

/**
 * A distance-to-liquidation threshold for a named alert level: a pool reaches the level when a
 * position's mark is within `distance` (0.03 = 3%) of its liquidation price.
 */
export interface DistanceLevel {
  readonly name: string;
  readonly distance: number;
}

export const DEFAULT_ALERT_LEVELS: readonly AlertLevel[] = [
  { name: "warning", ratio: 0.5 },
  { name: "critical", ratio: 0.8 },
];

/**
 * Warning within 10% of liquidation, critical within 3% (docs/architecture.md, "Distance to
 * liquidation", says why): a 10% move in BTC takes days most weeks, 3% can take an hour.
 */
export const DEFAULT_DISTANCE_LEVELS: readonly DistanceLevel[] = [
  { name: "warning", distance: 0.1 },
  { name: "critical", distance: 0.03 },
];

const RESERVED_LEVEL_NAMES = new Set(["ok"]);

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
  /** A Portfolio Margin account's `accountStatus`, as a level (portfolio-status.ts); absent elsewhere. */
  readonly statusLevel?: string;
  readonly level: string;
}

export function poolLevels(
  ratio: number,
  distance: number | null,
  levels: RiskLevels,
  statusLevel?: string,
): PoolLevels {
  const ratioLevel = levelForRatio(ratio, levels.ratio);
  const distanceLevel = levelForDistance(distance, levels);
  const level = worseLevel(ratioLevel, distanceLevel, levels.ratio);
  return statusLevel === undefined
    ? { ratioLevel, distanceLevel, level }
    : { ratioLevel, distanceLevel, statusLevel, level: worseLevel(level, statusLevel, levels.ratio) };
}

/** Parse and check ALERT_LEVELS: unique names, ratios in (0, 1], returned in ascending order. */
export function parseAlertLevels(text: string, variable = "ALERT_LEVELS"): AlertLevel[] {
  const raw = parseJson(variable, text);
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new ConfigError(variable, 'must be a non-empty JSON array of {"name": "...", "ratio": 0.5}');
  }
  const levels = raw.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) throw new ConfigError(variable, `entry ${i} is not an object`);
    const { name, ratio } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !NAME.test(name) || RESERVED_LEVEL_NAMES.has(name)) {
      throw new ConfigError(variable, `entry ${i}: "name" must be a simple word other than "ok"`);
    }
    if (typeof ratio !== "number" || !(ratio > 0 && ratio <= 1)) {
      throw new ConfigError(variable, `entry ${i} (${name}): "ratio" must be a number in (0, 1]`);
    }
    return { name, ratio };
  });
  levels.sort((a, b) => a.ratio - b.ratio);
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1];
    const cur = levels[i];
    if (prev && cur && (prev.ratio === cur.ratio || prev.name === cur.name)) {
      throw new ConfigError(variable, `levels "${prev.name}" and "${cur.name}" must have distinct names and ratios`);
    }
  }
  if (new Set(levels.map((l) => l.name)).size !== levels.length) {
    throw new ConfigError(variable, "level names must be unique");
  }
  return levels;
}

/**
 * Parse and check DISTANCE_LEVELS against the (already parsed) alert levels: each entry names a
 * configured level once, with a distance in (0, 1), tighter for each more severe level. `[]`
 * turns distance alerts off. Returned in ratio-level order.
 */
export function parseDistanceLevels(
  text: string,
  alertLevels: readonly AlertLevel[],
  variable = "DISTANCE_LEVELS",
): DistanceLevel[] {
  const raw = parseJson(variable, text);
  if (!Array.isArray(raw)) {
    throw new ConfigError(variable, 'must be a JSON array of {"name": "<alert level>", "distance": 0.03}');
  }
  const names = alertLevels.map((l) => l.name);
  const levels = raw.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) throw new ConfigError(variable, `entry ${i} is not an object`);
    const { name, distance } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !names.includes(name)) {
      throw new ConfigError(variable, `entry ${i}: "name" must be one of the alert levels (${names.join(", ")})`);
    }
    if (typeof distance !== "number" || !(distance > 0 && distance < 1)) {
      throw new ConfigError(variable, `entry ${i} (${name}): "distance" must be a number in (0, 1)`);
    }
    return { name, distance };
  });
  levels.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1];
    const cur = levels[i];
    if (prev && cur && prev.name === cur.name) throw new ConfigError(variable, `level "${cur.name}" appears twice`);
    if (prev && cur && !(cur.distance < prev.distance)) {
      throw new ConfigError(
        variable,
        `"${cur.name}" is more severe than "${prev.name}", so its distance must be smaller`,
      );
    }
  }
  return levels;
}

/**
 * Distance levels when DISTANCE_LEVELS is not set: the defaults for levels named "warning" and
 * "critical"; for other names, 10% for the least severe level and 3% for the most severe.
 */
export function defaultDistanceLevels(alertLevels: readonly AlertLevel[]): DistanceLevel[] {
  const byName = DEFAULT_DISTANCE_LEVELS.filter((d) => alertLevels.some((l) => l.name === d.name));
  if (byName.length > 0) return byName;
  const first = alertLevels[0];
  const last = alertLevels[alertLevels.length - 1];
  if (!first || !last) return [];
  return first === last
    ? [{ name: last.name, distance: 0.03 }]
    : [
        { name: first.name, distance: 0.1 },
        { name: last.name, distance: 0.03 },
      ];
}

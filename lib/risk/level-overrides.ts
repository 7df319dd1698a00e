/**
 * Per-account and per-asset alert levels. An account may set its own ratio levels
 * (`alertLevels`) and distance levels (`distanceLevels`), for itself and, under `assets`, for a
 * margin asset ("BTC": its cross pool and isolated positions margined in BTC) or a symbol
 * ("BTCUSD_PERP": its isolated positions). A pool takes the most specific set: symbol, asset,
 * account, then the global levels. Overrides move thresholds; they use the global level names (a
 * subset, in the same order), so alert state, severities (lib/alerts/attributes.ts) and charts
 * keep one vocabulary. Parsed once at the boundary by the core (ACCOUNTS) and by synth.
 */

import { ConfigError } from "../core/errors.js";
import type { RiskLevels } from "./levels.js";
import { type AlertLevel, type DistanceLevel, parseAlertLevels, parseDistanceLevels } from "./levels.js";
import { splitPoolId } from "./product.js";

export interface LevelSet {
  readonly alertLevels?: readonly AlertLevel[];
  /** Raw until checked against the ratio levels they attach to (see checkLevelOverrides). */
  readonly distanceLevels?: readonly DistanceLevel[];
}

export interface LevelOverrides extends LevelSet {
  /** By margin asset ("BTC") or symbol ("BTCUSD_PERP"). */
  readonly assets?: Readonly<Record<string, LevelSet>>;
}

export const LEVEL_OVERRIDE_KEYS = ["alertLevels", "distanceLevels", "assets"] as const;
const SET_KEYS = ["alertLevels", "distanceLevels"] as const;
// Margin assets (BTC, 1000SHIB) and COIN-M symbols (BTCUSD_PERP, ETHUSD_250627).
const ASSET_OR_SYMBOL = /^[A-Z0-9]{1,20}(USD_[A-Z0-9]{1,16})?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseSet(raw: Record<string, unknown>, at: string, allowed: readonly string[]): LevelSet {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new ConfigError(`${at}.${key}`, `unknown setting (known: ${allowed.join(", ")})`);
  }
  const out: { alertLevels?: AlertLevel[]; distanceLevels?: DistanceLevel[] } = {};
  if (raw.alertLevels !== undefined)
    out.alertLevels = parseAlertLevels(JSON.stringify(raw.alertLevels), `${at}.alertLevels`);
  if (raw.distanceLevels !== undefined) {
    if (!Array.isArray(raw.distanceLevels)) {
      throw new ConfigError(
        `${at}.distanceLevels`,
        'must be a JSON array of {"name": "<alert level>", "distance": 0.03}',
      );
    }
    out.distanceLevels = raw.distanceLevels as DistanceLevel[];
  }
  return out;
}

/** The shape of an account's overrides (the levels' names are checked by checkLevelOverrides). */
export function parseLevelOverrides(raw: Record<string, unknown>, at: string): LevelOverrides | undefined {
  const picked = Object.fromEntries(LEVEL_OVERRIDE_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
  if (Object.keys(picked).length === 0) return undefined;
  const { assets, ...own } = picked;
  const out: {
    alertLevels?: readonly AlertLevel[];
    distanceLevels?: readonly DistanceLevel[];
    assets?: Record<string, LevelSet>;
  } = {
    ...parseSet(own, at, SET_KEYS),
  };
  if (assets !== undefined) {
    if (!isObject(assets))
      throw new ConfigError(`${at}.assets`, 'must be an object such as {"BTC": {"alertLevels": [...]}}');
    out.assets = {};
    for (const [name, set] of Object.entries(assets)) {
      if (!ASSET_OR_SYMBOL.test(name)) {
        throw new ConfigError(
          `${at}.assets`,
          `"${name}" is not a margin asset ("BTC") or COIN-M symbol ("BTCUSD_PERP")`,
        );
      }
      if (!isObject(set))
        throw new ConfigError(`${at}.assets.${name}`, "must be an object with alertLevels and/or distanceLevels");
      out.assets[name] = parseSet(set, `${at}.assets.${name}`, SET_KEYS);
    }
  }
  return out;
}

/**
 * The levels a set resolves to over its parent: its own ratio levels or the parent's, and its
 * own distance levels, else the parent's for the names it keeps. Throws on names outside the
 * global vocabulary, an order that differs from it, or a ratio the hysteresis cannot clear.
 */
function resolveSet(
  set: LevelSet | undefined,
  parent: RiskLevels,
  global: readonly AlertLevel[],
  hysteresis: number,
  at: string,
): RiskLevels {
  if (!set) return parent;
  const ratio = set.alertLevels ?? parent.ratio;
  if (set.alertLevels) {
    const order = global.map((l) => l.name);
    const names = set.alertLevels.map((l) => l.name);
    for (const name of names) {
      if (!order.includes(name)) {
        throw new ConfigError(`${at}.alertLevels`, `"${name}" is not one of the alert levels (${order.join(", ")})`);
      }
    }
    const ranks = names.map((n) => order.indexOf(n));
    if (ranks.some((r, i) => i > 0 && r < (ranks[i - 1] ?? 0))) {
      throw new ConfigError(`${at}.alertLevels`, `ratios must rise in the alert levels' order (${order.join(", ")})`);
    }
    const lowest = set.alertLevels[0];
    if (lowest && hysteresis >= lowest.ratio) {
      throw new ConfigError(`${at}.alertLevels`, `the lowest ratio must be above hysteresis (${hysteresis})`);
    }
  }
  const distance = set.distanceLevels
    ? parseDistanceLevels(JSON.stringify(set.distanceLevels), ratio, `${at}.distanceLevels`)
    : set.alertLevels
      ? parent.distance.filter((d) => ratio.some((l) => l.name === d.name))
      : parent.distance;
  return { ratio, distance };
}

/** Check every set of an account's overrides against the global levels; returns them as given. */
export function checkLevelOverrides(
  overrides: LevelOverrides | undefined,
  global: RiskLevels,
  hysteresis: number,
  at: string,
): void {
  if (!overrides) return;
  const own = resolveSet(overrides, global, global.ratio, hysteresis, at);
  for (const [name, set] of Object.entries(overrides.assets ?? {})) {
    resolveSet(set, own, global.ratio, hysteresis, `${at}.assets.${name}`);
  }
}

/**
 * The levels for a pool: its symbol's set (isolated pools, id "SYMBOL#SIDE"), else its margin
 * asset's, else the account's, else the global levels. Assumes checkLevelOverrides passed.
 */
export function levelsForPool(
  global: RiskLevels,
  overrides: LevelOverrides | undefined,
  poolId: string,
  asset: string | undefined,
  hysteresis: number,
): RiskLevels {
  if (!overrides) return global;
  const own = resolveSet(overrides, global, global.ratio, hysteresis, "levels");
  // A USD-M pool ("usdm:BTCUSDT#BOTH") takes its symbol's or asset's set like a COIN-M one.
  const { local } = splitPoolId(poolId);
  const symbol = local.includes("#") ? local.split("#")[0] : undefined;
  const set =
    (symbol !== undefined ? overrides.assets?.[symbol] : undefined) ??
    (asset !== undefined ? overrides.assets?.[asset] : undefined) ??
    overrides.assets?.[local];
  return resolveSet(set, own, global.ratio, hysteresis, "levels");
}

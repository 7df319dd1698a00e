/**
 * Alert and distance levels, global and per account, read with the core's own parsers
 * (lib/risk/levels.ts, lib/risk/level-overrides.ts): levels synth accepts are levels the Lambda accepts.
 */
import { checkLevelOverrides } from "../../lib/risk/level-overrides.js";
import {
  type AlertLevel,
  DEFAULT_ALERT_LEVELS,
  type DistanceLevel,
  defaultDistanceLevels,
  parseAlertLevels,
  parseDistanceLevels,
} from "../../lib/risk/levels.js";
import { type PortfolioLevel, parsePortfolioLevels } from "../../lib/risk/portfolio.js";
import type { MonitorSettings } from "../environment.js";
import { isObject, type Reader } from "./reader.js";
import type { DeployAccount } from "./types.js";

export function readAlertLevels(r: Reader, raw: unknown): AlertLevel[] {
  if (raw === undefined) return [...DEFAULT_ALERT_LEVELS];
  return r.core(() => parseAlertLevels(JSON.stringify(raw), "alertLevels"), [...DEFAULT_ALERT_LEVELS]);
}

export function readDistanceLevels(r: Reader, raw: unknown, alertLevels: readonly AlertLevel[]): DistanceLevel[] {
  if (raw === undefined) return defaultDistanceLevels(alertLevels);
  return r.core(
    () => parseDistanceLevels(JSON.stringify(raw), alertLevels, "distanceLevels"),
    defaultDistanceLevels(alertLevels),
  );
}

/** Portfolio Margin levels by uniMMR, named like the alert levels; absent: the core's defaults for them. */
export function readPortfolioLevels(
  r: Reader,
  raw: unknown,
  alertLevels: readonly AlertLevel[],
): PortfolioLevel[] | undefined {
  if (raw === undefined) return undefined;
  return r.core(() => parsePortfolioLevels(JSON.stringify(raw), alertLevels, "portfolioLevels"), undefined);
}

/** Each account's own levels against the global ones, with the core's checks. */
export function checkAccountLevels(
  r: Reader,
  accounts: readonly DeployAccount[],
  rawAccounts: unknown,
  settings: MonitorSettings,
): void {
  for (const a of accounts) {
    const i = Array.isArray(rawAccounts) ? rawAccounts.findIndex((e: unknown) => isObject(e) && e.name === a.name) : -1;
    r.core(
      () =>
        checkLevelOverrides(
          a.levels,
          { ratio: settings.alertLevels, distance: settings.distanceLevels },
          settings.hysteresis,
          `accounts[${i}]`,
        ),
      undefined,
    );
  }
}

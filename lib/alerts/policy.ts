/**
 * The alert policy as pure functions: given what was known and what was just observed, what is
 * the new state and which notice (if any) goes out. Everything stateful lives in the caller.
 *
 * Margin levels: rising to a higher level alerts at once; falling needs the ratio to drop below
 * the held level's threshold minus the hysteresis, then sends one recovery notice; while a level
 * at warning or above holds, a reminder goes out every `renotifyMs` (0 disables reminders).
 *
 * Health: a failed read counts; after `failuresBeforeAlert` consecutive failures (or at once when
 * a human must act, e.g. a revoked key) one "cannot read account" alert; one "restored" notice on
 * the next success.
 */
import type { AlertLevel, DistanceLevel } from "../risk/levels.js";
import { distanceThreshold, levelForDistance, levelForRatio, levelRank, OK_LEVEL, worseLevel } from "../risk/levels.js";

export interface PolicySettings {
  /** Named in ratio order: the pool's levels. */
  readonly levels: readonly AlertLevel[];
  readonly hysteresis: number;
  /** Distance-to-liquidation thresholds of some of those levels. @default [] (ratio only) */
  readonly distanceLevels?: readonly DistanceLevel[];
  /** @default 0 */
  readonly distanceHysteresis?: number;
  readonly renotifyMs: number;
}

/** What one read says about a pool. */
export interface PoolObservation {
  readonly ratio: number;
  /** null: no position of the pool has a liquidation price. */
  readonly distance: number | null;
  /**
   * A level the pool holds whatever its measures say, with no hysteresis (a Portfolio Margin
   * account's `accountStatus`, lib/risk/portfolio-status.ts). @default "ok"
   */
  readonly atLeast?: string;
}

/** The alert state of one margin pool (for a cross pool, keyed by its asset as before pools existed). */
export interface PoolAlertState {
  readonly level: string;
  /** When the last notice for this pool went out (ms since epoch); 0 if never. */
  readonly lastNotifiedAt: number;
  /** The pool's label when last seen, so a notice about a closed position can still name it. */
  readonly label?: string;
}

export type MarginNotice = "escalated" | "recovered" | "reminder";

export interface LevelDecision {
  readonly next: PoolAlertState;
  readonly notice?: MarginNotice;
  readonly previousLevel: string;
}

/** The level held after observing `ratio`, given the level held before (hysteresis on the way down). */
export function nextLevel(current: string, ratio: number, settings: PolicySettings): string {
  const { levels, hysteresis } = settings;
  const raw = levelForRatio(ratio, levels);
  const currentRank = levelRank(current, levels);
  // A level removed from config since the state was written: start again from the raw level.
  if (currentRank < 0) return raw;
  const rawRank = levelRank(raw, levels);
  if (rawRank >= currentRank) return raw;
  // Falling: keep the highest level at or below the current one that the ratio still holds
  // within the hysteresis band.
  for (let rank = currentRank; rank >= 1; rank--) {
    const level = levels[rank - 1];
    if (level && ratio >= (level.clearBelow ?? level.ratio - hysteresis)) return level.name;
  }
  return OK_LEVEL;
}

/**
 * The level held after observing `distance`, given the level held before: a level is reached
 * within its threshold and clears only beyond its threshold plus the distance hysteresis.
 */
export function nextDistanceLevel(current: string, distance: number | null, settings: PolicySettings): string {
  const levels = { ratio: settings.levels, distance: settings.distanceLevels ?? [] };
  const raw = levelForDistance(distance, levels);
  const currentRank = levelRank(current, settings.levels);
  if (currentRank < 0 || distance === null) return raw;
  if (levelRank(raw, settings.levels) >= currentRank) return raw;
  const band = settings.distanceHysteresis ?? 0;
  for (let rank = currentRank; rank >= 1; rank--) {
    const threshold = distanceThreshold(rank, levels);
    if (threshold !== undefined && distance <= threshold + band) return settings.levels[rank - 1]?.name ?? OK_LEVEL;
  }
  return OK_LEVEL;
}

/** The pool's level after an observation: the worse of what its ratio and its distance hold. */
export function nextPoolLevel(current: string, observation: PoolObservation, settings: PolicySettings): string {
  const measured = worseLevel(
    nextLevel(current, observation.ratio, settings),
    nextDistanceLevel(current, observation.distance, settings),
    settings.levels,
  );
  return worseLevel(measured, observation.atLeast ?? OK_LEVEL, settings.levels);
}

/** Decide the pool's new state and notice for one observation at `nowMs`. */
export function decidePool(
  previous: PoolAlertState | undefined,
  observation: PoolObservation,
  nowMs: number,
  settings: PolicySettings,
): LevelDecision {
  const prev = previous ?? { level: OK_LEVEL, lastNotifiedAt: 0 };
  const level = nextPoolLevel(prev.level, observation, settings);
  const before = levelRank(prev.level, settings.levels);
  const after = levelRank(level, settings.levels);
  let notice: MarginNotice | undefined;
  if (level !== prev.level) notice = before >= 0 && after < before ? "recovered" : after > 0 ? "escalated" : undefined;
  else if (level !== OK_LEVEL && settings.renotifyMs > 0 && nowMs - prev.lastNotifiedAt >= settings.renotifyMs) {
    notice = "reminder";
  }
  return {
    next: { level, lastNotifiedAt: notice ? nowMs : prev.lastNotifiedAt },
    previousLevel: prev.level,
    ...(notice ? { notice } : {}),
  };
}

export interface HealthState {
  readonly consecutiveFailures: number;
  /** True once the "cannot read account" alert has gone out for the current outage. */
  readonly alerted: boolean;
  readonly lastErrorKind?: string;
}

export const HEALTHY: HealthState = { consecutiveFailures: 0, alerted: false };

export type ReadOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: string; readonly needsHuman: boolean };

export type HealthNotice = "unreachable" | "restored";

export function decideHealth(
  previous: HealthState,
  outcome: ReadOutcome,
  failuresBeforeAlert: number,
): { next: HealthState; notice?: HealthNotice } {
  if (outcome.ok) {
    return previous.alerted ? { next: HEALTHY, notice: "restored" } : { next: HEALTHY };
  }
  const failures = previous.consecutiveFailures + 1;
  const due = !previous.alerted && (outcome.needsHuman || failures >= failuresBeforeAlert);
  const next: HealthState = {
    consecutiveFailures: failures,
    alerted: previous.alerted || due,
    lastErrorKind: outcome.kind,
  };
  return due ? { next, notice: "unreachable" } : { next };
}

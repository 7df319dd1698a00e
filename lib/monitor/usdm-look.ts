/**
 * When the cycle reads an account's USD-M book, as pure functions over the state kept with the
 * account (like the key check: one JSON attribute of the alert state item).
 *
 * - A book that held anything at its last read is read every cycle, like COIN-M.
 * - A book that held nothing is looked at once a day (`USDM_LOOK_INTERVAL_MS` after the last
 *   successful look, on the scheduled cycle time): one `/fapi/v3/account` call (weight 5) a day
 *   for a COIN-M-only trader. A new account's first cycle looks at once.
 * - A failed read is due again the next cycle, so the USD-M part follows the cannot-read policy
 *   on its own health record, as COIN-M does, without waiting a day to count a failure.
 * - The margin mode (`/fapi/v1/multiAssetsMargin`, weight 30) is asked with the daily look of a
 *   book that holds something, and whenever it was never seen.
 */
import { HEALTHY, type HealthState } from "../alerts/policy.js";

export const USDM_LOOK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface UsdmLookState {
  /** Scheduled time (ms) of the last successful read. */
  readonly lastReadAt?: number;
  /** The last successful read found a balance or a position. */
  readonly holds: boolean;
  /** Multi-Assets mode at the last check; absent: never checked. */
  readonly multiAssets?: boolean;
  /** Scheduled time (ms) of the last mode check. */
  readonly modeCheckedAt?: number;
  /** The USD-M read's own cannot-read record (lib/alerts/policy.ts decideHealth). */
  readonly health: HealthState;
}

export const NEVER_LOOKED: UsdmLookState = { holds: false, health: HEALTHY };

/** Whether this cycle reads the book: it holds something, the last read failed, or a day has passed. */
export function usdmReadDue(state: UsdmLookState | undefined, nowMs: number): boolean {
  if (!state || state.lastReadAt === undefined) return true;
  if (state.holds || state.health.consecutiveFailures > 0) return true;
  return nowMs - state.lastReadAt >= USDM_LOOK_INTERVAL_MS;
}

/** Whether this read asks the margin mode: never asked, or a day since it was. */
export function usdmModeCheckDue(state: UsdmLookState | undefined, nowMs: number): boolean {
  return state?.multiAssets === undefined || state.modeCheckedAt === undefined
    ? true
    : nowMs - state.modeCheckedAt >= USDM_LOOK_INTERVAL_MS;
}

/** What a successful read leaves in the state (health is the caller's, by decideHealth). */
export function afterUsdmRead(
  state: UsdmLookState | undefined,
  read: { readonly empty: boolean; readonly multiAssets: boolean | undefined; readonly modeChecked: boolean },
  nowMs: number,
  health: HealthState,
): UsdmLookState {
  const multiAssets = read.multiAssets ?? state?.multiAssets;
  const modeCheckedAt = read.modeChecked ? nowMs : state?.modeCheckedAt;
  return {
    lastReadAt: nowMs,
    holds: !read.empty,
    ...(multiAssets !== undefined ? { multiAssets } : {}),
    ...(modeCheckedAt !== undefined ? { modeCheckedAt } : {}),
    health,
  };
}

/** The stored state read back, field by field; anything malformed reads as never looked (a look is harmless). */
export function parseUsdmLookState(value: unknown): UsdmLookState | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const time = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);
  const h = v.health as Record<string, unknown> | undefined;
  const health: HealthState =
    typeof h === "object" && h !== null && typeof h.consecutiveFailures === "number" && typeof h.alerted === "boolean"
      ? {
          consecutiveFailures: h.consecutiveFailures,
          alerted: h.alerted,
          ...(typeof h.lastErrorKind === "string" ? { lastErrorKind: h.lastErrorKind } : {}),
        }
      : HEALTHY;
  const lastReadAt = time(v.lastReadAt);
  const modeCheckedAt = time(v.modeCheckedAt);
  return {
    ...(lastReadAt !== undefined ? { lastReadAt } : {}),
    holds: v.holds === true,
    ...(typeof v.multiAssets === "boolean" ? { multiAssets: v.multiAssets } : {}),
    ...(modeCheckedAt !== undefined ? { modeCheckedAt } : {}),
    health,
  };
}

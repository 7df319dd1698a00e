/**
 * The daily key permission check as pure functions: when the next check is due, and which notice
 * (if any) an observation gives. Everything stateful lives in the caller (the alert state item).
 *
 * - Due once a day: `KEY_CHECK_INTERVAL_MS` after the last attempt, successful or not, measured on
 *   the scheduled cycle time like every other alert decision. A failed check (endpoint down,
 *   451, timeout) changes nothing the user sees and is tried again the next day, as for a
 *   success: a flaky or blocked spot API then costs one call a day, not one a minute.
 * - "unsafe": the key has a permission beyond reading that no earlier "unsafe" alert named (a new
 *   key's first check counts). One alert per gain, not one a day.
 * - "fixed": every such permission is gone after an "unsafe" alert. One notice.
 */
import { type DangerousFlag, type KeyPermissions, knownFlags } from "../binance/spot/key-permissions.js";

export const KEY_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface KeyCheckState {
  /** Scheduled time (ms) of the last attempt, successful or not. */
  readonly lastAttemptAt: number;
  /** Scheduled time (ms) of the last successful check. */
  readonly lastCheckedAt?: number;
  /** Error kind of the last attempt, when it failed. */
  readonly lastErrorKind?: string;
  /** What the last successful check saw. */
  readonly permissions?: KeyPermissions;
  /** The permissions beyond reading that an "unsafe key" alert has named and that the key still has. */
  readonly alerted: readonly DangerousFlag[];
}

export type KeyObservation =
  | { readonly ok: true; readonly permissions: KeyPermissions }
  | { readonly ok: false; readonly kind: string };

export type KeyNotice = "unsafe" | "fixed";

export interface KeyDecision {
  readonly next: KeyCheckState;
  readonly notice?: KeyNotice;
  /** For "unsafe": the permissions not alerted before. */
  readonly gained?: readonly DangerousFlag[];
}

export function keyCheckDue(previous: KeyCheckState | undefined, nowMs: number): boolean {
  return previous === undefined || nowMs - previous.lastAttemptAt >= KEY_CHECK_INTERVAL_MS;
}

export function decideKeyCheck(
  previous: KeyCheckState | undefined,
  observation: KeyObservation,
  nowMs: number,
): KeyDecision {
  const alerted = knownFlags(previous?.alerted ?? []);
  if (!observation.ok) {
    return {
      next: {
        ...(previous ?? {}),
        alerted,
        lastAttemptAt: nowMs,
        lastErrorKind: observation.kind,
      },
    };
  }
  const { permissions } = observation;
  const base: KeyCheckState = { lastAttemptAt: nowMs, lastCheckedAt: nowMs, permissions, alerted: [] };
  const gained = permissions.dangerous.filter((f) => !alerted.includes(f));
  if (gained.length > 0) {
    return { next: { ...base, alerted: permissions.dangerous }, notice: "unsafe", gained };
  }
  if (permissions.dangerous.length === 0 && alerted.length > 0) return { next: base, notice: "fixed" };
  // Still unsafe with nothing new, or safe as before: remember only what the key still has, so a
  // permission removed and later granted again alerts again.
  return { next: { ...base, alerted: alerted.filter((f) => permissions.dangerous.includes(f)) } };
}

/**
 * The stored state read back (JSON from the state item), checked field by field. Anything
 * malformed reads as "never checked": the check then runs again, which is harmless.
 */
export function parseKeyCheckState(value: unknown): KeyCheckState | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const time = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);
  const lastAttemptAt = time(v.lastAttemptAt);
  if (lastAttemptAt === undefined || !Array.isArray(v.alerted)) return undefined;
  const lastCheckedAt = time(v.lastCheckedAt);
  const p = v.permissions as Record<string, unknown> | undefined;
  const permissions: KeyPermissions | undefined =
    typeof p === "object" && p !== null && typeof p.ipRestricted === "boolean" && Array.isArray(p.dangerous)
      ? {
          ipRestricted: p.ipRestricted,
          reading: p.reading !== false,
          dangerous: knownFlags(p.dangerous),
          ...(time(p.createdAt) !== undefined ? { createdAt: time(p.createdAt) as number } : {}),
        }
      : undefined;
  return {
    lastAttemptAt,
    ...(lastCheckedAt !== undefined ? { lastCheckedAt } : {}),
    ...(typeof v.lastErrorKind === "string" ? { lastErrorKind: v.lastErrorKind } : {}),
    ...(permissions ? { permissions } : {}),
    alerted: knownFlags(v.alerted),
  };
}

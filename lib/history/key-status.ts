/**
 * `status`'s view of each account's API key, from the daily check recorded in the alert state:
 * what the key may do, whether it is IP-restricted, how old it is, and when it was last checked.
 */
import {
  type DangerousFlag,
  dangerVerbs,
  describePermissions,
  permissionLabels,
  plausibleCreateTime,
} from "../binance/spot/key-permissions.js";
import type { KeyCheckState } from "../keys/policy.js";
import { formatAge } from "./range.js";

export interface KeyStatus {
  /** "read-only", "unsafe" (can withdraw, transfer or trade), or "unchecked" (no successful check yet). */
  readonly verdict: "read-only" | "unsafe" | "unchecked";
  readonly ipRestricted?: boolean;
  /** Permissions beyond reading (the response's field names). */
  readonly dangerous?: readonly DangerousFlag[];
  readonly createdAt?: string;
  /** How old the key is. */
  readonly keyAgeMs?: number;
  readonly checkedAt?: string;
  /** Set when the latest attempt failed (tried again a day later). */
  readonly lastErrorKind?: string;
}

/** An ISO time, or undefined for a value no Date can hold. */
function isoTime(ms: number | undefined): string | undefined {
  return ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}

export function keyStatusOf(check: KeyCheckState | undefined, now: Date): KeyStatus {
  const p = check?.permissions;
  if (!check || !p) {
    return { verdict: "unchecked", ...(check?.lastErrorKind ? { lastErrorKind: check.lastErrorKind } : {}) };
  }
  const failedSince = check.lastCheckedAt === undefined || check.lastAttemptAt > check.lastCheckedAt;
  // Stored by older versions without a bound: a time no Date can hold is shown as unknown, not thrown.
  const createdAt = plausibleCreateTime(p.createdAt);
  const checkedAt = isoTime(check.lastCheckedAt);
  return {
    verdict: p.dangerous.length === 0 ? "read-only" : "unsafe",
    ipRestricted: p.ipRestricted,
    dangerous: p.dangerous,
    ...(createdAt !== undefined
      ? { createdAt: new Date(createdAt).toISOString(), keyAgeMs: Math.max(0, now.getTime() - createdAt) }
      : {}),
    ...(checkedAt !== undefined ? { checkedAt } : {}),
    ...(failedSince && check.lastErrorKind ? { lastErrorKind: check.lastErrorKind } : {}),
  };
}

function keyText(k: KeyStatus, now: Date): string {
  const failed = k.lastErrorKind ? `; last check failed (${k.lastErrorKind}), tried again daily` : "";
  if (k.verdict === "unchecked") return `not checked yet (the monitor checks each key once a day)${failed}`;
  const what =
    k.verdict === "unsafe"
      ? `UNSAFE: can ${dangerVerbs(k.dangerous ?? [])} (${permissionLabels(k.dangerous ?? [])}); ${k.ipRestricted ? "IP-restricted" : "no IP restriction"}`
      : describePermissions({ ipRestricted: k.ipRestricted ?? false, reading: true, dangerous: [] });
  const age = k.createdAt ? `; created ${k.createdAt.slice(0, 10)} (${formatAge(k.keyAgeMs ?? 0)} ago)` : "";
  const checked = k.checkedAt ? `; checked ${formatAge(now.getTime() - Date.parse(k.checkedAt))} ago` : "";
  return `${what}${age}${checked}${failed}`;
}

/** The "API keys" section of the status table. */
export function formatKeyLines(
  accounts: readonly { readonly account: string; readonly key?: KeyStatus | undefined }[],
  now: Date,
): string[] {
  const withKey = accounts.filter((a) => a.key);
  if (withKey.length === 0) return [];
  const w = Math.max(...withKey.map((a) => a.account.length));
  return ["API keys:", ...withKey.map((a) => `  ${a.account.padEnd(w)}  ${keyText(a.key as KeyStatus, now)}`), ""];
}

/**
 * What a Binance API key may do, from `GET /sapi/v1/account/apiRestrictions` (spot API, signed,
 * IP weight 1). The monitor only reads; every other permission turns a leaked key into lost
 * funds, so each one is listed here with the exact box to untick in Binance's API Management.
 * The response is parsed once, here, into a typed value; nothing else looks at the raw JSON.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";

export const API_RESTRICTIONS_PATH = "/sapi/v1/account/apiRestrictions";
/** Documented IP weight of GET /sapi/v1/account/apiRestrictions. */
export const API_RESTRICTIONS_WEIGHT = 1;

export type PermissionKind = "withdraw" | "transfer" | "trading";

export interface DangerousPermission {
  /** The response field. */
  readonly flag: string;
  readonly kind: PermissionKind;
  /** The checkbox as Binance's API Management page labels it. */
  readonly box: string;
  /** Short words for alerts and tables. */
  readonly label: string;
  /**
   * Older keys and older API versions leave some newer fields out; a missing optional field
   * means the key cannot have that permission. The core fields must be there.
   */
  readonly optional: boolean;
}

/** Every permission beyond reading, in the order Binance's edit page shows them (roughly). */
export const DANGEROUS_PERMISSIONS = [
  { flag: "enableWithdrawals", kind: "withdraw", box: "Enable Withdrawals", label: "withdrawals", optional: false },
  {
    flag: "enableInternalTransfer",
    kind: "transfer",
    box: "Enable Internal Transfer",
    label: "internal transfer",
    optional: false,
  },
  {
    flag: "permitsUniversalTransfer",
    kind: "transfer",
    box: "Permits Universal Transfer",
    label: "universal transfer",
    optional: false,
  },
  {
    flag: "enableSpotAndMarginTrading",
    kind: "trading",
    box: "Enable Spot & Margin Trading",
    label: "spot & margin trading",
    optional: false,
  },
  {
    flag: "enableMargin",
    kind: "trading",
    box: "Enable Margin Loan, Repay & Transfer",
    label: "margin loan/repay/transfer",
    optional: false,
  },
  { flag: "enableFutures", kind: "trading", box: "Enable Futures", label: "futures trading", optional: false },
  {
    flag: "enableVanillaOptions",
    kind: "trading",
    box: "Enable European Options",
    label: "options trading",
    optional: false,
  },
  {
    flag: "enablePortfolioMarginTrading",
    kind: "trading",
    box: "Enable Portfolio Margin Trading",
    label: "portfolio margin trading",
    optional: true,
  },
  {
    flag: "enableFixApiTrade",
    kind: "trading",
    box: "Enable FIX API Trading",
    label: "FIX API trading",
    optional: true,
  },
] as const satisfies readonly DangerousPermission[];

export type DangerousFlag = (typeof DANGEROUS_PERMISSIONS)[number]["flag"];

export const DANGEROUS_FLAGS: readonly DangerousFlag[] = DANGEROUS_PERMISSIONS.map((p) => p.flag);

export interface KeyPermissions {
  /** The key only works from the IP addresses whitelisted on Binance. */
  readonly ipRestricted: boolean;
  /** "Enable Reading": without it the key cannot read the account at all. */
  readonly reading: boolean;
  /** Permissions beyond reading that the key has, in DANGEROUS_PERMISSIONS order. */
  readonly dangerous: readonly DangerousFlag[];
  /** When the key was created (ms since epoch), if Binance said. */
  readonly createdAt?: number;
}

function permission(flag: DangerousFlag): (typeof DANGEROUS_PERMISSIONS)[number] {
  const found = DANGEROUS_PERMISSIONS.find((p) => p.flag === flag);
  if (!found) throw new Error(`unknown permission ${flag}`);
  return found;
}

/** Parse the response body. Throws BinanceResponseFormatError naming the first bad field. */
export function parseKeyPermissions(body: string): KeyPermissions {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new BinanceResponseFormatError("Binance key permission response is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new BinanceResponseFormatError("Binance key permission response is not a JSON object");
  }
  const fields = raw as Record<string, unknown>;
  const flag = (name: string, optional: boolean): boolean => {
    const value = fields[name];
    if (value === undefined && optional) return false;
    if (typeof value !== "boolean") {
      throw new BinanceResponseFormatError(`Binance key permission response has no boolean "${name}"`);
    }
    return value;
  };
  const ipRestricted = flag("ipRestrict", false);
  const reading = flag("enableReading", false);
  const dangerous = DANGEROUS_PERMISSIONS.filter((p) => flag(p.flag, p.optional)).map((p) => p.flag);
  const createTime = fields.createTime;
  if (createTime !== undefined && (typeof createTime !== "number" || !Number.isFinite(createTime))) {
    throw new BinanceResponseFormatError('Binance key permission response has a non-numeric "createTime"');
  }
  const createdAt = plausibleCreateTime(createTime);
  return { ipRestricted, reading, dangerous, ...(createdAt !== undefined ? { createdAt } : {}) };
}

/** Binance opened in July 2017: no key is older. */
const EARLIEST_KEY_MS = Date.UTC(2017, 6, 1);
/** Far enough ahead for any clock; a createTime past it is no time at all. */
const LATEST_KEY_MS = Date.UTC(2100, 0, 1);

/**
 * A key's creation time when it can be one (ms between July 2017 and 2100), else undefined. The
 * permissions are what matter; an unbelievable age is dropped rather than failing the check, and
 * no Date is ever built from it (1e16 is past the last valid Date: `status` failed for every
 * account, issue 17).
 */
export function plausibleCreateTime(ms: unknown): number | undefined {
  return typeof ms === "number" && ms >= EARLIEST_KEY_MS && ms <= LATEST_KEY_MS ? ms : undefined;
}

export type KeyVerdict = "read-only" | "dangerous";

export function verdictOf(permissions: Pick<KeyPermissions, "dangerous">): KeyVerdict {
  return permissions.dangerous.length === 0 ? "read-only" : "dangerous";
}

/** The kinds of danger, for a short summary: "withdraw, transfer, trading". */
export function dangerKinds(flags: readonly DangerousFlag[]): PermissionKind[] {
  const kinds = new Set(flags.map((f) => permission(f).kind));
  return (["withdraw", "transfer", "trading"] as const).filter((k) => kinds.has(k));
}

const VERBS: Record<PermissionKind, string> = { withdraw: "withdraw", transfer: "transfer", trading: "trade" };

/** What the flags let a thief do, as words: "withdraw, transfer and trade". */
export function dangerVerbs(flags: readonly DangerousFlag[]): string {
  const verbs = dangerKinds(flags).map((k) => VERBS[k]);
  return verbs.length <= 1 ? (verbs[0] ?? "") : `${verbs.slice(0, -1).join(", ")} and ${verbs.at(-1)}`;
}

/** The boxes to untick, quoted and comma-separated: `"Enable Withdrawals", "Enable Futures"`. */
export function boxesToUntick(flags: readonly DangerousFlag[]): string {
  return flags.map((f) => `"${permission(f).box}"`).join(", ");
}

/** Short words for the permissions: "withdrawals, futures trading". */
export function permissionLabels(flags: readonly DangerousFlag[]): string {
  return flags.map((f) => permission(f).label).join(", ");
}

/** Known flags only, in canonical order: for values read back from storage. */
export function knownFlags(values: readonly unknown[]): DangerousFlag[] {
  return DANGEROUS_FLAGS.filter((f) => values.includes(f));
}

/** One line describing the key, for `status` and put-secret. */
export function describePermissions(permissions: KeyPermissions): string {
  const what =
    permissions.dangerous.length === 0
      ? permissions.reading
        ? "read-only"
        : 'no permissions at all ("Enable Reading" is off)'
      : `can do more than read: ${permissionLabels(permissions.dangerous)}`;
  return `${what}; ${permissions.ipRestricted ? "IP-restricted" : "no IP restriction"}`;
}

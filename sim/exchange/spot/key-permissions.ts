/**
 * The spot API's `GET /sapi/v1/account/apiRestrictions` for the loopback exchange: each key's
 * permission flags, settable per key to any combination, answered in Binance's documented shape.
 * The exchange checks the signature and weight as for every signed call, then asks this table.
 */
import {
  API_RESTRICTIONS_PATH,
  API_RESTRICTIONS_WEIGHT,
  DANGEROUS_FLAGS,
  type DangerousFlag,
} from "../../../lib/binance/spot/key-permissions.js";

export { API_RESTRICTIONS_PATH, API_RESTRICTIONS_WEIGHT };

/** One key's flags. Unset dangerous flags are false. */
export interface KeyFlags {
  readonly ipRestrict: boolean;
  readonly enableReading: boolean;
  readonly enabled: readonly DangerousFlag[];
  /** ms since epoch. */
  readonly createTime: number;
  /** Leave the fields Binance added later (portfolio margin, FIX) out of the body, as for old keys. */
  readonly legacyBody?: boolean;
}

/** The recommended key: read-only, no IP restriction (see docs/security.md). */
export const READ_ONLY: KeyFlags = {
  ipRestrict: false,
  enableReading: true,
  enabled: [],
  createTime: Date.UTC(2026, 0, 15),
};

/** Every combination of the dangerous flags (2^9), each with and without IP restriction. */
export function* everyFlagCombination(): Generator<KeyFlags> {
  const n = DANGEROUS_FLAGS.length;
  for (let mask = 0; mask < 2 ** n; mask++) {
    const enabled = DANGEROUS_FLAGS.filter((_, i) => (mask >> i) & 1);
    for (const ipRestrict of [false, true]) yield { ...READ_ONLY, ipRestrict, enabled };
  }
}

/** The response body Binance sends for these flags. */
export function apiRestrictionsBody(flags: KeyFlags): string {
  const body: Record<string, boolean | number> = {
    ipRestrict: flags.ipRestrict,
    createTime: flags.createTime,
    enableReading: flags.enableReading,
  };
  for (const flag of DANGEROUS_FLAGS) {
    if (flags.legacyBody && (flag === "enablePortfolioMarginTrading" || flag === "enableFixApiTrade")) continue;
    body[flag] = flags.enabled.includes(flag);
  }
  if (!flags.legacyBody) body.enableFixReadOnly = true;
  return JSON.stringify(body);
}

export class KeyPermissionTable {
  private readonly flags = new Map<string, KeyFlags>();

  /** Set one key's flags (a key never set answers as READ_ONLY). */
  set(apiKey: string, flags: Partial<KeyFlags>): void {
    this.flags.set(apiKey, { ...(this.flags.get(apiKey) ?? READ_ONLY), ...flags });
  }

  get(apiKey: string): KeyFlags {
    return this.flags.get(apiKey) ?? READ_ONLY;
  }

  body(apiKey: string): string {
    return apiRestrictionsBody(this.get(apiKey));
  }
}

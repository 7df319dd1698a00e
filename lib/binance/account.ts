/**
 * The `GET /dapi/v1/account` response, checked at the boundary. Balances stay as Binance's raw
 * decimal strings; only their shape is verified here.
 */
import { parseDecimal } from "../decimal.js";
import { BinanceResponseFormatError } from "../errors.js";

/** Fields kept from each asset entry, all raw decimal strings. */
export const ASSET_DECIMAL_FIELDS = [
  "walletBalance",
  "unrealizedProfit",
  "marginBalance",
  "maintMargin",
  "initialMargin",
  "positionInitialMargin",
  "openOrderInitialMargin",
  "maxWithdrawAmount",
  "crossWalletBalance",
  "crossUnPnl",
  "availableBalance",
] as const;

/** Without these a margin ratio cannot be computed honestly, so their absence is an error. */
const REQUIRED_FIELDS = new Set<AssetDecimalField>(["walletBalance", "marginBalance", "maintMargin"]);

export type AssetDecimalField = (typeof ASSET_DECIMAL_FIELDS)[number];

export type AssetBalance = { readonly asset: string; readonly updateTime?: number } & {
  readonly [K in AssetDecimalField]?: string;
} & { readonly walletBalance: string; readonly marginBalance: string; readonly maintMargin: string };

export interface AccountInfo {
  readonly assets: readonly AssetBalance[];
  /** Positions with a non-zero amount; kept as a count to keep snapshots small. */
  readonly openPositions: number;
  readonly canTrade?: boolean;
  readonly updateTime?: number;
}

const ASSET_NAME = /^[A-Z0-9]{1,20}$/;

function bad(detail: string): never {
  throw new BinanceResponseFormatError(`Binance account response is malformed: ${detail}`);
}

/** Parse the response body text. Throws BinanceResponseFormatError with the offending path. */
export function parseAccountResponse(body: string): AccountInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    const looksHtml = /^\s*</.test(body);
    bad(looksHtml ? "got an HTML page instead of JSON" : `body is not valid JSON (${body.length} bytes)`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad("top level is not an object");
  const obj = raw as Record<string, unknown>;
  if (!Array.isArray(obj.assets)) bad('"assets" is missing or not an array');
  const assets = obj.assets.map((entry: unknown, i): AssetBalance => {
    if (typeof entry !== "object" || entry === null) bad(`assets[${i}] is not an object`);
    const a = entry as Record<string, unknown>;
    if (typeof a.asset !== "string" || !ASSET_NAME.test(a.asset)) bad(`assets[${i}].asset is missing or invalid`);
    const out: Record<string, string | number> = { asset: a.asset };
    for (const field of ASSET_DECIMAL_FIELDS) {
      const value = a[field];
      if (value === undefined || value === null) {
        if (REQUIRED_FIELDS.has(field)) bad(`assets[${i}] (${a.asset}).${field} is missing`);
        continue;
      }
      if (typeof value !== "string" || parseDecimal(value) === undefined) {
        bad(`assets[${i}] (${a.asset}).${field} is not a decimal string`);
      }
      out[field] = value;
    }
    if (typeof a.updateTime === "number" && Number.isFinite(a.updateTime)) out.updateTime = a.updateTime;
    return out as AssetBalance;
  });
  const positions = Array.isArray(obj.positions) ? obj.positions : [];
  const openPositions = positions.filter((p: unknown) => {
    const amt = typeof p === "object" && p !== null ? (p as Record<string, unknown>).positionAmt : undefined;
    const d = typeof amt === "string" ? parseDecimal(amt) : undefined;
    return d !== undefined && d.units !== 0n;
  }).length;
  return {
    assets,
    openPositions,
    ...(typeof obj.canTrade === "boolean" ? { canTrade: obj.canTrade } : {}),
    ...(typeof obj.updateTime === "number" ? { updateTime: obj.updateTime } : {}),
  };
}

/**
 * The `GET /fapi/v3/account` response (USD-M), checked at the boundary. Balances stay Binance's
 * raw decimal strings; only their shape is verified here. In single-asset mode the account's
 * totals count USDT only ("only for USDT asset"); in Multi-Assets mode they are the whole
 * account in USD, and they are that mode's one cross pool.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";
import { parseDecimal } from "../../risk/decimal.js";
import type { PositionSide } from "../../risk/positions.js";
import { decimalField, jsonBody, positionSide } from "../common/fields.js";

/** Fields kept from each asset entry, all raw decimal strings. */
export const USDM_ASSET_FIELDS = [
  "walletBalance",
  "unrealizedProfit",
  "marginBalance",
  "maintMargin",
  "initialMargin",
  "positionInitialMargin",
  "openOrderInitialMargin",
  "crossWalletBalance",
  "crossUnPnl",
  "availableBalance",
  "maxWithdrawAmount",
] as const;

export type UsdmAssetField = (typeof USDM_ASSET_FIELDS)[number];

/** Without these a pool's ratio cannot be told honestly: their absence fails the read. */
const REQUIRED_ASSET_FIELDS = new Set<UsdmAssetField>(["walletBalance", "marginBalance", "maintMargin"]);

/** The account-wide figures: Multi-Assets mode's pool (USD), or USDT's in single-asset mode. */
export const USDM_TOTAL_FIELDS = [
  "totalMaintMargin",
  "totalMarginBalance",
  "totalWalletBalance",
  "totalUnrealizedProfit",
  "totalCrossWalletBalance",
  "totalCrossUnPnl",
] as const;

export type UsdmTotalField = (typeof USDM_TOTAL_FIELDS)[number];

export type UsdmAsset = { readonly asset: string } & { readonly [K in UsdmAssetField]?: string } & {
  readonly walletBalance: string;
  readonly marginBalance: string;
  readonly maintMargin: string;
};

/** An open position as the account lists it (v3 has no margin type: isolated ⇔ isolatedWallet ≠ 0). */
export interface UsdmAccountPosition {
  readonly symbol: string;
  readonly positionSide: PositionSide;
  readonly positionAmt: string;
  readonly maintMargin?: string;
  readonly unrealizedProfit?: string;
  readonly isolatedWallet?: string;
  /** Older responses say so outright. */
  readonly isolated?: boolean;
}

export interface UsdmAccountInfo {
  readonly assets: readonly UsdmAsset[];
  readonly totals: { readonly [K in UsdmTotalField]?: string };
  /** Positions with a non-zero amount. */
  readonly positions: readonly UsdmAccountPosition[];
  /** When the body says which mode the account is in (v2 did; v3 does not): no extra call needed. */
  readonly multiAssetsMargin?: boolean;
}

const ASSET_NAME = /^[A-Z0-9]{1,20}$/;
/**
 * USD-M symbols: BTCUSDT, 1000PEPEUSDT, BTCUSDT_261225, and a few listed in other scripts; any
 * letter or digit, bounded, so a symbol can reach an alert without carrying markup or controls.
 */
export const USDM_SYMBOL = /^[\p{L}\p{N}]{1,30}(_[A-Z0-9]{1,12})?$/u;

function bad(detail: string): never {
  throw new BinanceResponseFormatError(`Binance USD-M account response is malformed: ${detail}`);
}

/** Parse the body text. Throws BinanceResponseFormatError naming the offending path. */
export function parseUsdmAccountResponse(body: string): UsdmAccountInfo {
  const raw = jsonBody(body, bad);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad("top level is not an object");
  const obj = raw as Record<string, unknown>;
  if (!Array.isArray(obj.assets)) bad('"assets" is missing or not an array');
  const assets = obj.assets.map((entry: unknown, i): UsdmAsset => {
    if (typeof entry !== "object" || entry === null) bad(`assets[${i}] is not an object`);
    const a = entry as Record<string, unknown>;
    if (typeof a.asset !== "string" || !ASSET_NAME.test(a.asset)) bad(`assets[${i}].asset is missing or invalid`);
    const out: Record<string, string> = { asset: a.asset };
    for (const field of USDM_ASSET_FIELDS) {
      const value = decimalField(a, field, `assets[${i}] (${a.asset})`, REQUIRED_ASSET_FIELDS.has(field), bad);
      if (value !== undefined) out[field] = value;
    }
    return out as UsdmAsset;
  });
  const totals: Partial<Record<UsdmTotalField, string>> = {};
  for (const field of USDM_TOTAL_FIELDS) {
    const value = decimalField(obj, field, "account", false, bad);
    if (value !== undefined) totals[field] = value;
  }
  if (obj.positions !== undefined && !Array.isArray(obj.positions)) bad('"positions" is not an array');
  const positions: UsdmAccountPosition[] = [];
  (Array.isArray(obj.positions) ? obj.positions : []).forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) bad(`positions[${i}] is not an object`);
    const p = entry as Record<string, unknown>;
    const amount = decimalField(p, "positionAmt", `positions[${i}]`, false, bad);
    if (amount === undefined || parseDecimal(amount)?.units === 0n) return;
    if (typeof p.symbol !== "string" || !USDM_SYMBOL.test(p.symbol))
      bad(`positions[${i}].symbol is missing or invalid`);
    const where = `positions[${i}] (${p.symbol})`;
    const field = (name: string) => decimalField(p, name, where, false, bad);
    const maintMargin = field("maintMargin");
    const unrealizedProfit = field("unrealizedProfit");
    const isolatedWallet = field("isolatedWallet");
    if (p.isolated !== undefined && typeof p.isolated !== "boolean") bad(`${where}.isolated is not a boolean`);
    positions.push({
      symbol: p.symbol,
      positionSide: positionSide(p.positionSide, where, bad),
      positionAmt: amount,
      ...(maintMargin !== undefined ? { maintMargin } : {}),
      ...(unrealizedProfit !== undefined ? { unrealizedProfit } : {}),
      ...(isolatedWallet !== undefined ? { isolatedWallet } : {}),
      ...(typeof p.isolated === "boolean" ? { isolated: p.isolated } : {}),
    });
  });
  return {
    assets,
    totals,
    positions,
    ...(typeof obj.multiAssetsMargin === "boolean" ? { multiAssetsMargin: obj.multiAssetsMargin } : {}),
  };
}

/** `GET /fapi/v1/multiAssetsMargin`: `{"multiAssetsMargin": true|false}`. */
export function parseMultiAssetsMarginResponse(body: string): boolean {
  const fail = (detail: string): never => {
    throw new BinanceResponseFormatError(`Binance multiAssetsMargin response is malformed: ${detail}`);
  };
  const raw = jsonBody(body, fail);
  const value =
    typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).multiAssetsMargin : undefined;
  if (typeof value !== "boolean") fail('"multiAssetsMargin" is missing or not a boolean');
  return value as boolean;
}

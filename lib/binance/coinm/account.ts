/**
 * The `GET /dapi/v1/account` response, checked at the boundary. Balances stay as Binance's raw
 * decimal strings; only their shape is verified here.
 */

import { BinanceResponseFormatError } from "../../core/errors.js";
import { ASSET_DECIMAL_FIELDS, type AssetBalance, type AssetDecimalField } from "../../risk/balances.js";
import { parseDecimal } from "../../risk/decimal.js";
import type { PositionSide } from "../../risk/positions.js";
import { notJsonDetail, positionSide, decimalField as readDecimal } from "../common/fields.js";

/** Without these a margin ratio cannot be computed honestly, so their absence is an error. */
const REQUIRED_FIELDS = new Set<AssetDecimalField>(["walletBalance", "marginBalance", "maintMargin"]);

/**
 * An open position as `/dapi/v1/account` lists it. It is the only source of a position's
 * maintenance margin (positionRisk does not carry it) and says whether the position is isolated.
 */
export interface AccountPosition {
  readonly symbol: string;
  /** "BOTH" in one-way mode; "LONG" or "SHORT" in hedge mode. */
  readonly positionSide: PositionSide;
  readonly positionAmt: string;
  readonly maintMargin: string;
  readonly unrealizedProfit: string;
  readonly isolated: boolean;
  readonly entryPrice?: string;
  readonly leverage?: string;
  /** Not in Binance's COIN-M example; present on some live responses. */
  readonly isolatedWallet?: string;
}

export interface AccountInfo {
  readonly assets: readonly AssetBalance[];
  /** Positions with a non-zero amount. */
  readonly positions: readonly AccountPosition[];
  readonly openPositions: number;
  readonly canTrade?: boolean;
  readonly updateTime?: number;
}

const ASSET_NAME = /^[A-Z0-9]{1,20}$/;
/** COIN-M symbols: BTCUSD_PERP, ETHUSD_261225. */
export const SYMBOL = /^[A-Z0-9]{1,20}USD_[A-Z0-9]{1,12}$/;

function bad(detail: string): never {
  throw new BinanceResponseFormatError(`Binance account response is malformed: ${detail}`);
}

/** Parse the response body text. Throws BinanceResponseFormatError with the offending path. */
export function parseAccountResponse(body: string): AccountInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    bad(notJsonDetail(body));
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
  if (obj.positions !== undefined && !Array.isArray(obj.positions)) bad('"positions" is not an array');
  const positions = parsePositions(Array.isArray(obj.positions) ? obj.positions : []);
  return {
    assets,
    positions,
    openPositions: positions.length,
    ...(typeof obj.canTrade === "boolean" ? { canTrade: obj.canTrade } : {}),
    ...(typeof obj.updateTime === "number" ? { updateTime: obj.updateTime } : {}),
  };
}

/** A row's figures that mean it is an open position, whatever its amount says. */
const MARGIN_FIELDS = ["maintMargin", "initialMargin", "positionInitialMargin", "unrealizedProfit"] as const;

/** Open positions only: Binance lists every symbol the account has touched, most of them at zero. */
function parsePositions(rows: readonly unknown[]): AccountPosition[] {
  const out: AccountPosition[] = [];
  rows.forEach((entry, i) => {
    if (typeof entry !== "object" || entry === null) bad(`positions[${i}] is not an object`);
    const p = entry as Record<string, unknown>;
    const field = (name: string, where: string, required: boolean) => readDecimal(p, name, where, required, bad);
    const amount = field("positionAmt", `positions[${i}]`, false);
    if (amount === undefined) {
      // Bodies of 2021 list rows without an amount. A row that holds margin or PnL is a position
      // whose size is unknown: skipping it would leave its margin in the asset figure and out of
      // its pool (issue 17), so the read fails; an all-zero row is a symbol never traded.
      const held = MARGIN_FIELDS.find((name) => {
        const value = field(name, `positions[${i}]`, false);
        return value !== undefined && parseDecimal(value)?.units !== 0n;
      });
      if (held) bad(`positions[${i}] holds ${held} but has no positionAmt`);
      return;
    }
    if (parseDecimal(amount)?.units === 0n) return;
    if (typeof p.symbol !== "string" || !SYMBOL.test(p.symbol)) bad(`positions[${i}].symbol is missing or invalid`);
    const where = `positions[${i}] (${p.symbol})`;
    const side = positionSide(p.positionSide, where, bad);
    if (typeof p.isolated !== "boolean") bad(`${where}.isolated is missing or not a boolean`);
    const entryPrice = field("entryPrice", where, false);
    const leverage = field("leverage", where, false);
    const isolatedWallet = field("isolatedWallet", where, false);
    out.push({
      symbol: p.symbol,
      positionSide: side,
      positionAmt: amount,
      // Without its maintenance margin an open position's risk cannot be told: that is an error.
      maintMargin: field("maintMargin", where, true) as string,
      unrealizedProfit: field("unrealizedProfit", where, false) ?? "0",
      isolated: p.isolated,
      ...(entryPrice !== undefined ? { entryPrice } : {}),
      ...(leverage !== undefined ? { leverage } : {}),
      ...(isolatedWallet !== undefined ? { isolatedWallet } : {}),
    });
  });
  return out;
}

/**
 * The `GET /fapi/v3/positionRisk` response (USD-M), checked at the boundary: each position's
 * mark, liquidation price, margin asset, maintenance margin and isolated collateral. v3 lists only
 * symbols with a position or open orders and has no `marginType` (isolated ⇔ isolatedWallet ≠ 0).
 * Decimals stay Binance's raw strings; fields Binance adds later are ignored.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";
import { parseDecimal } from "../../risk/decimal.js";
import type { PositionSide } from "../../risk/positions.js";
import { decimalField, jsonBody, positionSide } from "../common/fields.js";
import { USDM_SYMBOL } from "./account.js";

export interface UsdmPositionRiskRow {
  readonly symbol: string;
  readonly positionSide: PositionSide;
  readonly positionAmt: string;
  readonly entryPrice: string;
  readonly markPrice: string;
  /** "0" when there is none. */
  readonly liquidationPrice: string;
  readonly unRealizedProfit: string;
  /** USDT, USDC, …: the asset whose pool the position is in. */
  readonly marginAsset: string;
  /** Absent: taken from the account's row. */
  readonly maintMargin?: string;
  /** Isolated wallet + unrealized PnL; "0" for a cross position. */
  readonly isolatedMargin: string;
  /** "0" for a cross position. */
  readonly isolatedWallet: string;
  readonly notional?: string;
  readonly breakEvenPrice?: string;
}

const ASSET_NAME = /^[A-Z0-9]{1,20}$/;

function bad(detail: string): never {
  throw new BinanceResponseFormatError(`Binance USD-M positionRisk response is malformed: ${detail}`);
}

const REQUIRED = ["positionAmt", "entryPrice", "markPrice", "liquidationPrice", "unRealizedProfit"] as const;

/** Parse the body text; returns open positions only (rows with a non-zero amount). */
export function parseUsdmPositionRiskResponse(body: string): UsdmPositionRiskRow[] {
  const raw = jsonBody(body, bad);
  if (!Array.isArray(raw)) bad("top level is not an array");
  const rows: UsdmPositionRiskRow[] = [];
  raw.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) bad(`[${i}] is not an object`);
    const p = entry as Record<string, unknown>;
    if (typeof p.symbol !== "string" || !USDM_SYMBOL.test(p.symbol)) bad(`[${i}].symbol is missing or invalid`);
    const where = `[${i}] (${p.symbol})`;
    const decimal = (field: string, required: boolean) => decimalField(p, field, where, required, bad);
    const values: Record<string, string> = {};
    for (const field of REQUIRED) values[field] = decimal(field, true) as string;
    if (parseDecimal(values.positionAmt as string)?.units === 0n) return;
    if (typeof p.marginAsset !== "string" || !ASSET_NAME.test(p.marginAsset)) {
      bad(`${where}.marginAsset is missing or invalid`);
    }
    const isolatedWallet = decimal("isolatedWallet", false) ?? "0";
    const isolated = parseDecimal(isolatedWallet)?.units !== 0n;
    // An isolated position's collateral is this figure: without it there is no honest ratio.
    const isolatedMargin = decimal("isolatedMargin", isolated) ?? "0";
    const maintMargin = decimal("maintMargin", false);
    const notional = decimal("notional", false);
    const breakEvenPrice = decimal("breakEvenPrice", false);
    rows.push({
      symbol: p.symbol,
      positionSide: positionSide(p.positionSide, where, bad),
      positionAmt: values.positionAmt as string,
      entryPrice: values.entryPrice as string,
      markPrice: values.markPrice as string,
      liquidationPrice: values.liquidationPrice as string,
      unRealizedProfit: values.unRealizedProfit as string,
      marginAsset: p.marginAsset,
      ...(maintMargin !== undefined ? { maintMargin } : {}),
      isolatedMargin,
      isolatedWallet,
      ...(notional !== undefined ? { notional } : {}),
      ...(breakEvenPrice !== undefined ? { breakEvenPrice } : {}),
    });
  });
  return rows;
}

/**
 * The `GET /dapi/v1/positionRisk` response, checked at the boundary. It is the source of each
 * position's mark and liquidation price and of an isolated position's collateral. Decimals stay
 * Binance's raw strings; fields Binance adds later are ignored.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";
import { parseDecimal } from "../../risk/decimal.js";
import type { PositionSide } from "../../risk/positions.js";
import { decimalField, notJsonDetail, positionSide } from "../common/fields.js";
import { SYMBOL } from "./account.js";

export interface PositionRiskRow {
  readonly symbol: string;
  /** "BOTH" in one-way mode; "LONG" or "SHORT" in hedge mode. */
  readonly positionSide: PositionSide;
  readonly positionAmt: string;
  readonly marginType: "cross" | "isolated";
  readonly entryPrice: string;
  readonly markPrice: string;
  /** Binance's reference liquidation price; "0" when there is none. */
  readonly liquidationPrice: string;
  readonly unRealizedProfit: string;
  /** Isolated wallet + unrealized PnL for an isolated position; "0" for a cross one. */
  readonly isolatedMargin: string;
  /** Optional: absent from the REST doc example, present on live responses. */
  readonly isolatedWallet?: string;
  readonly leverage: string;
  readonly updateTime?: number;
}

function bad(detail: string): never {
  throw new BinanceResponseFormatError(`Binance positionRisk response is malformed: ${detail}`);
}

const REQUIRED = [
  "positionAmt",
  "entryPrice",
  "markPrice",
  "liquidationPrice",
  "unRealizedProfit",
  "leverage",
] as const;

/** Parse the body text; returns open positions only (rows with a non-zero amount). */
export function parsePositionRiskResponse(body: string): PositionRiskRow[] {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    bad(notJsonDetail(body));
  }
  if (!Array.isArray(raw)) bad("top level is not an array");
  const rows: PositionRiskRow[] = [];
  raw.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) bad(`[${i}] is not an object`);
    const p = entry as Record<string, unknown>;
    if (typeof p.symbol !== "string" || !SYMBOL.test(p.symbol)) bad(`[${i}].symbol is missing or invalid`);
    const where = `[${i}] (${p.symbol})`;
    const decimal = (field: string, required: boolean) => decimalField(p, field, where, required, bad);
    // A zero row (every symbol the account ever touched) is skipped before its other fields are
    // asked for: one without a markPrice must not reject the open positions' rows with it.
    if (parseDecimal(decimal("positionAmt", true) as string)?.units === 0n) return;
    const values: Record<string, string> = {};
    for (const field of REQUIRED) values[field] = decimal(field, true) as string;
    const side = positionSide(p.positionSide, where, bad);
    const marginType = typeof p.marginType === "string" ? p.marginType.toLowerCase() : undefined;
    if (marginType !== "cross" && marginType !== "isolated") bad(`${where}.marginType is missing or invalid`);
    const isolatedMargin = decimal("isolatedMargin", marginType === "isolated") ?? "0";
    const isolatedWallet = decimal("isolatedWallet", false);
    rows.push({
      symbol: p.symbol,
      positionSide: side,
      positionAmt: values.positionAmt as string,
      marginType,
      entryPrice: values.entryPrice as string,
      markPrice: values.markPrice as string,
      liquidationPrice: values.liquidationPrice as string,
      unRealizedProfit: values.unRealizedProfit as string,
      isolatedMargin,
      ...(isolatedWallet !== undefined ? { isolatedWallet } : {}),
      leverage: values.leverage as string,
      ...(typeof p.updateTime === "number" && Number.isFinite(p.updateTime) ? { updateTime: p.updateTime } : {}),
    });
  });
  return rows;
}

/**
 * `GET /papi/v1/cm/positionRisk` and `GET /papi/v1/um/positionRisk` of a Portfolio Margin
 * account, checked at the boundary, as the risk model's open positions. PM has no isolated
 * margin: every position is cross, in the one account-wide pool (lib/risk/portfolio.ts), so no
 * row carries a maintenance margin; where Binance gives a liquidation price its distance counts.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";
import { parseDecimal } from "../../risk/decimal.js";
import { liquidationDistance, marginAssetOf, type OpenPosition, positionKey, sideOf } from "../../risk/positions.js";
import { SYMBOL as COINM_SYMBOL } from "../coinm/account.js";
import { decimalField, notJsonDetail, positionSide } from "../common/fields.js";

export type PortfolioSegment = "cm" | "um";

/** USD-M symbols: BTCUSDT, 1000PEPEUSDC, BTCUSDT_261225. */
const UM_SYMBOL = /^[A-Z0-9]{1,30}(_[A-Z0-9]{1,12})?$/;
const UM_QUOTES = ["USDT", "USDC", "FDUSD", "BUSD"] as const;

/** The asset a USD-M contract settles in (its quote): BTCUSDT -> USDT. */
export function umMarginAsset(symbol: string): string {
  const base = symbol.split("_")[0] ?? symbol;
  return UM_QUOTES.find((q) => base.endsWith(q)) ?? "USDT";
}

/**
 * A PM position's liquidation price is the account's: where the whole account would be liquidated
 * if this symbol alone moved. It lies on the side the account is exposed to, not the position's:
 * a short hedged by coin collateral in a net-long account liquidates as the price falls. So the
 * distance is |mark - liq| / mark whichever side; an account already past it says so by uniMMR
 * and accountStatus, which the pool is judged by first.
 */
function accountLiquidationDistance(mark: string, liq: string): number | null {
  // No side: the account's exposure, not the row's, decides where its liquidation lies.
  return liquidationDistance(mark, liq, undefined);
}

const REQUIRED = ["positionAmt", "entryPrice", "markPrice", "liquidationPrice", "unRealizedProfit"] as const;

/** Parse one segment's body; open positions only (non-zero amount), sorted by symbol and side. */
export function parsePortfolioPositionRisk(body: string, segment: PortfolioSegment): OpenPosition[] {
  const bad = (detail: string): never => {
    throw new BinanceResponseFormatError(
      `Binance portfolio margin ${segment} positionRisk response is malformed: ${detail}`,
    );
  };
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    bad(notJsonDetail(body));
  }
  if (!Array.isArray(raw)) bad("top level is not an array");
  const symbolPattern = segment === "cm" ? COINM_SYMBOL : UM_SYMBOL;
  const out: OpenPosition[] = [];
  (raw as unknown[]).forEach((entry, i) => {
    if (typeof entry !== "object" || entry === null) bad(`[${i}] is not an object`);
    const p = entry as Record<string, unknown>;
    if (typeof p.symbol !== "string" || !symbolPattern.test(p.symbol)) bad(`[${i}].symbol is missing or invalid`);
    const symbol = p.symbol as string;
    const where = `[${i}] (${symbol})`;
    const decimal = (field: string, required: boolean) => decimalField(p, field, where, required, bad);
    const values: Record<string, string> = {};
    for (const field of REQUIRED) values[field] = decimal(field, true) as string;
    const amount = values.positionAmt as string;
    if (parseDecimal(amount)?.units === 0n) return;
    const side = positionSide(p.positionSide, where, bad);
    const direction = sideOf(side, amount);
    const optional = (field: "leverage" | "notionalValue" | "notional" | "breakEvenPrice") => {
      const value = decimal(field, false);
      return value !== undefined ? { [field]: value } : {};
    };
    out.push({
      symbol,
      positionSide: side,
      side: direction,
      marginType: "cross",
      marginAsset: segment === "cm" ? marginAssetOf(symbol) : umMarginAsset(symbol),
      positionAmt: amount,
      entryPrice: values.entryPrice as string,
      markPrice: values.markPrice as string,
      liquidationPrice: values.liquidationPrice as string,
      unrealizedProfit: values.unRealizedProfit as string,
      ...optional("leverage"),
      ...(segment === "cm" ? optional("notionalValue") : optional("notional")),
      ...optional("breakEvenPrice"),
      distance: accountLiquidationDistance(values.markPrice as string, values.liquidationPrice as string),
    });
  });
  return out.sort((a, b) => positionKey(a).localeCompare(positionKey(b)));
}

/**
 * COIN-M bodies for keys the margin engine does not hold: tests script an account body (and maybe
 * positionRisk rows) per call, and these keep the two calls of one cycle consistent and filtered
 * the way Binance filters positionRisk (`marginAsset`, `pair`).
 */
import type { PositionRiskFilter } from "../../engine/coinm/bodies.js";
import { contractSizeOf, marginAssetOf, pairOf } from "../../engine/coinm/contract.js";

/**
 * positionRisk rows consistent with an account body that has no engine behind it: every position
 * as the body says (cross unless `isolated`), marked at its entry price (so PnL is the body's),
 * no liquidation price, no isolated margin. A body that is not a JSON object is returned as it is,
 * so a malformed account body makes both calls fail alike.
 */
export function positionRiskFromAccountBody(body: string, filter: PositionRiskFilter = {}): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return body;
  const positions = (parsed as { positions?: unknown }).positions;
  const rows = (Array.isArray(positions) ? positions : []).flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const p = entry as Record<string, unknown>;
    const symbol = typeof p.symbol === "string" ? p.symbol : "";
    const text = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);
    const amount = Number(text(p.positionAmt, "0"));
    const entryPrice = text(p.entryPrice, "0.0");
    let notionalValue = "0";
    try {
      const price = Number(entryPrice);
      if (amount !== 0 && price > 0) notionalValue = ((amount * contractSizeOf(symbol)) / price).toFixed(8);
    } catch {
      // Not a COIN-M symbol: the row stays without a notional.
    }
    return [
      {
        symbol,
        positionAmt: text(p.positionAmt, "0"),
        entryPrice,
        breakEvenPrice: text(p.breakEvenPrice, entryPrice),
        markPrice: entryPrice,
        unRealizedProfit: text(p.unrealizedProfit, "0.00000000"),
        liquidationPrice: "0",
        leverage: text(p.leverage, "20"),
        maxQty: text(p.maxQty, "50"),
        marginType: p.isolated === true ? "isolated" : "cross",
        isolatedMargin: "0.00000000",
        isolatedWallet: "0",
        notionalValue,
        isAutoAddMargin: "false",
        positionSide: text(p.positionSide, "BOTH"),
        updateTime: typeof p.updateTime === "number" ? p.updateTime : 0,
      },
    ];
  });
  return JSON.stringify(filterRows(rows, filter));
}

function matchesFilter(symbol: unknown, filter: PositionRiskFilter): boolean {
  if (!filter.marginAsset && !filter.pair) return true;
  if (typeof symbol !== "string") return false;
  try {
    return (
      (!filter.marginAsset || marginAssetOf(symbol) === filter.marginAsset) &&
      (!filter.pair || pairOf(symbol) === filter.pair)
    );
  } catch {
    return false;
  }
}

function filterRows<T>(rows: readonly T[], filter: PositionRiskFilter): T[] {
  return rows.filter((r) => matchesFilter((r as { symbol?: unknown }).symbol, filter));
}

/** Apply positionRisk's filters to a scripted body when it is a JSON array; anything else stays as given. */
export function filterBody(body: string, filter: PositionRiskFilter): string {
  if (!filter.marginAsset && !filter.pair) return body;
  try {
    const rows: unknown = JSON.parse(body);
    return Array.isArray(rows) ? JSON.stringify(filterRows(rows, filter)) : body;
  } catch {
    return body;
  }
}

/**
 * COIN-M's `GET /dapi/v1/exchangeInfo` on the loopback exchange: the listed symbols with the
 * fields a client needs (contract size, margin asset, contract type, delivery), shaped like Binance's.
 */
import { contractSizeOf, marginAssetOf, pairOf } from "../../engine/coinm/contract.js";

/** Symbols every exchangeInfo lists: the perpetuals of the assets the fixtures use, and BTC quarterlies. */
export const DEFAULT_SYMBOLS: readonly string[] = [
  "BTCUSD_PERP",
  "BTCUSD_261225",
  "BTCUSD_270326",
  "ETHUSD_PERP",
  "ETHUSD_261225",
  "BNBUSD_PERP",
  "ADAUSD_PERP",
  "DOTUSD_PERP",
  "LINKUSD_PERP",
];

/** Delivery at 08:00 UTC on the date in the symbol (BTCUSD_261225 -> 2026-12-25). */
function deliveryDate(symbol: string): number {
  const m = /_(\d{2})(\d{2})(\d{2})$/.exec(symbol);
  if (!m) return 4_133_404_800_000; // Binance's "never" for perpetuals (2100-12-25)
  return Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), 8);
}

/** The `GET /dapi/v1/exchangeInfo` response: the fields a client needs, shaped like Binance's. */
export function exchangeInfoResponse(
  symbols: readonly string[],
  weightLimit: number,
  serverTime: number,
): Record<string, unknown> {
  const unique = [...new Set(symbols)];
  const quarterlies = (asset: string) =>
    unique
      .filter((s) => !s.endsWith("_PERP") && marginAssetOf(s) === asset)
      .sort((a, b) => deliveryDate(a) - deliveryDate(b));
  return {
    timezone: "UTC",
    serverTime,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: weightLimit },
      { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
    ],
    exchangeFilters: [],
    symbols: unique.map((symbol) => {
      const asset = marginAssetOf(symbol);
      const perpetual = symbol.endsWith("_PERP");
      return {
        symbol,
        pair: pairOf(symbol),
        contractType: perpetual
          ? "PERPETUAL"
          : quarterlies(asset).indexOf(symbol) === 0
            ? "CURRENT_QUARTER"
            : "NEXT_QUARTER",
        deliveryDate: deliveryDate(symbol),
        onboardDate: 1_597_042_800_000,
        contractStatus: "TRADING",
        contractSize: contractSizeOf(symbol),
        marginAsset: asset,
        maintMarginPercent: "2.5000",
        requiredMarginPercent: "5.0000",
        baseAsset: asset,
        quoteAsset: "USD",
        pricePrecision: 1,
        quantityPrecision: 0,
        baseAssetPrecision: 8,
        quotePrecision: 8,
        equalQtyPrecision: 4,
        triggerProtect: "0.0500",
        underlyingType: "COIN",
        underlyingSubType: [],
        filters: [],
        orderTypes: [
          "LIMIT",
          "MARKET",
          "STOP",
          "TAKE_PROFIT",
          "STOP_MARKET",
          "TAKE_PROFIT_MARKET",
          "TRAILING_STOP_MARKET",
        ],
        timeInForce: ["GTC", "IOC", "FOK", "GTX"],
        liquidationFee: "0.010000",
        marketTakeBound: "0.05",
      };
    }),
  };
}

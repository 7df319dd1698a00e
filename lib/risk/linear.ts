/**
 * Linear (USD-M) contracts: quantity in the base coin, PnL and margin in the quote (margin)
 * asset. Exact decimals on Binance's strings (shared spec binance-usdm.md; docs/architecture.md,
 * "USD-M"):
 *
 * - PnL = side × |qty| × (mark − entry), side +1 long, −1 short.
 * - Maintenance = |qty| × mark × maintMarginRate − cum (the bracket's maintenance amount).
 *
 * The monitor takes each position's maintenance margin from Binance; these are the formulas the
 * loopback exchange computes its bodies from and the unit tests hold Binance's figures to.
 */
import { absDecimal, type Decimal, formatDecimal, parseDecimal, subDecimal } from "./decimal.js";

const mul = (a: Decimal, b: Decimal): Decimal => ({ units: a.units * b.units, scale: a.scale + b.scale });

function decimal(text: string, what: string): Decimal {
  const d = parseDecimal(text);
  if (!d) throw new RangeError(`${what} is not a decimal: "${text}"`);
  return d;
}

/** Unrealized PnL in the margin asset; a negative `positionAmt` is a short (one-way mode). */
export function linearPnl(side: "long" | "short", positionAmt: string, markPrice: string, entryPrice: string): string {
  const qty = absDecimal(decimal(positionAmt, "positionAmt"));
  const move = subDecimal(decimal(markPrice, "markPrice"), decimal(entryPrice, "entryPrice"));
  const pnl = mul(qty, move);
  return formatDecimal(side === "long" ? pnl : { units: -pnl.units, scale: pnl.scale });
}

/** Maintenance margin in the margin asset: |qty| × mark × rate − cum. */
export function linearMaintenance(positionAmt: string, markPrice: string, rate: string, cum: string): string {
  const notional = mul(absDecimal(decimal(positionAmt, "positionAmt")), decimal(markPrice, "markPrice"));
  return formatDecimal(subDecimal(mul(notional, decimal(rate, "rate")), decimal(cum, "cum")));
}

/** Quote assets USD-M contracts settle in, longest first so FDUSD is not read as USD. */
const QUOTES = ["FDUSD", "USDT", "USDC", "BUSD"] as const;

/**
 * The margin asset a USD-M symbol names (BTCUSDT, ETHUSDC, BTCUSDT_261225): its quote asset.
 * Only for a pool known by id alone; a live position carries positionRisk's `marginAsset`.
 */
export function linearMarginAssetOf(symbol: string): string {
  const pair = symbol.replace(/_[A-Z0-9]+$/, "");
  return QUOTES.find((q) => pair.endsWith(q)) ?? "USDT";
}

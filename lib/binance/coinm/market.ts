/**
 * What revaluing a pool at a new mark needs from COIN-M besides the account read (lib/risk/revalue.ts):
 * each symbol's contract size (public `GET /dapi/v1/exchangeInfo`) and the account's maintenance
 * brackets (signed `GET /dapi/v2/leverageBracket`), both checked here, at the boundary.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";
import { compareDecimal, type Decimal, decimalFromNumber, parseDecimal } from "../../risk/decimal.js";
import type { MaintenanceBracket } from "../../risk/revalue.js";
import { notJsonDetail } from "../common/fields.js";

export const EXCHANGE_INFO_PATH = "/dapi/v1/exchangeInfo";
export const EXCHANGE_INFO_WEIGHT = 1;
export const LEVERAGE_BRACKET_PATH = "/dapi/v2/leverageBracket";
export const LEVERAGE_BRACKET_WEIGHT = 1;

const SYMBOL = /^[A-Z0-9_]{1,32}$/;

function bad(what: string, detail: string): never {
  throw new BinanceResponseFormatError(`Binance ${what} response is malformed: ${detail}`);
}

function json(what: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    bad(what, notJsonDetail(body));
  }
}

/** A JSON number or decimal string as an exact decimal (Binance sends these brackets as numbers). */
function decimalOf(value: unknown): Decimal | undefined {
  if (typeof value === "string") return parseDecimal(value);
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return decimalFromNumber(value);
  return undefined;
}

/** USD per contract by symbol, from exchangeInfo; a symbol without a positive size is left out. */
export function parseContractSizes(body: string): Map<string, Decimal> {
  const raw = json("exchangeInfo", body);
  const symbols = (raw as { symbols?: unknown } | null)?.symbols;
  if (!Array.isArray(symbols)) bad("exchangeInfo", '"symbols" is missing or not an array');
  const out = new Map<string, Decimal>();
  for (const entry of symbols) {
    const { symbol, contractSize } = (entry ?? {}) as Record<string, unknown>;
    const size = decimalOf(contractSize);
    if (typeof symbol === "string" && SYMBOL.test(symbol) && size && size.units > 0n) out.set(symbol, size);
  }
  return out;
}

/**
 * Brackets by symbol, sorted by floor. A symbol whose brackets do not parse is left out (its pools
 * move at the read's own rate, flagged approximate), never given made-up ones.
 */
export function parseLeverageBrackets(body: string): Map<string, MaintenanceBracket[]> {
  const raw = json("leverageBracket", body);
  if (!Array.isArray(raw)) bad("leverageBracket", "top level is not an array");
  const out = new Map<string, MaintenanceBracket[]>();
  for (const entry of raw) {
    const { symbol, brackets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof symbol !== "string" || !SYMBOL.test(symbol) || !Array.isArray(brackets)) continue;
    const parsed: MaintenanceBracket[] = [];
    for (const b of brackets) {
      const row = (b ?? {}) as Record<string, unknown>;
      // Binance's own example spells the floor "qtylFloor".
      const floor = decimalOf(row.qtyFloor ?? row.qtylFloor ?? 0);
      const cap = row.qtyCap === undefined ? undefined : decimalOf(row.qtyCap);
      const rate = decimalOf(row.maintMarginRatio);
      const cum = decimalOf(row.cum ?? 0);
      if (!floor || !rate || !cum || (row.qtyCap !== undefined && !cap)) {
        parsed.length = 0;
        break;
      }
      parsed.push({ qtyFloor: floor, ...(cap ? { qtyCap: cap } : {}), maintMarginRatio: rate, cum });
    }
    if (parsed.length === 0) continue;
    parsed.sort((a, b) => compareDecimal(a.qtyFloor, b.qtyFloor));
    out.set(symbol, parsed);
  }
  return out;
}

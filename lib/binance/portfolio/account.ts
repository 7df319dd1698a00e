/**
 * The `GET /papi/v1/account` response of a Portfolio Margin account, checked at the boundary.
 * The four figures the monitor judges by are required; the others are kept when Binance sends
 * them as decimals. Everything stays Binance's raw strings.
 */
import { BinanceResponseFormatError } from "../../core/errors.js";
import { parseDecimal } from "../../risk/decimal.js";
import type { PortfolioFigures } from "../../risk/portfolio-status.js";
import { decimalField, notJsonDetail } from "../common/fields.js";

/** Kept raw when present and a decimal (some PM variants format them with thousands separators). */
export const PORTFOLIO_OPTIONAL_FIELDS = [
  "actualEquity",
  "accountInitialMargin",
  "virtualMaxWithdrawAmount",
  "totalAvailableBalance",
  "totalMarginOpenLoss",
] as const;

export type PortfolioAccount = PortfolioFigures & {
  readonly [K in (typeof PORTFOLIO_OPTIONAL_FIELDS)[number]]?: string;
} & { readonly updateTime?: number };

/** Binance's statuses are upper-case words ("NORMAL", "REDUCE_ONLY"); anything else is refused. */
const STATUS = /^[A-Z][A-Z_]{0,39}$/;

function bad(detail: string): never {
  throw new BinanceResponseFormatError(`Binance portfolio margin account response is malformed: ${detail}`);
}

/** Parse the body text. Throws BinanceResponseFormatError naming the offending field. */
export function parsePortfolioAccountResponse(body: string): PortfolioAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    bad(notJsonDetail(body));
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad("top level is not an object");
  const obj = raw as Record<string, unknown>;
  // Without any of these the account's risk cannot be told honestly: the read fails, loudly.
  const required = (field: string) => decimalField(obj, field, "account", true, bad) as string;
  const figures = {
    uniMMR: required("uniMMR"),
    accountEquity: required("accountEquity"),
    accountMaintMargin: required("accountMaintMargin"),
  };
  if (typeof obj.accountStatus !== "string" || !STATUS.test(obj.accountStatus)) {
    bad("account.accountStatus is missing or invalid");
  }
  const optional: Record<string, string> = {};
  for (const field of PORTFOLIO_OPTIONAL_FIELDS) {
    const value = obj[field];
    if (typeof value === "string" && parseDecimal(value) !== undefined) optional[field] = value;
  }
  return {
    ...figures,
    accountStatus: obj.accountStatus,
    ...optional,
    ...(typeof obj.updateTime === "number" && Number.isFinite(obj.updateTime) ? { updateTime: obj.updateTime } : {}),
  };
}

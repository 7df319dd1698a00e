/**
 * The linear margin engine the loopback exchange holds for USD-M: accounts per API key plus
 * exchange-wide marks. A key it does not hold sees an empty USD-M account, as a COIN-M-only
 * trader's key does on Binance.
 */
import { MarginEngineInputError } from "../units.js";
import { EMPTY_USDM_ACCOUNT, type LinearAccount, quoteOf, withLinearMarks } from "./bodies.js";

/** The state behind a key's fapi call; undefined: a scripted or empty account. */
export interface UsdmEngineSource {
  account(apiKey: string, callIndex: number): LinearAccount | undefined;
}

export class UsdmEngine implements UsdmEngineSource {
  private readonly accounts = new Map<string, LinearAccount>();
  private readonly marks: Record<string, number> = {};

  constructor(accounts: Iterable<readonly [string, LinearAccount]> = []) {
    for (const [apiKey, account] of accounts) this.set(apiKey, account);
  }

  set(apiKey: string, account: LinearAccount): void {
    for (const p of account.positions) quoteOf(p.symbol);
    this.accounts.set(apiKey, account);
  }

  /** The key's account with the exchange-wide marks applied; an empty account for a key it does not hold. */
  get(apiKey: string): LinearAccount {
    return withLinearMarks(this.accounts.get(apiKey) ?? EMPTY_USDM_ACCOUNT, this.marks);
  }

  account(apiKey: string): LinearAccount {
    return this.get(apiKey);
  }

  setMark(symbol: string, price: number): void {
    if (!(price > 0)) throw new MarginEngineInputError(`mark price must be > 0: ${symbol} ${price}`);
    quoteOf(symbol);
    this.marks[symbol] = price;
  }
}

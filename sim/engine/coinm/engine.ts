/**
 * The margin engine the loopback exchange holds for COIN-M: accounts per API key plus
 * exchange-wide marks, so a scenario moves a price for every account at once, as a market does.
 */
import { MarginEngineInputError } from "../units.js";
import { type EngineAccount, validateEngineAccount, withMarks } from "./account.js";
import { marginAssetOf } from "./contract.js";

/** What the loopback exchange asks for the state behind a key's call; undefined: not an engine account. */
export interface EngineSource {
  account(apiKey: string, callIndex: number): EngineAccount | undefined;
}

/**
 * Accounts per API key plus exchange-wide marks: `setMark` moves a symbol for every account, as a
 * market move does. Accounts are validated when set.
 */
export class MarginEngine implements EngineSource {
  private readonly accounts = new Map<string, EngineAccount>();
  private readonly marks: Record<string, number> = {};

  constructor(accounts: Iterable<readonly [string, EngineAccount]> = []) {
    for (const [apiKey, account] of accounts) this.set(apiKey, account);
  }

  set(apiKey: string, account: EngineAccount): void {
    validateEngineAccount(withMarks(account, this.marks));
    this.accounts.set(apiKey, account);
  }

  /** The key's account with the exchange-wide marks applied. */
  get(apiKey: string): EngineAccount | undefined {
    const account = this.accounts.get(apiKey);
    return account && withMarks(account, this.marks);
  }

  account(apiKey: string): EngineAccount | undefined {
    return this.get(apiKey);
  }

  /**
   * The mark of `symbol` right now, as the signed bodies use it: the exchange-wide one, else that
   * of the first account marking it (what the loopback mark price stream publishes).
   */
  mark(symbol: string): number | undefined {
    const wide = this.marks[symbol];
    if (wide !== undefined) return wide;
    for (const account of this.accounts.values()) {
      const own = account.marks[symbol];
      if (own !== undefined) return own;
    }
    return undefined;
  }

  setMark(symbol: string, price: number): void {
    if (!(price > 0)) throw new MarginEngineInputError(`mark price must be > 0: ${symbol} ${price}`);
    marginAssetOf(symbol);
    this.marks[symbol] = price;
  }
}

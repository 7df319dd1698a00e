/**
 * Contract sizes and maintenance brackets for revaluing pools between reads (lib/risk/revalue.ts),
 * kept for the life of the container: contract sizes are exchange-wide (one public exchangeInfo,
 * weight 1, per container), brackets per account (one signed leverageBracket, weight 1, per
 * account and container; Binance changes them rarely and a changed one only moves margins within
 * a bracket until the next container). A failed fetch is tried again at the next watch; meanwhile
 * a pool without contract sizes is not revalued (signed re-reads only) and one without brackets
 * moves at its read's own rate (flagged approximate).
 */
import { errorLogFields } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { Decimal } from "../risk/decimal.js";
import type { MaintenanceBracket, RevalueContext } from "../risk/revalue.js";
import type { MarketData } from "./mark-watch.js";

export interface MarketSource {
  contractSizes(deadlineMs: number): Promise<Map<string, Decimal>>;
  brackets(account: string, deadlineMs: number): Promise<Map<string, MaintenanceBracket[]>>;
}

export class MarketCache implements MarketData {
  private contracts: Map<string, Decimal> | undefined;
  private readonly brackets = new Map<string, Map<string, MaintenanceBracket[]>>();

  constructor(
    private readonly source: MarketSource,
    private readonly log: Logger,
  ) {}

  async ensureContracts(deadlineMs: number): Promise<boolean> {
    if (this.contracts) return true;
    try {
      this.contracts = await this.source.contractSizes(deadlineMs);
      return true;
    } catch (err) {
      this.log.warn("contract sizes unavailable; pools judged by signed reads only", errorLogFields(err));
      return false;
    }
  }

  async ensureBrackets(account: string, deadlineMs: number): Promise<void> {
    if (this.brackets.has(account)) return;
    try {
      this.brackets.set(account, await this.source.brackets(account, deadlineMs));
    } catch (err) {
      this.log.warn("maintenance brackets unavailable; margins move at the read's own rate", {
        account,
        ...errorLogFields(err),
      });
    }
  }

  context(account: string): RevalueContext {
    const brackets = this.brackets.get(account);
    return {
      contractSize: (symbol) => this.contracts?.get(symbol),
      brackets: (symbol) => brackets?.get(symbol),
    };
  }
}

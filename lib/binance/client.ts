/**
 * Binance as the monitor meets it: one client per host, each with its own weight budget, sharing
 * one clock. COIN-M (dapi) and USD-M (fapi) for the margin reads, the spot API for the daily key
 * check; a product adds its reader beside `coinm/` and a host here.
 */
import { DEFAULTS } from "../config.js";
import type { Logger } from "../core/log.js";
import type { ApiCredentials } from "../keys/credentials.js";
import type { Decimal } from "../risk/decimal.js";
import type { MaintenanceBracket } from "../risk/revalue.js";
import {
  EXCHANGE_INFO_PATH,
  EXCHANGE_INFO_WEIGHT,
  LEVERAGE_BRACKET_PATH,
  LEVERAGE_BRACKET_WEIGHT,
  parseContractSizes,
  parseLeverageBrackets,
} from "./coinm/market.js";
import { type CoinmRead, readCoinmAccount, TIME_PATH } from "./coinm/reader.js";
import { type ProtocolOptions, SignedClient } from "./common/signed-client.js";
import { WeightGovernor } from "./common/weight-governor.js";
import { PM_WEIGHT_LIMIT, type PortfolioRead, readPortfolioAccount } from "./portfolio/reader.js";
import { type MarginHint, type MarginMemory, readByMargin } from "./portfolio/recognise.js";
import type { KeyPermissions } from "./spot/key-permissions.js";
import { readKeyPermissions, SPOT_WEIGHT_LIMIT } from "./spot/read-permissions.js";
import {
  readUsdmAccount,
  USDM_TIME_PATH,
  USDM_WEIGHT_LIMIT,
  type UsdmRead,
  type UsdmReadOptions,
} from "./usdm/reader.js";

export {
  ACCOUNT_PATH,
  ACCOUNT_READ_WEIGHT,
  ACCOUNT_WEIGHT,
  POSITION_RISK_PATH,
  POSITION_RISK_WEIGHT,
  TIME_PATH,
} from "./coinm/reader.js";
export { SPOT_WEIGHT_LIMIT } from "./spot/read-permissions.js";
export { USDM_WEIGHT_LIMIT } from "./usdm/reader.js";

/** A Portfolio Margin read in the shape of an account read: no COIN-M balances, the PM figures instead. */
export type PortfolioAccountRead = Omit<PortfolioRead, "portfolio"> & {
  readonly account: { readonly assets: readonly [] };
  readonly portfolio: PortfolioRead["portfolio"];
  readonly margin?: MarginMemory;
};

function portfolioAccountRead(read: PortfolioRead): PortfolioAccountRead {
  return { ...read, account: { assets: [] } };
}

export interface BinanceClientOptions extends ProtocolOptions {
  /** The COIN-M API (dapi). */
  readonly baseUrl: string;
  /** The spot API, for the key permission check only. @default https://api.binance.com */
  readonly spotBaseUrl?: string;
  /**
   * The Portfolio Margin API (papi; config's BINANCE_PM_BASE_URL, https://papi.binance.com by
   * default). Absent: PM accounts are not recognised, every read is COIN-M's.
   */
  readonly pmBaseUrl?: string;
  /** papi's own per-IP weight budget. @default a governor at PM_WEIGHT_LIMIT */
  readonly pmGovernor?: WeightGovernor;
  /** COIN-M's per-IP weight budget. */
  readonly governor: WeightGovernor;
  /**
   * The spot API's own per-IP weight budget (the key permission check). Binance counts spot and
   * futures weight separately, so the daily check never takes weight a margin read needs.
   * @default a governor at SPOT_WEIGHT_LIMIT
   */
  readonly spotGovernor?: WeightGovernor;
  /** The USD-M API (fapi). @default https://fapi.binance.com */
  readonly usdmBaseUrl?: string;
  /**
   * fapi's own per-IP weight budget: Binance counts it apart from dapi's, so a USD-M book never
   * defers a COIN-M read (nor the other way round). @default a governor at USDM_WEIGHT_LIMIT
   */
  readonly usdmGovernor?: WeightGovernor;
}

export class BinanceClient {
  readonly coinm: SignedClient;
  readonly spot: SignedClient;
  readonly usdm: SignedClient;
  /** Portfolio Margin: no time endpoint of its own, so COIN-M's keeps the shared clock. */
  readonly papi: SignedClient | undefined;

  constructor(options: BinanceClientOptions) {
    const {
      baseUrl,
      spotBaseUrl,
      governor,
      spotGovernor,
      usdmBaseUrl,
      usdmGovernor,
      pmBaseUrl,
      pmGovernor,
      ...protocol
    } = options;
    this.coinm = new SignedClient({ ...protocol, baseUrl, governor, timePath: TIME_PATH });
    // Its own time endpoint, one clock: Binance's server time is the same on every host.
    this.usdm = new SignedClient({
      ...protocol,
      baseUrl: usdmBaseUrl ?? DEFAULTS.binanceUsdmBaseUrl,
      governor:
        usdmGovernor ?? new WeightGovernor({ limit: USDM_WEIGHT_LIMIT, ...(options.now ? { now: options.now } : {}) }),
      timePath: USDM_TIME_PATH,
      clock: this.coinm.clock,
    });
    this.spot = new SignedClient({
      ...protocol,
      baseUrl: spotBaseUrl ?? DEFAULTS.binanceSpotBaseUrl,
      governor:
        spotGovernor ?? new WeightGovernor({ limit: SPOT_WEIGHT_LIMIT, ...(options.now ? { now: options.now } : {}) }),
      timeSource: this.coinm,
    });
    this.papi =
      pmBaseUrl === undefined
        ? undefined
        : new SignedClient({
            ...protocol,
            baseUrl: pmBaseUrl,
            governor:
              pmGovernor ??
              new WeightGovernor({ limit: PM_WEIGHT_LIMIT, ...(options.now ? { now: options.now } : {}) }),
            timeSource: this.coinm,
          });
  }

  /** Current estimate of the local clock's offset from Binance's. */
  clockOffsetMs(): number {
    return this.coinm.clock.offsetMs;
  }

  syncTime(deadlineMs: number): Promise<number> {
    return this.coinm.syncTime(deadlineMs);
  }

  /**
   * The account's pools: COIN-M's (coinm/reader.ts), or a Portfolio Margin account's one pool
   * (portfolio/reader.ts), recognised by Binance's answers unless `margin` says which
   * (portfolio/recognise.ts).
   */
  async getAccount(
    credentials: ApiCredentials,
    deadlineMs: number,
    log: Logger,
    margin?: MarginHint,
  ): Promise<CoinmRead | PortfolioAccountRead> {
    const classic = () => readCoinmAccount(this.coinm, credentials, deadlineMs, log);
    const papi = this.papi;
    if (!papi) return classic();
    const { read, margin: found } = await readByMargin<CoinmRead | PortfolioAccountRead>(
      {
        classic,
        portfolio: async () => portfolioAccountRead(await readPortfolioAccount(papi, credentials, deadlineMs, log)),
      },
      margin ?? { now: this.coinm.now() },
      log,
    );
    return found ? { ...read, margin: found } : read;
  }

  /** The account's maintenance brackets by symbol (signed, weight 1; coinm/market.ts). */
  async getBrackets(
    credentials: ApiCredentials,
    deadlineMs: number,
    log: Logger,
  ): Promise<Map<string, MaintenanceBracket[]>> {
    const fetched = await this.coinm.call(
      LEVERAGE_BRACKET_PATH,
      LEVERAGE_BRACKET_WEIGHT,
      credentials,
      deadlineMs,
      log,
      {
        parse: parseLeverageBrackets,
        prepaid: false,
      },
    );
    return fetched.value;
  }

  /** USD per contract by symbol (public exchangeInfo, weight 1; coinm/market.ts). */
  getContractSizes(deadlineMs: number): Promise<Map<string, Decimal>> {
    return this.coinm.publicGet(EXCHANGE_INFO_PATH, EXCHANGE_INFO_WEIGHT, deadlineMs, parseContractSizes);
  }

  /** The account's USD-M pools (usdm/reader.ts). */
  getUsdmAccount(
    credentials: ApiCredentials,
    deadlineMs: number,
    log: Logger,
    options: UsdmReadOptions,
  ): Promise<UsdmRead> {
    return readUsdmAccount(this.usdm, credentials, deadlineMs, log, options);
  }

  /** What the key may do (spot/read-permissions.ts). */
  getKeyPermissions(credentials: ApiCredentials, deadlineMs: number, log: Logger): Promise<KeyPermissions> {
    return readKeyPermissions(this.spot, credentials, deadlineMs, log);
  }
}

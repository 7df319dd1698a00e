/**
 * Portfolio Margin (papi): read one account's one pool. `/account` gives the account-wide
 * figures Binance liquidates by (uniMMR, equity, maintenance, status); `/cm/positionRisk` and
 * `/um/positionRisk` give every open position with its mark and liquidation price. The pool's
 * math needs only the account figures, so the three calls need no join.
 *
 * Request weights and the host's limit, from Binance's Portfolio Margin API docs
 * (developers.binance.com, "Portfolio Margin" > "Account" and "General Info"): account 20,
 * CM positionRisk 1, UM positionRisk 5; 6,000 weight a minute per IP, counted apart from COIN-M.
 */
import type { Logger } from "../../core/log.js";
import type { ApiCredentials } from "../../keys/credentials.js";
import type { MarginPool } from "../../risk/pools.js";
import { portfolioPool } from "../../risk/portfolio.js";
import type { OpenPosition } from "../../risk/positions.js";
import type { SignedClient } from "../common/signed-client.js";
import { type PortfolioAccount, parsePortfolioAccountResponse } from "./account.js";
import { parsePortfolioPositionRisk } from "./position-risk.js";

export const PM_ACCOUNT_PATH = "/papi/v1/account";
export const PM_CM_POSITION_RISK_PATH = "/papi/v1/cm/positionRisk";
export const PM_UM_POSITION_RISK_PATH = "/papi/v1/um/positionRisk";
export const PM_ACCOUNT_WEIGHT = 20;
export const PM_CM_POSITION_RISK_WEIGHT = 1;
export const PM_UM_POSITION_RISK_WEIGHT = 5;
/** One read, all three calls, reserved together so a read is never cut in half. */
export const PM_READ_WEIGHT = PM_ACCOUNT_WEIGHT + PM_CM_POSITION_RISK_WEIGHT + PM_UM_POSITION_RISK_WEIGHT;
/** Binance's per-IP REQUEST_WEIGHT a minute on papi. */
export const PM_WEIGHT_LIMIT = 6000;

/** What one PM read gives: the account figures, its open positions (COIN-M and USD-M) and its pool. */
export interface PortfolioRead {
  readonly portfolio: PortfolioAccount;
  readonly positions: readonly OpenPosition[];
  readonly pools: readonly MarginPool[];
  readonly usedWeight?: number;
  readonly attempts: number;
}

/**
 * Read the account: its weight reserved up front; the account figures first (the call that tells
 * whether the key reaches a PM account at all), then both segments' positions. A failure of any
 * call fails the read: no half-truth snapshot.
 */
export async function readPortfolioAccount(
  client: SignedClient,
  credentials: ApiCredentials,
  deadlineMs: number,
  log: Logger,
): Promise<PortfolioRead> {
  client.reserve(PM_READ_WEIGHT);
  const call = <T>(path: string, weight: number, parse: (body: string) => T) =>
    client.call(path, weight, credentials, deadlineMs, log, { parse, prepaid: true });
  const account = await call(PM_ACCOUNT_PATH, PM_ACCOUNT_WEIGHT, parsePortfolioAccountResponse);
  const [cm, um] = await Promise.all([
    call(PM_CM_POSITION_RISK_PATH, PM_CM_POSITION_RISK_WEIGHT, (b) => parsePortfolioPositionRisk(b, "cm")),
    call(PM_UM_POSITION_RISK_PATH, PM_UM_POSITION_RISK_WEIGHT, (b) => parsePortfolioPositionRisk(b, "um")),
  ]);
  const positions = [...cm.value, ...um.value];
  const usedWeight = [account, cm, um]
    .map((r) => r.usedWeight)
    .reduce<number | undefined>((max, w) => (w !== undefined && (max === undefined || w > max) ? w : max), undefined);
  return {
    portfolio: account.value,
    positions,
    pools: [portfolioPool(account.value, positions)],
    ...(usedWeight !== undefined ? { usedWeight } : {}),
    attempts: Math.max(account.attempts, cm.attempts, um.attempts),
  };
}

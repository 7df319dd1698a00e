/**
 * COIN-M (dapi): read one account's margin pools. `/account` then `/positionRisk`, joined into
 * one list of open positions (join.ts) and cut into pools by the risk model (lib/risk/pools.ts).
 */
import { PositionsMismatchError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { ApiCredentials } from "../../keys/credentials.js";
import { type MarginPool, marginPools } from "../../risk/pools.js";
import type { OpenPosition } from "../../risk/positions.js";
import type { SignedClient } from "../common/signed-client.js";
import { type AccountInfo, parseAccountResponse } from "./account.js";
import { joinPositions } from "./join.js";
import { parsePositionRiskResponse } from "./position-risk.js";

export const ACCOUNT_PATH = "/dapi/v1/account";
export const POSITION_RISK_PATH = "/dapi/v1/positionRisk";
export const TIME_PATH = "/dapi/v1/time";
/** Documented request weight of GET /dapi/v1/account. */
export const ACCOUNT_WEIGHT = 5;
/** Documented request weight of GET /dapi/v1/positionRisk. */
export const POSITION_RISK_WEIGHT = 1;
/** One read of an account: both calls, reserved together so a read is never cut in half. */
export const ACCOUNT_READ_WEIGHT = ACCOUNT_WEIGHT + POSITION_RISK_WEIGHT;
/** Reads of both views before a disagreement between them counts as a failed read. */
const CONSISTENT_READ_ROUNDS = 2;

/** What one COIN-M read gives: the account body, its open positions and its pools. */
export interface CoinmRead {
  readonly account: AccountInfo;
  /** Open positions from both views, joined (join.ts). */
  readonly positions: readonly OpenPosition[];
  /** The account's margin pools (unassessed): what the cycle judges. */
  readonly pools: readonly MarginPool[];
  readonly usedWeight?: number;
  readonly attempts: number;
}

/** The read's result from the two bodies: positions joined, pools cut. Throws PositionsMismatchError. */
export function coinmRead(
  account: AccountInfo,
  positions: readonly OpenPosition[],
  extra: { usedWeight?: number; attempts: number },
): CoinmRead {
  return {
    account,
    positions,
    pools: marginPools(account, positions),
    ...(extra.usedWeight !== undefined ? { usedWeight: extra.usedWeight } : {}),
    attempts: extra.attempts,
  };
}

/**
 * Read the account. Both calls' weight is reserved up front, so the governor defers a whole
 * read, never half of one. A failure of either call fails the read (no half-truth snapshot);
 * views that disagree (a trade between the calls) are read again once.
 */
export async function readCoinmAccount(
  client: SignedClient,
  credentials: ApiCredentials,
  deadlineMs: number,
  log: Logger,
): Promise<CoinmRead> {
  client.reserve(ACCOUNT_READ_WEIGHT);
  let prepaid = true;
  let attempts = 0;
  for (let round = 1; ; round++) {
    const account = await client.call(ACCOUNT_PATH, ACCOUNT_WEIGHT, credentials, deadlineMs, log, {
      parse: parseAccountResponse,
      prepaid,
    });
    const risk = await client.call(POSITION_RISK_PATH, POSITION_RISK_WEIGHT, credentials, deadlineMs, log, {
      parse: parsePositionRiskResponse,
      prepaid,
    });
    prepaid = false;
    // A read is tried as often as its most-retried call was, per round.
    attempts += Math.max(account.attempts, risk.attempts);
    try {
      const usedWeight = risk.usedWeight ?? account.usedWeight;
      return coinmRead(account.value, joinPositions(account.value, risk.value), {
        ...(usedWeight !== undefined ? { usedWeight } : {}),
        attempts,
      });
    } catch (err) {
      if (!(err instanceof PositionsMismatchError) || round >= CONSISTENT_READ_ROUNDS) throw err;
      log.warn("account and positionRisk disagree; reading both again", { error: err.message });
      client.reserve(ACCOUNT_READ_WEIGHT);
      prepaid = true;
    }
  }
}

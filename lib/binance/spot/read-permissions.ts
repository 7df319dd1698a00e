/**
 * What the key may do, from the spot API (`/sapi/v1/account/apiRestrictions`). One attempt, plus
 * the documented retry after a clock resync: the check runs once a day and a failure is simply
 * tried again at the next check, so it never spends the cycle's time budget on backoff. The spot
 * API has its own per-IP weight limit and counter, so its client has a governor of its own, which
 * also takes the spot API's used-weight header and its 429/418: none of them ever defers or
 * pauses a margin read.
 */
import { BinanceClockSkewError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { ApiCredentials } from "../../keys/credentials.js";
import type { SignedClient } from "../common/signed-client.js";
import {
  API_RESTRICTIONS_PATH,
  API_RESTRICTIONS_WEIGHT,
  type KeyPermissions,
  parseKeyPermissions,
} from "./key-permissions.js";

/** Binance's spot REQUEST_WEIGHT per minute and IP (api.binance.com exchangeInfo rateLimits). */
export const SPOT_WEIGHT_LIMIT = 6000;

export async function readKeyPermissions(
  spot: SignedClient,
  credentials: ApiCredentials,
  deadlineMs: number,
  log: Logger,
): Promise<KeyPermissions> {
  for (let resync = 0; ; resync++) {
    const response = await spot.signedGet(API_RESTRICTIONS_PATH, API_RESTRICTIONS_WEIGHT, credentials, deadlineMs);
    const usedWeight = spot.recordWeight(response.headers);
    log.debug("binance response", { path: API_RESTRICTIONS_PATH, status: response.status, usedWeight });
    if (response.status === 200) return parseKeyPermissions(response.body);
    const err = spot.classify(response);
    if (!(err instanceof BinanceClockSkewError) || resync > 0) throw err;
    await spot.syncTime(deadlineMs);
    log.warn("clock resynced with Binance server time", { offsetMs: spot.clock.offsetMs });
  }
}

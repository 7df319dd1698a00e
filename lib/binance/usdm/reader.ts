/**
 * USD-M (fapi): read one account's margin pools, as cheaply as its book allows.
 *
 * - `/fapi/v3/account` (5) always. An account that holds nothing on USD-M (no balance, no
 *   position) stops there: that is the once-a-day look (lib/monitor/usdm-look.ts).
 * - `/fapi/v3/positionRisk` (5) when the account lists an open position; joined with the
 *   account's rows (join.ts).
 * - `/fapi/v1/multiAssetsMargin` (30) when the caller says the daily mode check is due and the
 *   account body does not say the mode itself.
 *
 * Single-asset mode: a cross pool per margin asset and a pool per isolated position (the COIN-M
 * shape, lib/risk/pools.ts). Multi-Assets mode: one account-wide cross pool in USD plus isolated
 * positions. A failure of any call fails the USD-M read only; the cycle keeps COIN-M's.
 */
import { PositionsMismatchError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { ApiCredentials } from "../../keys/credentials.js";
import { accountWidePools, isActive, type MarginPool, marginPools } from "../../risk/pools.js";
import type { OpenPosition } from "../../risk/positions.js";
import type { SignedClient } from "../common/signed-client.js";
import { parseMultiAssetsMarginResponse, parseUsdmAccountResponse, type UsdmAccountInfo } from "./account.js";
import { joinUsdmPositions } from "./join.js";
import { parseUsdmPositionRiskResponse } from "./position-risk.js";

export const USDM_ACCOUNT_PATH = "/fapi/v3/account";
export const USDM_POSITION_RISK_PATH = "/fapi/v3/positionRisk";
export const USDM_MULTI_ASSETS_PATH = "/fapi/v1/multiAssetsMargin";
export const USDM_TIME_PATH = "/fapi/v1/time";
/** Documented request weights (developers.binance.com, USDⓈ-M futures). */
export const USDM_ACCOUNT_WEIGHT = 5;
export const USDM_POSITION_RISK_WEIGHT = 5;
export const USDM_MULTI_ASSETS_WEIGHT = 30;
/** fapi's REQUEST_WEIGHT per minute and IP, counted apart from dapi's. */
export const USDM_WEIGHT_LIMIT = 2400;
/** Reads of both views before a disagreement between them counts as a failed read. */
const CONSISTENT_READ_ROUNDS = 2;

export interface UsdmReadOptions {
  /** The last look found something: reserve the whole read up front, never half of one. */
  readonly expectHoldings: boolean;
  /** Ask the account's margin mode (the daily look, or a mode never seen). */
  readonly checkMode: boolean;
  /** The mode from the last check; undefined: never checked. */
  readonly multiAssets: boolean | undefined;
}

export interface UsdmRead {
  readonly account: UsdmAccountInfo;
  /** Nothing on USD-M: no balance and no position. */
  readonly empty: boolean;
  /** The mode the pools were cut by; undefined for an empty account whose mode was not asked. */
  readonly multiAssets: boolean | undefined;
  /** The mode was asked of Binance in this read (the daily check is done). */
  readonly modeChecked: boolean;
  readonly positions: readonly OpenPosition[];
  readonly pools: readonly MarginPool[];
  readonly usedWeight?: number;
  readonly attempts: number;
}

/** The account holds nothing on USD-M: every asset at zero and no open position. */
export function isEmptyUsdmAccount(account: UsdmAccountInfo): boolean {
  return account.positions.length === 0 && !account.assets.some(isActive);
}

/** USD-M pools from the read bodies, by the account's mode (lib/risk/pools.ts). */
export function usdmPools(account: UsdmAccountInfo, positions: readonly OpenPosition[], multiAssets: boolean) {
  if (!multiAssets) return marginPools(account, positions, "usdm");
  const { totalMaintMargin, totalMarginBalance } = account.totals;
  if (totalMaintMargin === undefined || totalMarginBalance === undefined) {
    // The mode's one pool is these two figures: without them there is no honest ratio.
    throw new PositionsMismatchError("USD-M Multi-Assets account lists no totalMaintMargin or totalMarginBalance");
  }
  return accountWidePools(
    { asset: "USD", maintMargin: totalMaintMargin, marginBalance: totalMarginBalance },
    positions,
    "usdm",
  );
}

export async function readUsdmAccount(
  client: SignedClient,
  credentials: ApiCredentials,
  deadlineMs: number,
  log: Logger,
  options: UsdmReadOptions,
): Promise<UsdmRead> {
  let attempts = 0;
  let usedWeight: number | undefined;
  const upFront = options.expectHoldings ? USDM_ACCOUNT_WEIGHT + USDM_POSITION_RISK_WEIGHT : USDM_ACCOUNT_WEIGHT;
  client.reserve(upFront);
  let prepaid = upFront;
  for (let round = 1; ; round++) {
    const account = await client.call(USDM_ACCOUNT_PATH, USDM_ACCOUNT_WEIGHT, credentials, deadlineMs, log, {
      parse: parseUsdmAccountResponse,
      prepaid: prepaid >= USDM_ACCOUNT_WEIGHT,
    });
    prepaid -= USDM_ACCOUNT_WEIGHT;
    attempts += account.attempts;
    usedWeight = account.usedWeight ?? usedWeight;
    const body = account.value;
    if (isEmptyUsdmAccount(body)) {
      return {
        account: body,
        empty: true,
        multiAssets: body.multiAssetsMargin ?? options.multiAssets,
        modeChecked: body.multiAssetsMargin !== undefined,
        positions: [],
        pools: [],
        ...(usedWeight !== undefined ? { usedWeight } : {}),
        attempts,
      };
    }
    let positions: OpenPosition[] = [];
    if (body.positions.length > 0) {
      const risk = await client.call(USDM_POSITION_RISK_PATH, USDM_POSITION_RISK_WEIGHT, credentials, deadlineMs, log, {
        parse: parseUsdmPositionRiskResponse,
        prepaid: prepaid >= USDM_POSITION_RISK_WEIGHT,
      });
      attempts = Math.max(attempts, risk.attempts);
      usedWeight = risk.usedWeight ?? usedWeight;
      try {
        positions = joinUsdmPositions(body, risk.value);
      } catch (err) {
        if (!(err instanceof PositionsMismatchError) || round >= CONSISTENT_READ_ROUNDS) throw err;
        log.warn("USD-M account and positionRisk disagree; reading both again", { error: err.message });
        client.reserve(USDM_ACCOUNT_WEIGHT + USDM_POSITION_RISK_WEIGHT);
        prepaid = USDM_ACCOUNT_WEIGHT + USDM_POSITION_RISK_WEIGHT;
        continue;
      }
    }
    let multiAssets = body.multiAssetsMargin ?? options.multiAssets;
    let modeChecked = body.multiAssetsMargin !== undefined;
    if (!modeChecked && (options.checkMode || multiAssets === undefined)) {
      const mode = await client.call(USDM_MULTI_ASSETS_PATH, USDM_MULTI_ASSETS_WEIGHT, credentials, deadlineMs, log, {
        parse: parseMultiAssetsMarginResponse,
        prepaid: false,
      });
      usedWeight = mode.usedWeight ?? usedWeight;
      multiAssets = mode.value;
      modeChecked = true;
    }
    const mode = multiAssets === true;
    return {
      account: body,
      empty: false,
      multiAssets: mode,
      modeChecked,
      positions,
      pools: usdmPools(body, positions, mode),
      ...(usedWeight !== undefined ? { usedWeight } : {}),
      attempts,
    };
  }
}

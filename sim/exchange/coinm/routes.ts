/**
 * COIN-M's endpoints on the loopback exchange (`/dapi/v1/...`): their weights, the unsigned time and
 * exchangeInfo, and the signed account and positionRisk bodies, computed by the margin engine for
 * the keys it holds and scripted by the test for the others.
 */

import { bracketOf, type EngineAccount } from "../../engine/coinm/account.js";
import type { PositionRiskFilter } from "../../engine/coinm/bodies.js";
import { accountBodyOf, positionRiskBodyOf } from "../../engine/coinm/bodies.js";
import { DEFAULT_BRACKET } from "../../engine/coinm/contract.js";
import type { EngineSource } from "../../engine/coinm/engine.js";
import type { ProductRoutes, SignedCall } from "../routes.js";
import { DEFAULT_SYMBOLS, exchangeInfoResponse } from "./exchange-info.js";
import { filterBody, positionRiskFromAccountBody } from "./scripted-bodies.js";

export const ACCOUNT_PATH = "/dapi/v1/account";
export const POSITION_RISK_PATH = "/dapi/v1/positionRisk";
export const EXCHANGE_INFO_PATH = "/dapi/v1/exchangeInfo";
export const TIME_PATH = "/dapi/v1/time";
export const LEVERAGE_BRACKET_PATH = "/dapi/v2/leverageBracket";

/** Documented request weights (Binance COIN-M REST docs). */
export const COINM_WEIGHTS: Readonly<Record<string, number>> = {
  [ACCOUNT_PATH]: 5,
  [POSITION_RISK_PATH]: 1,
  [EXCHANGE_INFO_PATH]: 1,
  [TIME_PATH]: 1,
  [LEVERAGE_BRACKET_PATH]: 1,
};

export interface CoinmBodies {
  /**
   * Body of a key's `/dapi/v1/account` call, for keys the engine does not hold. `callIndex` counts
   * that key's valid calls to that path (0, 1, ...).
   */
  readonly account?: (apiKey: string, callIndex: number) => string;
  /**
   * Body of a key's `/dapi/v1/positionRisk` call, for keys the engine does not hold. Without it, or
   * when it returns undefined, the rows are derived from the account body of the same call index
   * (see positionRiskFromAccountBody).
   */
  readonly positionRisk?: (apiKey: string, callIndex: number) => string | undefined;
  /** Margin engine: both signed bodies of the keys it holds are computed from its state at request time. */
  readonly engine?: EngineSource;
  /** Symbols listed by `/dapi/v1/exchangeInfo` besides DEFAULT_SYMBOLS. */
  readonly symbols?: readonly string[];
}

/** What the routes read from the exchange at request time. */
export interface ExchangeClock {
  serverTime(): number;
  readonly weightLimit: number;
}

export function coinmRoutes(bodies: CoinmBodies, exchange: ExchangeClock): ProductRoutes {
  return {
    weights: COINM_WEIGHTS,
    unsigned(path) {
      if (path === TIME_PATH) return { serverTime: exchange.serverTime() };
      if (path === EXCHANGE_INFO_PATH) {
        return exchangeInfoResponse(
          [...DEFAULT_SYMBOLS, ...(bodies.symbols ?? [])],
          exchange.weightLimit,
          exchange.serverTime(),
        );
      }
      return undefined;
    },
    signed(call: SignedCall) {
      const { params } = call;
      return signedBody(bodies, call, {
        ...(params.get("marginAsset") ? { marginAsset: params.get("marginAsset") ?? "" } : {}),
        ...(params.get("pair") ? { pair: params.get("pair") ?? "" } : {}),
      });
    },
  };
}

/**
 * `GET /dapi/v2/leverageBracket`: the one bracket per symbol the engine applies (open above its
 * floor), for the listed symbols and the account's own, numbers as Binance sends them.
 */
function leverageBracketBody(symbols: readonly string[], state: EngineAccount | undefined): string {
  const all = [...new Set([...symbols, ...(state?.positions.map((p) => p.symbol) ?? [])])];
  return JSON.stringify(
    all.map((symbol) => {
      const bracket = state ? bracketOf(state, symbol) : DEFAULT_BRACKET;
      return {
        symbol,
        brackets: [
          {
            bracket: 1,
            initialLeverage: 125,
            qtyFloor: 0,
            maintMarginRatio: bracket.maintMarginRatio,
            cum: bracket.cum,
          },
        ],
      };
    }),
  );
}

function signedBody(bodies: CoinmBodies, call: SignedCall, filter: PositionRiskFilter): string | undefined {
  const { path, apiKey, callIndex: index } = call;
  if (path === LEVERAGE_BRACKET_PATH) {
    const state = bodies.engine?.account(apiKey, 0);
    if (!state && !bodies.account) return undefined;
    return leverageBracketBody([...DEFAULT_SYMBOLS, ...(bodies.symbols ?? [])], state);
  }
  if (path !== ACCOUNT_PATH && path !== POSITION_RISK_PATH) return undefined;
  const state = bodies.engine?.account(apiKey, index);
  if (path === ACCOUNT_PATH) return state ? accountBodyOf(state) : bodies.account?.(apiKey, index);
  if (state) return positionRiskBodyOf(state, filter);
  const given = bodies.positionRisk?.(apiKey, index);
  if (given !== undefined) return filterBody(given, filter);
  const account = bodies.account?.(apiKey, index);
  return account === undefined ? undefined : positionRiskFromAccountBody(account, filter);
}

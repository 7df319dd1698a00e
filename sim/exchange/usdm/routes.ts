/**
 * USD-M's endpoints on the loopback exchange (`/fapi/...`): their documented weights, the unsigned
 * time, and the signed account, positionRisk and Multi-Assets mode bodies, computed by the linear
 * margin engine (sim/engine/usdm/) for the keys it holds and empty for every other valid key.
 * fapi counts its weight apart from dapi's, as Binance does.
 */
import { EMPTY_USDM_ACCOUNT, usdmAccountBodyOf, usdmPositionRiskBodyOf } from "../../engine/usdm/bodies.js";
import type { UsdmEngineSource } from "../../engine/usdm/engine.js";
import type { ProductRoutes, SignedCall } from "../routes.js";

export const USDM_ACCOUNT_PATH = "/fapi/v3/account";
export const USDM_POSITION_RISK_PATH = "/fapi/v3/positionRisk";
export const USDM_MULTI_ASSETS_PATH = "/fapi/v1/multiAssetsMargin";
export const USDM_TIME_PATH = "/fapi/v1/time";

/** Documented request weights (Binance USDⓈ-M REST docs). */
export const USDM_WEIGHTS: Readonly<Record<string, number>> = {
  [USDM_ACCOUNT_PATH]: 5,
  [USDM_POSITION_RISK_PATH]: 5,
  [USDM_MULTI_ASSETS_PATH]: 30,
  [USDM_TIME_PATH]: 1,
};

export interface UsdmBodies {
  /** The linear engine; absent: every key holds nothing on USD-M. */
  readonly usdmEngine?: UsdmEngineSource;
  /** A scripted `/fapi/v3/account` body for a key, before the engine (a broken body, an outage page). */
  readonly usdmAccount?: (apiKey: string, callIndex: number) => string | undefined;
}

export function usdmRoutes(bodies: UsdmBodies, exchange: { serverTime(): number }): ProductRoutes {
  return {
    weights: USDM_WEIGHTS,
    weightGroup: "fapi",
    unsigned: (path) => (path === USDM_TIME_PATH ? { serverTime: exchange.serverTime() } : undefined),
    signed(call: SignedCall) {
      const state = bodies.usdmEngine?.account(call.apiKey, call.callIndex) ?? EMPTY_USDM_ACCOUNT;
      if (call.path === USDM_ACCOUNT_PATH) {
        return bodies.usdmAccount?.(call.apiKey, call.callIndex) ?? usdmAccountBodyOf(state);
      }
      if (call.path === USDM_POSITION_RISK_PATH) return usdmPositionRiskBodyOf(state);
      if (call.path === USDM_MULTI_ASSETS_PATH)
        return JSON.stringify({ multiAssetsMargin: state.multiAssets === true });
      return undefined;
    },
  };
}

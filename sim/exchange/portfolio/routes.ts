/**
 * Portfolio Margin's endpoints on the loopback exchange (`/papi/v1/...`): the account and both
 * segments' positionRisk, computed by the PM engine for the keys it holds. papi has no time
 * endpoint (clients sync on COIN-M's) and counts weight against its own per-IP limit. Every other
 * key gets -2015 here, and a PM key gets -2015 on the classic products (exchange.ts), as Binance does.
 */
import { accountBody, type PortfolioEngine, positionRiskBody } from "../../engine/portfolio/engine.js";
import type { ProductRoutes } from "../routes.js";

export const PM_ACCOUNT_PATH = "/papi/v1/account";
export const PM_CM_POSITION_RISK_PATH = "/papi/v1/cm/positionRisk";
export const PM_UM_POSITION_RISK_PATH = "/papi/v1/um/positionRisk";

/** Documented request weights (Binance Portfolio Margin REST docs). */
export const PORTFOLIO_WEIGHTS: Readonly<Record<string, number>> = {
  [PM_ACCOUNT_PATH]: 20,
  [PM_CM_POSITION_RISK_PATH]: 1,
  [PM_UM_POSITION_RISK_PATH]: 5,
};

/** papi's per-IP REQUEST_WEIGHT a minute. */
export const PORTFOLIO_WEIGHT_LIMIT = 6000;

export function portfolioRoutes(engine: PortfolioEngine | undefined): ProductRoutes {
  return {
    weights: PORTFOLIO_WEIGHTS,
    weightGroup: "papi",
    weightLimit: PORTFOLIO_WEIGHT_LIMIT,
    unsigned: () => undefined,
    signed(call) {
      const account = engine?.get(call.apiKey);
      if (!account) return undefined;
      if (call.path === PM_ACCOUNT_PATH) return accountBody(account);
      if (call.path === PM_CM_POSITION_RISK_PATH) return positionRiskBody(account, "cm");
      if (call.path === PM_UM_POSITION_RISK_PATH) return positionRiskBody(account, "um");
      return undefined;
    },
  };
}

/**
 * The figures a Portfolio Margin alert carries beyond a pool's: uniMMR, the account status and
 * the equity (USD) to add to get back above the lowest PM level, all from this read.
 */
import type { MarginAlert } from "../alerts/messages.js";
import { OK_LEVEL } from "../risk/levels.js";
import type { AssessedPool } from "../risk/pools.js";
import { equityToAdd, PORTFOLIO_LIQUIDATION_UNIMMR, type PortfolioLevel } from "../risk/portfolio.js";

export function withPortfolioFigures(
  alert: MarginAlert,
  pool: AssessedPool | undefined,
  levels: readonly PortfolioLevel[],
): MarginAlert {
  const figures = pool?.portfolio;
  if (!figures) return alert;
  const lowest = levels[0];
  const toAdd = alert.level !== OK_LEVEL && lowest ? equityToAdd(figures, lowest.uniMMR) : undefined;
  return {
    ...alert,
    portfolio: {
      ...figures,
      statusLevel: pool.statusLevel ?? OK_LEVEL,
      liquidationUniMMR: PORTFOLIO_LIQUIDATION_UNIMMR,
      ...(lowest ? { target: lowest } : {}),
      ...(toAdd !== undefined ? { equityToAdd: toAdd } : {}),
    },
  };
}

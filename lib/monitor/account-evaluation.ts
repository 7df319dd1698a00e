/**
 * What one read means for an account's alert state, as pure functions: the health decision, each
 * margin pool's level under its levels (the account's overrides, else the stack's) and the
 * alerts that changes raise, with every figure a person needs to act. The cycle does the I/O.
 */

import type { Alert, MarginAlert } from "../alerts/messages.js";
import {
  decideHealth,
  decidePool,
  HEALTHY,
  type PolicySettings,
  type PoolAlertState,
  type ReadOutcome,
} from "../alerts/policy.js";
import type { AccountConfig, MonitorConfig } from "../config.js";
import { levelsForPool } from "../risk/level-overrides.js";
import { levelRank, OK_LEVEL, type RiskLevels } from "../risk/levels.js";
import { type AssessedPool, poolOfId } from "../risk/pools.js";
import { PORTFOLIO_POOL_ID, portfolioAlertLevels } from "../risk/portfolio.js";
import { marginToAddForPool } from "../risk/remedy.js";
import { withPortfolioFigures } from "./portfolio-alert.js";
import type { AccountState } from "./ports.js";

function policyOf(config: MonitorConfig, levels: RiskLevels = riskLevelsOf(config)): PolicySettings {
  return {
    levels: levels.ratio,
    hysteresis: config.hysteresis,
    distanceLevels: levels.distance,
    distanceHysteresis: config.distanceHysteresis,
    renotifyMs: config.renotifyMinutes * 60_000,
  };
}

function riskLevelsOf(config: MonitorConfig): RiskLevels {
  return { ratio: config.alertLevels, distance: config.distanceLevels };
}

/** The levels one pool is judged by: the account's overrides for its symbol or asset, else global. */
export function poolRiskLevels(
  config: MonitorConfig,
  account: AccountConfig | undefined,
  id: string,
  asset?: string,
): RiskLevels {
  const levels = levelsForPool(riskLevelsOf(config), account?.levels, id, asset, config.hysteresis);
  if (id !== PORTFOLIO_POOL_ID) return levels;
  // A Portfolio Margin account: its uniMMR levels, with the distance levels of the names it keeps.
  const ratio = portfolioAlertLevels(config.portfolioLevels, config.portfolioHysteresis);
  return { ratio, distance: levels.distance.filter((d) => ratio.some((l) => l.name === d.name)) };
}

/** The levels of a pool of the named account (for the watch rule and mark checks). */
export function evaluateAccountLevels(
  config: MonitorConfig,
  account: string,
  pool: { readonly id: string; readonly asset: string },
): RiskLevels {
  return poolRiskLevels(
    config,
    config.accounts.find((a) => a.name === account),
    pool.id,
    pool.asset,
  );
}

export function evaluateAccount(
  config: MonitorConfig,
  prev: AccountState,
  pools: readonly AssessedPool[],
  outcome: ReadOutcome,
  readError: { kind: string; message: string } | undefined,
  account: string,
  cycleTime: Date,
  nowMs: number,
): { state: AccountState; alerts: Alert[] } {
  const at = cycleTime.toISOString();
  const alerts: Alert[] = [];
  const health = decideHealth(prev.health ?? HEALTHY, outcome, config.failuresBeforeAlert);
  if (health.notice) {
    alerts.push({
      type: "health",
      id: `${at}#${account}#health#${health.notice}`,
      account,
      notice: health.notice,
      failures: health.notice === "restored" ? prev.health.consecutiveFailures : health.next.consecutiveFailures,
      ...(readError ? { errorKind: readError.kind, reason: readError.message } : {}),
      at,
    });
  }
  // USD-M pools are judged by their own read (usdm-evaluation.ts): a COIN-M read says nothing of them.
  const judged = outcome.ok
    ? judgePools(config, prev.pools, pools, (id) => poolOfId(id).product !== "usdm", account, at, nowMs)
    : { pools: prev.pools, alerts: [] };
  alerts.push(...judged.alerts);
  return {
    state: { ...prev, lastCycleAt: at, pools: judged.pools, health: health.next },
    alerts,
  };
}

/**
 * What pools revalued at a new mark (lib/risk/revalue.ts) mean for the alert state: a pool whose
 * level at the mark is above the level it holds escalates at once, through the same policy
 * (decidePool) as a read; a pool at or below its held level is left exactly as it is (the stream
 * never lowers a level, sends no reminder and no recovery: only a signed read does). Health and
 * the cycle time are untouched: a mark is not a read.
 */
export function evaluateMarkEscalations(
  config: MonitorConfig,
  prev: AccountState,
  pools: readonly AssessedPool[],
  account: string,
  at: Date,
): { state: AccountState; alerts: Alert[] } {
  const iso = at.toISOString();
  const alerts: Alert[] = [];
  const next: Record<string, PoolAlertState> = { ...prev.pools };
  const accountConfig = config.accounts.find((a) => a.name === account);
  for (const pool of [...pools].sort((a, b) => a.id.localeCompare(b.id))) {
    const levels = poolRiskLevels(config, accountConfig, pool.id, pool.asset);
    const held = prev.pools[pool.id]?.level ?? OK_LEVEL;
    if (levelRank(pool.level, levels.ratio) <= levelRank(held, levels.ratio)) continue;
    const decision = decidePool(
      prev.pools[pool.id],
      { ratio: pool.ratio, distance: pool.distance },
      at.getTime(),
      policyOf(config, levels),
    );
    if (decision.notice !== "escalated") continue;
    next[pool.id] = { ...decision.next, label: pool.label };
    alerts.push({
      ...marginAlert(
        levels,
        { account, at: iso, id: pool.id, pool, label: pool.label, notice: decision.notice, ...decision.next },
        decision,
      ),
      // Its own id: a read at the same millisecond must not collide with it.
      id: `${iso}#${account}#${pool.id}#${decision.notice}#mark`,
      source: "mark-price",
    });
  }
  return { state: { ...prev, pools: next }, alerts };
}

/**
 * The pools' alert states after this read, and the alerts they raise, for the pool ids `inScope`
 * (one product's read); every other pool's state is kept as it was.
 */
export function judgePools(
  config: MonitorConfig,
  prevPools: AccountState["pools"],
  pools: readonly AssessedPool[],
  inScope: (id: string) => boolean,
  account: string,
  at: string,
  nowMs: number,
): { pools: Record<string, PoolAlertState>; alerts: MarginAlert[] } {
  const alerts: MarginAlert[] = [];
  const next: Record<string, PoolAlertState> = { ...prevPools };
  const accountConfig = config.accounts.find((a) => a.name === account);
  const byId = new Map(pools.filter((p) => inScope(p.id)).map((p) => [p.id, p]));
  // Pools that disappeared (position closed, balance moved) count as ratio 0, no liquidation price.
  const ids = new Set([...Object.keys(prevPools).filter(inScope), ...byId.keys()]);
  for (const id of [...ids].sort()) {
    const pool = byId.get(id);
    const levels = poolRiskLevels(config, accountConfig, id, pool?.asset);
    const decision = decidePool(
      prevPools[id],
      {
        ratio: pool?.ratio ?? 0,
        distance: pool?.distance ?? null,
        // A Portfolio Margin account's status holds its level whatever uniMMR says (portfolio-status.ts).
        ...(pool?.statusLevel !== undefined ? { atLeast: pool.statusLevel } : {}),
      },
      nowMs,
      policyOf(config, levels),
    );
    const label = pool?.label ?? prevPools[id]?.label;
    if (decision.next.level === OK_LEVEL && !pool) delete next[id];
    else next[id] = { ...decision.next, ...(label ? { label } : {}) };
    if (decision.notice) {
      const alert = marginAlert(
        levels,
        { account, at, id, pool, label, notice: decision.notice, ...decision.next },
        decision,
      );
      alerts.push(alert.poolKind === "portfolio" ? withPortfolioFigures(alert, pool, config.portfolioLevels) : alert);
    }
  }
  return { pools: next, alerts };
}

/** The alert for a pool's change: every figure a person needs to act, taken from this read. */
function marginAlert(
  levels: RiskLevels,
  change: {
    account: string;
    at: string;
    id: string;
    pool: AssessedPool | undefined;
    label: string | undefined;
    notice: NonNullable<ReturnType<typeof decidePool>["notice"]>;
    level: string;
  },
  decision: ReturnType<typeof decidePool>,
): MarginAlert {
  const { pool, id, level } = change;
  const known = pool ?? poolOfId(id);
  const portfolio = known.kind === "portfolio";
  // Enough to bring the pool under the lowest level by both measures: a ratio under it alone can
  // leave a low-bracket position ~0.5% from liquidation, still critical by distance. The pool's
  // own levels (an account's or asset's overrides) set both targets.
  const lowest = levels.ratio[0];
  const targetDistance = levels.distance[0]?.distance;
  const toAdd =
    pool && !portfolio && level !== OK_LEVEL && lowest !== undefined
      ? marginToAddForPool(pool, lowest.ratio, targetDistance)
      : undefined;
  const near = pool?.nearest;
  return {
    type: "margin",
    id: `${change.at}#${change.account}#${id}#${change.notice}`,
    account: change.account,
    pool: id,
    // A pool that is gone (position closed) keeps the label it had in the state.
    poolLabel: change.label ?? poolOfId(id).label,
    ...(known.product && known.product !== "coinm" ? { product: known.product } : {}),
    poolKind: known.kind,
    asset: known.asset,
    notice: change.notice,
    level,
    previousLevel: decision.previousLevel,
    ratio: pool ? (Number.isFinite(pool.ratio) ? pool.ratio : null) : 0,
    distance: pool?.distance ?? null,
    ratioLevel: pool?.ratioLevel ?? OK_LEVEL,
    distanceLevel: pool?.distanceLevel ?? OK_LEVEL,
    requirement: pool?.requirement ?? "0",
    collateral: pool?.collateral ?? "0",
    ...(near?.markPrice !== undefined && near.liquidationPrice !== undefined
      ? {
          nearest: {
            symbol: near.symbol,
            side: near.side,
            markPrice: near.markPrice,
            liquidationPrice: near.liquidationPrice,
          },
        }
      : {}),
    ...(toAdd !== undefined && lowest !== undefined
      ? {
          marginToAdd: toAdd,
          target: {
            level: lowest.name,
            ratio: lowest.ratio,
            ...(targetDistance !== undefined ? { distance: targetDistance } : {}),
          },
        }
      : {}),
    at: change.at,
  };
}

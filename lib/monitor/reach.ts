/**
 * Who is watched between signed reads (docs/architecture.md, "Who is watched"): every account at
 * warning or above (cadence.ts, isAtRisk), plus any account with a pool *within reach*: one whose
 * marks could carry it to its warning level before the next scheduled read, at its symbols'
 * recent volatility.
 *
 *   move(pool)  = the smallest relative move of its marks (all its symbols together, either way)
 *                 that takes the revalued pool (lib/risk/revalue.ts) to warning or above, by ratio
 *                 or by distance; searched up to MAX_MOVE, beyond which a pool is out of reach.
 *   reach(sym)  = SIGMAS x max(floor, worst 1-minute move of the symbol seen in the last hour)
 *                 x sqrt(horizon / 1 minute), horizon = the time to the next scheduled read.
 *   within reach  <=>  move(pool) <= max over its symbols of reach(sym).
 *
 * The volatility is the container's own record of marks: every signed read gives each open
 * symbol's mark and every stream message one more, so judging it costs no request. A container
 * with no history yet uses the floor (1% a minute, about ten times BTC's usual minute, and the
 * order of its worst minutes in the October 2025 crash); SIGMAS = 3 leaves room for a minute three
 * times worse than any seen. A calm pool farther than that from warning is out of reach and its
 * invocation returns after one read, as before.
 */
import { type Decimal, decimalFromNumber, mulDecimal, parseDecimal } from "../risk/decimal.js";
import { levelRank, poolLevels, type RiskLevels } from "../risk/levels.js";
import type { AssessedPool, MarginPool } from "../risk/pools.js";
import { isRevaluable, type RevalueContext, revaluePool, symbolsOf } from "../risk/revalue.js";

export interface ReachSettings {
  /** Multiple of the worst recent minute a pool must stay beyond. @default 3 */
  readonly sigmas: number;
  /** Volatility assumed per minute without (or above) history. @default 0.01 */
  readonly floorPerMinute: number;
  /** Moves searched for a crossing; a pool farther than this is out of reach. @default 0.25 */
  readonly maxMove: number;
}

export const DEFAULT_REACH: ReachSettings = { sigmas: 3, floorPerMinute: 0.01, maxMove: 0.25 };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Samples closer than this are not a minute's move. */
const MIN_GAP_MS = 20_000;

/**
 * Marks seen by this container per symbol, over the last hour: the volatility the watch rule
 * uses. Lives as long as the container, like the weight governor.
 */
export class MarkHistory {
  private readonly samples = new Map<string, { at: number; mark: number }[]>();

  record(symbol: string, mark: number, atMs: number): void {
    if (!(mark > 0) || !Number.isFinite(mark)) return;
    const list = this.samples.get(symbol) ?? [];
    const last = list[list.length - 1];
    if (last && atMs - last.at < MIN_GAP_MS) return;
    list.push({ at: atMs, mark });
    while (list.length > 0 && (list[0]?.at ?? atMs) < atMs - HOUR_MS) list.shift();
    this.samples.set(symbol, list);
  }

  /** The worst move per minute between consecutive samples of the last hour; undefined: no pair yet. */
  worstMinuteMove(symbol: string): number | undefined {
    const list = this.samples.get(symbol) ?? [];
    let worst: number | undefined;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1];
      const b = list[i];
      if (!a || !b) continue;
      const minutes = Math.max(1, (b.at - a.at) / MINUTE_MS);
      // A move over several minutes counts as that many minutes of a random walk.
      const perMinute = Math.abs(Math.log(b.mark / a.mark)) / Math.sqrt(minutes);
      worst = Math.max(worst ?? 0, perMinute);
    }
    return worst;
  }
}

/** How far (a fraction of the mark) a symbol's mark can go before the next read, at its recent volatility. */
export function reachOf(
  symbol: string,
  history: MarkHistory,
  horizonMs: number,
  settings: ReachSettings = DEFAULT_REACH,
): number {
  const perMinute = Math.max(settings.floorPerMinute, history.worstMinuteMove(symbol) ?? 0);
  return settings.sigmas * perMinute * Math.sqrt(Math.max(horizonMs, MINUTE_MS / 60) / MINUTE_MS);
}

/** Every position's read mark scaled by `factor`. */
function scaledMarks(pool: MarginPool, factor: Decimal): Map<string, Decimal> | undefined {
  const marks = new Map<string, Decimal>();
  for (const p of pool.positions) {
    const mark = p.markPrice !== undefined ? parseDecimal(p.markPrice) : undefined;
    if (!mark) return undefined;
    marks.set(p.symbol, mulDecimal(mark, factor));
  }
  return marks;
}

function reachesWarning(pool: MarginPool, move: number, levels: RiskLevels, ctx: RevalueContext): boolean {
  const marks = scaledMarks(pool, decimalFromNumber(1 + move));
  const moved = marks && revaluePool(pool, marks, ctx);
  // Unknown is not safe: a pool that cannot be revalued counts as reaching.
  if (!moved) return true;
  return levelRank(poolLevels(moved.ratio, moved.distance, levels).level, levels.ratio) >= 1;
}

const SCAN_STEPS = 25;
const BISECT_STEPS = 20;

/**
 * The smallest relative move of the pool's marks (either way) that takes it to warning or above;
 * 0 when it is there already or cannot be revalued; undefined when no move up to `maxMove` does.
 * A coarse scan then a bisection inside the first step that crosses (a hedged pool need not move
 * monotonically with the mark).
 */
export function moveToWarning(
  pool: AssessedPool,
  levels: RiskLevels,
  ctx: RevalueContext,
  maxMove: number = DEFAULT_REACH.maxMove,
): number | undefined {
  if (levelRank(pool.level, levels.ratio) >= 1) return 0;
  if (pool.positions.length === 0) return undefined;
  let best: number | undefined;
  for (const sign of [-1, 1]) {
    let previous = 0;
    for (let i = 1; i <= SCAN_STEPS; i++) {
      const step = (maxMove * i) / SCAN_STEPS;
      if (best !== undefined && step >= best) break;
      if (!reachesWarning(pool, sign * step, levels, ctx)) {
        previous = step;
        continue;
      }
      let lo = previous;
      let hi = step;
      for (let k = 0; k < BISECT_STEPS; k++) {
        const mid = (lo + hi) / 2;
        if (reachesWarning(pool, sign * mid, levels, ctx)) hi = mid;
        else lo = mid;
      }
      best = best === undefined ? hi : Math.min(best, hi);
      break;
    }
  }
  return best;
}

/** Whether a pool could reach warning before the next read: move <= the reach of its most volatile symbol. */
export function isWithinReach(
  pool: AssessedPool,
  levels: RiskLevels,
  ctx: RevalueContext,
  history: MarkHistory,
  horizonMs: number,
  settings: ReachSettings = DEFAULT_REACH,
): boolean {
  // A pool the stream cannot revalue (USD-M, Portfolio Margin) keeps today's rule: watched at
  // warning or above only.
  if (!isRevaluable(pool)) return false;
  const symbols = symbolsOf([pool]);
  if (symbols.length === 0) return false;
  const reach = Math.min(settings.maxMove, Math.max(...symbols.map((s) => reachOf(s, history, horizonMs, settings))));
  if (!(reach > 0)) return false;
  if (levelRank(pool.level, levels.ratio) >= 1) return true;
  // A scan, no bisection: the question is only whether some move within reach crosses, and a
  // calm cycle pays for the answer (16 revaluations a pool).
  for (const sign of [-1, 1]) {
    for (let i = 1; i <= REACH_STEPS; i++) {
      if (reachesWarning(pool, (sign * reach * i) / REACH_STEPS, levels, ctx)) return true;
    }
  }
  return false;
}

const REACH_STEPS = 8;

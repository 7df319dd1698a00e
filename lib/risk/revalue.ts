/**
 * A margin pool at a new mark price, between two signed reads (issue 20; shared spec
 * binance-mark-price-stream.md). The last read fixes wallets, positions and Binance's own figures
 * at the read's marks; the mark stream moves only the marks. Each figure moves by what the
 * inverse-contract formulas (coinm-margin-model.md) say the mark move changes, anchored to what
 * Binance reported, so a rounding or field Binance computes differently is not re-derived:
 *
 *   size S = |positionAmt| x contractSize (USD); quantity q(m) = S / m (coin)
 *   unrealized PnL moves by    side x S x (1/m0 - 1/m1)  =  side x S x (m1 - m0) / (m0 x m1)
 *   maintenance margin moves by mm(m1) - mm(m0),  mm(m) = q(m) x rate - cum of q(m)'s bracket
 *   collateral1 = collateral0 + sum of PnL moves; requirement1 = requirement0 + sum of margin moves
 *   distance1 = |m1 - liq| / m1, with the read's liquidation price
 *
 * Exact decimals (decimal.ts); each quotient is cut at 16 digits on the unsafe side: collateral
 * rounded down, requirement up, so a revalued pool is never safer than the truth by rounding.
 *
 * The liquidation price is Binance's for the other contracts held fixed: exact for an isolated
 * pool and a cross pool of one symbol (the wallet does not move with the mark); for a cross pool
 * of several symbols whose marks move apart it is an estimate, and the next signed read corrects
 * it. Without brackets for a symbol the margin moves at the read's own rate (mm0 / q0, cum
 * held): exact inside one bracket with cum 0, and said so in `approximate`.
 */
import {
  absDecimal,
  addDecimal,
  compareDecimal,
  type Decimal,
  decimalOrZero,
  divideDown,
  divideUp,
  formatDecimal,
  mulDecimal,
  parseDecimal,
  subDecimal,
  ZERO,
} from "./decimal.js";
import { type MarginPool, poolWithFigures } from "./pools.js";
import { liquidationDistance, type OpenPosition } from "./positions.js";

/** One maintenance bracket of a symbol (GET /dapi/v2/leverageBracket): quantities in coin. */
export interface MaintenanceBracket {
  readonly qtyFloor: Decimal;
  /** Absent: the last bracket, open above. */
  readonly qtyCap?: Decimal;
  readonly maintMarginRatio: Decimal;
  readonly cum: Decimal;
}

/** What revaluing needs beyond the read: per symbol, its contract size and brackets. */
export interface RevalueContext {
  /** USD per contract (exchangeInfo `contractSize`); undefined: unknown, the pool is not revalued. */
  contractSize(symbol: string): Decimal | undefined;
  /** Sorted by qtyFloor; undefined: unknown (the read's own rate is used, `approximate`). */
  brackets(symbol: string): readonly MaintenanceBracket[] | undefined;
}

export interface RevaluedPool extends MarginPool {
  /** Some position's margin moved at the read's own rate (no brackets for its symbol). */
  readonly approximate: boolean;
}

/** Digits kept in each quotient of the revaluation. */
const SCALE = 16;

/** The bracket `qty` falls in: floor <= qty < cap; the last bracket above its floor. */
export function bracketFor(brackets: readonly MaintenanceBracket[], qty: Decimal): MaintenanceBracket | undefined {
  let found: MaintenanceBracket | undefined;
  for (const b of brackets) {
    if (compareDecimal(qty, b.qtyFloor) < 0) break;
    found = b;
    if (b.qtyCap === undefined || compareDecimal(qty, b.qtyCap) < 0) return b;
  }
  return found;
}

/** Maintenance margin of `qty` coin under `brackets`, rounded up. */
function maintenanceAt(brackets: readonly MaintenanceBracket[], qty: Decimal): Decimal | undefined {
  const b = bracketFor(brackets, qty);
  return b ? subDecimal(mulDecimal(qty, b.maintMarginRatio), b.cum) : undefined;
}

interface PositionMove {
  readonly pnl: Decimal;
  readonly maint: Decimal;
  readonly approximate: boolean;
  readonly position: OpenPosition;
}

/** How one position's PnL and margin move from its read mark to `mark`; undefined: cannot tell. */
function movePosition(p: OpenPosition, mark: Decimal, ctx: RevalueContext): PositionMove | undefined {
  const m0 = p.markPrice !== undefined ? parseDecimal(p.markPrice) : undefined;
  const amount = parseDecimal(p.positionAmt);
  const contract = ctx.contractSize(p.symbol);
  // A missing field the math needs is never zero: without them the pool is not revalued.
  if (!m0 || m0.units <= 0n || mark.units <= 0n || !amount || !contract) return undefined;
  const size = mulDecimal(absDecimal(amount), contract);
  const signed = p.side === "long" ? size : { units: -size.units, scale: size.scale };
  const pnl = divideDown(mulDecimal(signed, subDecimal(mark, m0)), mulDecimal(m0, mark), SCALE);
  const q0 = divideUp(size, m0, SCALE);
  const q1 = divideUp(size, mark, SCALE);
  const brackets = ctx.brackets(p.symbol);
  const mm0 = brackets ? maintenanceAt(brackets, q0) : undefined;
  const mm1 = brackets ? maintenanceAt(brackets, q1) : undefined;
  if (mm0 && mm1) {
    return { pnl, maint: subDecimal(mm1, mm0), approximate: false, position: p };
  }
  // The read's own rate: maintMargin x m0 / m1 (q scales as 1/m), cum held.
  const read = decimalOrZero(p.maintMargin);
  const scaled = divideUp(mulDecimal(read, m0), mark, SCALE);
  return { pnl, maint: subDecimal(scaled, read), approximate: true, position: p };
}

function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimal(a, b) >= 0 ? a : b;
}

/**
 * The pool at `marks` (symbol -> mark; a symbol not in it keeps its read mark). Undefined when a
 * position lacks what the math needs (its read mark, amount or contract size): such a pool is
 * judged by signed reads only.
 */
export function revaluePool(
  pool: MarginPool,
  marks: ReadonlyMap<string, Decimal>,
  ctx: RevalueContext,
): RevaluedPool | undefined {
  // Inverse contracts only: a USD-M (linear) or Portfolio Margin pool is judged by signed reads.
  if (!isRevaluable(pool)) return undefined;
  let pnl = ZERO;
  let maint = ZERO;
  let approximate = false;
  const positions: OpenPosition[] = [];
  for (const p of pool.positions) {
    const mark = marks.get(p.symbol);
    if (mark === undefined) {
      positions.push(p);
      continue;
    }
    const move = movePosition(p, mark, ctx);
    if (!move) return undefined;
    pnl = addDecimal(pnl, move.pnl);
    maint = addDecimal(maint, move.maint);
    approximate ||= move.approximate;
    const markText = formatDecimal(mark);
    const upnl = addDecimal(decimalOrZero(p.unrealizedProfit), move.pnl);
    const mm = maxDecimal(ZERO, addDecimal(decimalOrZero(p.maintMargin), move.maint));
    positions.push({
      ...p,
      markPrice: markText,
      unrealizedProfit: formatDecimal(upnl),
      maintMargin: formatDecimal(mm),
      ...(p.isolatedMargin !== undefined
        ? { isolatedMargin: formatDecimal(addDecimal(decimalOrZero(p.isolatedMargin), move.pnl)) }
        : {}),
      distance: liquidationDistance(markText, p.liquidationPrice, p.side),
    });
  }
  const requirement = maxDecimal(ZERO, addDecimal(decimalOrZero(pool.requirement), maint));
  const collateral = addDecimal(decimalOrZero(pool.collateral), pnl);
  const { nearest: _nearest, ratio: _ratio, distance: _distance, requirement: _req, collateral: _coll, ...base } = pool;
  return { ...poolWithFigures({ ...base, positions }, requirement, collateral), approximate };
}

/** Whether revaluePool can move this pool: COIN-M's inverse contracts (a pool without a product is COIN-M). */
export function isRevaluable(pool: MarginPool): boolean {
  return pool.product === undefined || pool.product === "coinm";
}

/** The symbols whose marks move the revaluable pools among these (COIN-M's: dstream's symbols). */
export function symbolsOf(pools: readonly MarginPool[]): string[] {
  return [...new Set(pools.filter(isRevaluable).flatMap((p) => p.positions.map((q) => q.symbol)))].sort();
}

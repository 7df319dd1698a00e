/**
 * A COIN-M account's figures, as Binance computes them (../shared/spec/coinm-margin-model.md), per
 * position with contract size c (USD):
 *   size S = |positionAmt| × c (USD); notional (coin) = S / mark
 *   unrealized PnL (coin) = side × S × (1/entry − 1/mark), side +1 long, −1 short
 *   maintenance margin (coin) = S / mark × m − cum, from the symbol's bracket (m, cum)
 *   initial margin (coin) = notional / leverage
 * Pools: the cross pool of an asset is its cross wallet plus its cross positions; each isolated
 * position is a pool of its own wallet and itself. Liquidation happens when a pool's collateral
 * (wallet + PnL) falls to its requirement (Σ maintenance margin). Arithmetic is in doubles (about
 * 15 significant digits, far beyond the 8 decimals rendered); bodies.ts rounds each figure once.
 */
import { amount, MarginEngineInputError } from "../units.js";
import { bracketOf, type EngineAccount, type EnginePosition, type MarginType, markOf } from "./account.js";
import { contractSizeOf, type MaintenanceBracket, marginAssetOf } from "./contract.js";

export interface PositionFigures {
  readonly position: EnginePosition;
  readonly asset: string;
  /** +1 long, −1 short, 0 flat. */
  readonly side: number;
  readonly mark: number;
  /** |amt| × contract size, USD. */
  readonly sizeUsd: number;
  /** Coin, unsigned. */
  readonly notional: number;
  readonly unrealizedPnl: number;
  readonly maintMargin: number;
  readonly initialMargin: number;
  readonly bracket: MaintenanceBracket;
}

/** A position's figures at its symbol's mark (or at `mark` if given). */
export function positionFigures(account: EngineAccount, position: EnginePosition, mark?: number): PositionFigures {
  const p = mark ?? markOf(account, position.symbol);
  const side = Math.sign(position.positionAmt);
  const sizeUsd =
    Math.abs(position.positionAmt) * (account.contractSizes?.[position.symbol] ?? contractSizeOf(position.symbol));
  const bracket = bracketOf(account, position.symbol);
  const notional = sizeUsd / p;
  const flat = side === 0;
  return {
    position,
    asset: marginAssetOf(position.symbol),
    side,
    mark: p,
    sizeUsd,
    notional,
    unrealizedPnl: flat ? 0 : side * sizeUsd * (1 / position.entryPrice - 1 / p),
    maintMargin: flat ? 0 : notional * bracket.maintMarginRatio - bracket.cum,
    initialMargin: flat ? 0 : notional / position.leverage,
    bracket,
  };
}

export interface PoolFigures {
  /** "BTC cross" or e.g. "BTCUSD_PERP LONG isolated". */
  readonly id: string;
  readonly kind: MarginType;
  readonly asset: string;
  /** Isolated pools only. */
  readonly position?: EnginePosition;
  /** The non-zero positions in the pool. */
  readonly positions: readonly EnginePosition[];
  /** Cross wallet or isolated wallet, coin. */
  readonly wallet: number;
  /** wallet + Σ unrealized PnL, coin. */
  readonly collateral: number;
  /** Σ maintenance margin, coin. */
  readonly requirement: number;
  /** requirement / collateral: 0 without a requirement, +Infinity when collateral ≤ 0 with one. */
  readonly ratio: number;
}

function isolatedPoolId(p: EnginePosition): string {
  return `${p.symbol} ${p.positionSide} isolated`;
}

/** The pool a position belongs to: its asset's cross pool, or its own isolated pool. */
export function poolIdOf(position: EnginePosition): string {
  return position.marginType === "isolated" ? isolatedPoolId(position) : `${marginAssetOf(position.symbol)} cross`;
}

function ratioOf(requirement: number, collateral: number): number {
  if (requirement <= 0) return 0;
  return collateral <= 0 ? Number.POSITIVE_INFINITY : requirement / collateral;
}

/**
 * Every margin pool of the account: one cross pool per asset that has a cross wallet or a cross
 * position, and one pool per non-zero isolated position. Figures are unrounded doubles.
 */
export function poolsOf(account: EngineAccount): PoolFigures[] {
  const open = account.positions.filter((p) => p.positionAmt !== 0);
  const assets = new Set([
    ...Object.keys(account.crossWallets),
    ...open.filter((p) => p.marginType === "cross").map((p) => marginAssetOf(p.symbol)),
  ]);
  const pool = (
    id: string,
    kind: MarginType,
    asset: string,
    wallet: number,
    members: EnginePosition[],
  ): PoolFigures => {
    const figures = members.map((p) => positionFigures(account, p));
    const collateral = wallet + figures.reduce((s, f) => s + f.unrealizedPnl, 0);
    const requirement = figures.reduce((s, f) => s + f.maintMargin, 0);
    return {
      id,
      kind,
      asset,
      ...(kind === "isolated" && members[0] ? { position: members[0] } : {}),
      positions: members,
      wallet,
      collateral,
      requirement,
      ratio: ratioOf(requirement, collateral),
    };
  };
  return [
    ...[...assets].map((asset) =>
      pool(
        `${asset} cross`,
        "cross",
        asset,
        amount(account.crossWallets[asset]),
        open.filter((p) => p.marginType === "cross" && marginAssetOf(p.symbol) === asset),
      ),
    ),
    ...open
      .filter((p) => p.marginType === "isolated")
      .map((p) => pool(isolatedPoolId(p), "isolated", marginAssetOf(p.symbol), amount(p.isolatedWallet), [p])),
  ];
}

/** The pool with this id ("BTC cross", "BTCUSD_PERP LONG isolated"). */
export function poolOf(account: EngineAccount, id: string): PoolFigures {
  const found = poolsOf(account).find((p) => p.id === id);
  if (!found) throw new MarginEngineInputError(`no pool ${id}`);
  return found;
}

/**
 * The mark price of `position`'s symbol at which its pool's collateral equals its requirement,
 * holding every other symbol of the pool at its current mark (Binance's reference price). Both
 * hedge-mode sides of a symbol in one cross pool move with the same mark, so they share a price.
 *
 * Solved in closed form: with the symbol's mark p as the only variable, collateral − requirement
 * = K − A/p, where K = wallet + Σ_other symbols (PnL − maint) + Σ_this symbol (side·S/entry + cum)
 * and A = Σ_this symbol S·(side + m). The root p = A/K exists when A and K have the same sign.
 * Returns 0 ("none", as Binance renders it) for a flat row, a short the collateral covers at any
 * price (A < 0 ≤ K), and a pool already short of collateral at every price (A > 0 ≥ K; its ratio
 * is then ≥ 100% already).
 */
export function liquidationPriceOf(account: EngineAccount, position: EnginePosition): number {
  if (position.positionAmt === 0) return 0;
  const id = poolIdOf(position);
  const pool = poolOf(account, id);
  let k = pool.wallet;
  let a = 0;
  for (const member of pool.positions) {
    const f = positionFigures(account, member);
    if (member.symbol === position.symbol) {
      k += (f.side * f.sizeUsd) / member.entryPrice + f.bracket.cum;
      a += f.sizeUsd * (f.side + f.bracket.maintMarginRatio);
    } else {
      k += f.unrealizedPnl - f.maintMargin;
    }
  }
  if (a === 0 || k === 0 || Math.sign(a) !== Math.sign(k)) return 0;
  return a / k;
}

/**
 * |mark − liquidationPrice| / mark; 0 once the pool's collateral is at or below its requirement
 * (the liquidation price is then behind the mark, or there is none: a liquidation is under way);
 * undefined when there is no liquidation price.
 */
export function distanceToLiquidation(account: EngineAccount, position: EnginePosition): number | undefined {
  if (position.positionAmt === 0) return undefined;
  const pool = poolOf(account, poolIdOf(position));
  if (pool.requirement > 0 && pool.collateral <= pool.requirement) return 0;
  const liq = liquidationPriceOf(account, position);
  if (liq === 0) return undefined;
  const mark = markOf(account, position.symbol);
  return Math.abs(mark - liq) / mark;
}

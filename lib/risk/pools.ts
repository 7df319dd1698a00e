/**
 * Margin pools: where Binance actually liquidates. COIN-M shares margin only among the cross
 * positions of one margin asset; every isolated position is a pool of its own
 * (docs/architecture.md, "Margin pools"; shared spec coinm-margin-model.md).
 *
 * - Cross pool of asset A: requirement = Σ maintMargin of A's cross positions; collateral =
 *   crossWalletBalance + crossUnPnl of A, or (either absent) marginBalance − Σ isolatedMargin.
 * - Isolated position P: requirement = P's maintMargin; collateral = P's isolated wallet + its
 *   unrealized PnL (positionRisk's `isolatedMargin`).
 * Ratio = requirement / collateral (liquidation at 100%); collateral <= 0 with a requirement is
 * +Infinity, beyond every level. Distance = the smallest |mark - liq| / mark among the pool's
 * positions. Exact decimal arithmetic throughout; no floats until the final quotient. A figure
 * the math needs and the answer lacks is never taken as zero: the read fails (BinanceResponseFormatError).
 */
import { BinanceResponseFormatError } from "../core/errors.js";
import {
  addDecimal,
  compareDecimal,
  type Decimal,
  decimalOrZero,
  formatDecimal,
  marginRatio,
  parseDecimal,
  subDecimal,
  sumDecimals,
  ZERO,
} from "./decimal.js";
import { type PoolLevels, poolLevels, type RiskLevels } from "./levels.js";
import { linearMarginAssetOf } from "./linear.js";
import { type PortfolioFigures, statusLevel } from "./portfolio-status.js";
import { marginAssetOf, type OpenPosition, type PositionSide } from "./positions.js";
import { type Product, productLabel, productPoolId, splitPoolId } from "./product.js";

/**
 * One margin asset's balances as a product reports them (COIN-M's and USD-M's `assets[]`), raw
 * decimal strings; the cross pool needs the cross wallet and PnL, or the margin balance.
 */
export interface CrossBalance {
  readonly asset: string;
  readonly walletBalance?: string;
  readonly marginBalance?: string;
  readonly maintMargin?: string;
  readonly unrealizedProfit?: string;
  readonly crossWalletBalance?: string;
  readonly crossUnPnl?: string;
}

/** A Portfolio Margin account is one pool of its own, account-wide (portfolio.ts). */
export type PoolKind = "cross" | "isolated" | "portfolio";

export type { Product } from "./product.js";

export interface MarginPool {
  /** Stable key of the pool: the asset ("BTC") for a cross pool, `SYMBOL#SIDE` for an isolated one. */
  readonly id: string;
  readonly kind: PoolKind;
  /** Absent: COIN-M. */
  readonly product?: Product;
  readonly asset: string;
  /** Isolated pools only. */
  readonly symbol?: string;
  readonly positionSide?: PositionSide;
  readonly side?: "long" | "short";
  /** For people: "BTC cross", "BTCUSD_PERP long isolated". */
  readonly label: string;
  /** Σ maintenance margin, in the asset. */
  readonly requirement: string;
  /** What the pool can lose before liquidation, in the asset. */
  readonly collateral: string;
  /** requirement / collateral; +Infinity when collateral <= 0 with a requirement. */
  readonly ratio: number;
  /**
   * Smallest distance to liquidation among its positions (0 for all of them once collateral is at
   * or below the requirement); null when none has a liquidation price.
   */
  readonly distance: number | null;
  /** The position nearest its liquidation price (the one the distance is from). */
  readonly nearest?: OpenPosition;
  readonly positions: readonly OpenPosition[];
  /** A Portfolio Margin pool's account-wide figures, Binance's raw strings (portfolio.ts). */
  readonly portfolio?: PortfolioFigures;
}

/** A pool with the levels its two measures reach now (no hysteresis: that is the policy's job). */
export type AssessedPool = MarginPool & PoolLevels;

/** Assets with any balance or margin; Binance lists every COIN-M asset, most of them all zeros. */
export function isActive(balance: CrossBalance): boolean {
  return [balance.walletBalance, balance.marginBalance, balance.maintMargin, balance.unrealizedProfit].some(
    (v) => decimalOrZero(v).units !== 0n,
  );
}

export function crossPoolId(asset: string): string {
  return asset;
}

export function isolatedPoolId(p: { readonly symbol: string; readonly positionSide: string }): string {
  return `${p.symbol}#${p.positionSide}`;
}

/**
 * What a pool id says by itself, for a pool known only by id (a stored snapshot, a closed
 * position): kind, margin asset, product (absent: COIN-M) and the label it would have.
 */
export function poolOfId(id: string): {
  readonly kind: PoolKind;
  readonly asset: string;
  readonly product?: Product;
  readonly label: string;
} {
  // A Portfolio Margin account's one pool (portfolio.ts: PORTFOLIO_POOL_ID, PORTFOLIO_UNIT).
  if (id === "portfolio") return { kind: "portfolio", asset: "USD", product: "portfolio", label: "portfolio margin" };
  const { product, local } = splitPoolId(id);
  const kind: PoolKind = local.includes("#") ? "isolated" : "cross";
  const symbol = local.split("#")[0] ?? local;
  const asset = kind === "cross" ? local : product === "usdm" ? linearMarginAssetOf(symbol) : marginAssetOf(local);
  const label = productLabel(product, kind === "isolated" ? `${local.replace("#", " ")} isolated` : `${local} cross`);
  return { kind, asset, ...(product !== "coinm" ? { product } : {}), label };
}

/** The position nearest its liquidation price, if any has one. */
export function nearestOf(positions: readonly OpenPosition[]): OpenPosition | undefined {
  let nearest: OpenPosition | undefined;
  for (const p of positions) {
    if (p.distance !== null && (nearest?.distance == null || p.distance < nearest.distance)) nearest = p;
  }
  return nearest;
}

/**
 * A pool from its positions and exact figures: ratio, distance and nearest position derived, and
 * past liquidation (collateral at or below the requirement) at distance 0. The one place a pool's
 * figures are derived, for a signed read and for a revaluation at a new mark (revalue.ts).
 */
export function poolWithFigures(
  base: Omit<MarginPool, "ratio" | "distance" | "nearest" | "requirement" | "collateral">,
  requirement: Decimal,
  collateral: Decimal,
): MarginPool {
  // Collateral at or below the requirement is a liquidation under way (ratio >= 100%): every
  // position of the pool with a mark is 0 from it, whatever side its liquidation price lies on
  // (hedge-mode rows cannot tell by themselves) or whether Binance still quotes one.
  const past = requirement.units > 0n && compareDecimal(collateral, requirement) <= 0;
  const positions = past
    ? base.positions.map((p) => (p.markPrice !== undefined ? { ...p, distance: 0 } : p))
    : base.positions;
  const nearest = nearestOf(positions);
  return {
    ...base,
    positions,
    requirement: formatDecimal(requirement),
    collateral: formatDecimal(collateral),
    ratio: marginRatio(requirement, collateral),
    distance: nearest?.distance ?? null,
    ...(nearest ? { nearest } : {}),
  };
}

const maxDecimal = (a: Decimal, b: Decimal) => (compareDecimal(a, b) >= 0 ? a : b);

/**
 * A figure the pool's math needs. Absent or unreadable is never zero: a zero PnL or margin would
 * read a pool at 89% as 4.7% (issue 17), so the read fails loudly, for this account alone.
 */
function needed(text: string | undefined, what: string): Decimal {
  const value = text !== undefined ? parseDecimal(text) : undefined;
  if (!value) throw new BinanceResponseFormatError(`the answer lacks ${what}, which the margin ratio needs`);
  return value;
}

/**
 * The cross pool's collateral. crossWalletBalance excludes isolated wallets (ACCOUNT_UPDATE's
 * `cw`) and crossUnPnl is the cross positions' PnL; with either one absent (every field is
 * optional in Binance's own SDK types), the asset's margin balance less each isolated position's
 * collateral is the same quantity, exactly: marginBalance = Σ wallets + Σ PnL, and an isolated
 * position's isolatedMargin is its wallet + its PnL. Without both ways, the read fails.
 */
function crossCollateral(balance: CrossBalance, isolated: readonly OpenPosition[]): Decimal {
  if (balance.crossWalletBalance !== undefined && balance.crossUnPnl !== undefined) {
    return addDecimal(
      needed(balance.crossWalletBalance, `${balance.asset} crossWalletBalance`),
      needed(balance.crossUnPnl, `${balance.asset} crossUnPnl`),
    );
  }
  const marginBalance = needed(
    balance.marginBalance,
    `${balance.asset} crossWalletBalance and crossUnPnl, or its marginBalance,`,
  );
  return subDecimal(
    marginBalance,
    sumDecimals(isolated.map((p) => needed(p.isolatedMargin, `the isolated margin of ${p.symbol} ${p.positionSide}`))),
  );
}

function crossPool(balance: CrossBalance, positions: readonly OpenPosition[], product?: Product): MarginPool {
  const cross = positions.filter((p) => p.marginType === "cross");
  const isolated = positions.filter((p) => p.marginType === "isolated");
  const maintOf = (p: OpenPosition) => needed(p.maintMargin, `the maintenance margin of ${p.symbol} ${p.positionSide}`);
  const isolatedMaint = sumDecimals(isolated.map(maintOf));
  // The docs do not say whether the asset's maintMargin counts isolated positions. Summing the
  // cross positions is the truth; the asset figure less isolated margin only ever raises it, and
  // keeps a requirement when a response lists no positions at all (silence must not read as safe).
  // An absent asset figure adds nothing to the positions' sum, so it cannot lower the ratio.
  const requirement = maxDecimal(
    sumDecimals(cross.map(maintOf)),
    maxDecimal(ZERO, subDecimal(decimalOrZero(balance.maintMargin), isolatedMaint)),
  );
  return poolWithFigures(
    {
      id: productPoolId(product, crossPoolId(balance.asset)),
      kind: "cross",
      ...(product ? { product } : {}),
      asset: balance.asset,
      label: productLabel(product, `${balance.asset} cross`),
      positions: cross,
    },
    requirement,
    crossCollateral(balance, isolated),
  );
}

function isolatedPool(p: OpenPosition, product?: Product): MarginPool {
  const where = `${p.symbol} ${p.positionSide}`;
  return poolWithFigures(
    {
      id: productPoolId(product, isolatedPoolId(p)),
      kind: "isolated",
      ...(product ? { product } : {}),
      asset: p.marginAsset,
      symbol: p.symbol,
      positionSide: p.positionSide,
      side: p.side,
      label: productLabel(product, `${p.symbol} ${p.side} isolated`),
      positions: [p],
    },
    needed(p.maintMargin, `the maintenance margin of ${where}`),
    needed(p.isolatedMargin, `the isolated margin of ${where}`),
  );
}

/**
 * Every pool of the account: a cross pool for each active asset or asset with positions (even
 * with nothing in it, so its state and history carry on), then one per isolated position.
 * Sorted by asset, cross first, then by id.
 */
export function marginPools(
  account: { readonly assets: readonly CrossBalance[] },
  positions: readonly OpenPosition[],
  product?: Product,
): MarginPool[] {
  const byAsset = new Map<string, OpenPosition[]>();
  for (const p of positions) byAsset.set(p.marginAsset, [...(byAsset.get(p.marginAsset) ?? []), p]);
  const pools: MarginPool[] = [];
  for (const balance of account.assets) {
    const held = byAsset.get(balance.asset) ?? [];
    if (!isActive(balance) && held.length === 0) continue;
    pools.push(crossPool(balance, held, product));
    for (const p of held) if (p.marginType === "isolated") pools.push(isolatedPool(p, product));
  }
  return pools;
}

/**
 * One account-wide cross pool and a pool per isolated position: USD-M's Multi-Assets mode, where
 * every asset backs every cross position (valued in USD with Binance's haircuts). Requirement =
 * `totalMaintMargin`, collateral = `totalMarginBalance`, both Binance's USD figures; an isolated
 * position (Binance allows none in this mode today) is taken out of both, as in a cross pool.
 */
export function accountWidePools(
  totals: { readonly asset: string; readonly maintMargin: string; readonly marginBalance: string },
  positions: readonly OpenPosition[],
  product: Product,
): MarginPool[] {
  const cross = positions.filter((p) => p.marginType === "cross");
  const isolated = positions.filter((p) => p.marginType === "isolated");
  const isolatedMaint = sumDecimals(isolated.map((p) => decimalOrZero(p.maintMargin)));
  const requirement = maxDecimal(ZERO, subDecimal(decimalOrZero(totals.maintMargin), isolatedMaint));
  const collateral = subDecimal(
    decimalOrZero(totals.marginBalance),
    sumDecimals(isolated.map((p) => decimalOrZero(p.isolatedMargin))),
  );
  const whole = poolWithFigures(
    {
      id: productPoolId(product, crossPoolId(totals.asset)),
      kind: "cross",
      product,
      asset: totals.asset,
      label: productLabel(product, `${totals.asset} cross`),
      positions: cross,
    },
    requirement,
    collateral,
  );
  return [whole, ...isolated.map((p) => isolatedPool(p, product))];
}

/** Pools with the levels their ratio and distance reach now. */
export function assessPools(pools: readonly MarginPool[], levels: RiskLevels): AssessedPool[] {
  return pools.map((p) => ({
    ...p,
    ...poolLevels(
      p.ratio,
      p.distance,
      levels,
      p.portfolio ? statusLevel(p.portfolio.accountStatus, levels.ratio) : undefined,
    ),
  }));
}

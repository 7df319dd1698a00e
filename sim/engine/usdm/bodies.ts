/**
 * A margin engine for Binance USD-M linear contracts, so the loopback exchange answers
 * `GET /fapi/v3/account` and `GET /fapi/v3/positionRisk` from one state (wallets, positions, marks,
 * brackets) the way Binance would: the two bodies always agree, and tests move prices, not fields.
 *
 * Formulas (../shared/spec/binance-usdm.md; the PnL and maintenance are lib/risk/linear.ts's),
 * per position with q = |positionAmt| (base coin), entry E, mark P, bracket (rate m, cum):
 *   notional = q × P;  unrealized PnL = side × q × (P − E);  maintenance = q × P × m − cum
 * Pools: single-asset mode, a cross pool per margin asset (cross wallet + cross PnL against Σ cross
 * maintenance) and each isolated position alone (its wallet + its PnL against its maintenance);
 * Multi-Assets mode, every cross position in one pool of all wallets (stablecoins at 1 USD, no
 * haircut). Liquidation price, in closed form with every other position at its mark, where the
 * pool's collateral meets its requirement; with W = the pool's wallet + Σ_other (PnL − maint),
 *   long:  P_liq = (q·E − W − cum) / (q·(1 − m))      short: P_liq = (W + q·E + cum) / (q·(1 + m))
 * and "0" when that is not a positive price (the pool cannot be liquidated by this symbol).
 * Doubles for the arithmetic; every figure rounded to 1e-8 once, totals summed from the rounded
 * figures in integers, so marginBalance = walletBalance + unrealizedProfit to the last digit.
 */
import { formatUnits, MarginEngineInputError, toUnits } from "../units.js";

export type LinearSide = "BOTH" | "LONG" | "SHORT";

export interface LinearPosition {
  readonly symbol: string;
  readonly positionSide?: LinearSide;
  /** Base coin, signed: negative for a short (BOTH rows and SHORT rows). */
  readonly positionAmt: number;
  readonly entryPrice: number;
  /** @default "cross" */
  readonly marginType?: "cross" | "isolated";
  /** Margin asset in the isolated wallet; isolated positions only. */
  readonly isolatedWallet?: number;
  /** @default the symbol's quote asset (USDT, USDC) */
  readonly marginAsset?: string;
  readonly leverage?: number;
}

export interface LinearBracket {
  readonly maintMarginRatio: number;
  readonly cum: number;
}

export interface LinearAccount {
  /** Cross wallet per asset, e.g. `{ USDT: 10_000 }`; isolated wallets are not in it. */
  readonly wallets: Readonly<Record<string, number>>;
  readonly positions: readonly LinearPosition[];
  /** Mark per symbol; @default each symbol's entry price */
  readonly marks?: Readonly<Record<string, number>>;
  readonly brackets?: Readonly<Record<string, LinearBracket>>;
  /** Multi-Assets mode: one cross pool for the whole account, in USD. @default false */
  readonly multiAssets?: boolean;
  readonly updateTime?: number;
}

/** Binance's first USDT-M bracket for BTCUSDT: 0.4% maintenance, no cum. */
export const LINEAR_DEFAULT_BRACKET: LinearBracket = { maintMarginRatio: 0.004, cum: 0 };

/** Assets Binance lists in every USD-M account, zero or not. */
const LISTED_ASSETS = ["USDT", "USDC", "BTC", "BNB", "ETH", "FDUSD"] as const;

export function quoteOf(symbol: string): string {
  const pair = symbol.replace(/_[A-Z0-9]+$/, "");
  const quote = ["FDUSD", "USDT", "USDC"].find((q) => pair.endsWith(q));
  if (!quote) throw new MarginEngineInputError(`not a USD-M symbol: ${symbol}`);
  return quote;
}

interface Figures {
  readonly p: LinearPosition;
  readonly side: LinearSide;
  readonly asset: string;
  readonly isolated: boolean;
  readonly mark: number;
  readonly qty: number;
  readonly bracket: LinearBracket;
  /** Rounded to 1e-8 once. */
  readonly pnl: bigint;
  readonly maint: bigint;
  readonly notional: bigint;
  readonly wallet: bigint;
}

const sideSign = (f: { side: LinearSide; p: LinearPosition }) =>
  f.side === "LONG" || (f.side === "BOTH" && f.p.positionAmt > 0) ? 1 : -1;

function figures(account: LinearAccount): Figures[] {
  return account.positions
    .filter((p) => p.positionAmt !== 0)
    .map((p) => {
      const mark = account.marks?.[p.symbol] ?? p.entryPrice;
      if (!(mark > 0) || !(p.entryPrice > 0)) throw new MarginEngineInputError(`${p.symbol}: prices must be > 0`);
      const side = p.positionSide ?? "BOTH";
      const qty = Math.abs(p.positionAmt);
      const bracket = account.brackets?.[p.symbol] ?? LINEAR_DEFAULT_BRACKET;
      const isolated = p.marginType === "isolated";
      const sign = sideSign({ side, p });
      return {
        p,
        side,
        asset: p.marginAsset ?? quoteOf(p.symbol),
        isolated,
        mark,
        qty,
        bracket,
        pnl: toUnits(sign * qty * (mark - p.entryPrice)),
        maint: toUnits(qty * mark * bracket.maintMarginRatio - bracket.cum),
        notional: toUnits(sign * qty * mark),
        wallet: isolated ? toUnits(p.isolatedWallet ?? 0) : 0n,
      };
    });
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const coin = (units: bigint) => Number(units) / 1e8;

/** The liquidation price of `f` with every other position of its pool at its mark; 0: none. */
function liquidationPrice(account: LinearAccount, all: readonly Figures[], f: Figures): number {
  let wallet: number;
  if (f.isolated) wallet = coin(f.wallet);
  else {
    const inPool = (g: Figures) => !g.isolated && (account.multiAssets || g.asset === f.asset);
    const others = all.filter((g) => g !== f && inPool(g));
    const wallets = account.multiAssets
      ? Object.values(account.wallets).reduce((a, b) => a + b, 0)
      : (account.wallets[f.asset] ?? 0);
    wallet = wallets + others.reduce((a, g) => a + coin(g.pnl) - coin(g.maint), 0);
  }
  const { qty } = f;
  const { maintMarginRatio: m, cum } = f.bracket;
  const E = f.p.entryPrice;
  const price =
    sideSign(f) > 0 ? (qty * E - wallet - cum) / (qty * (1 - m)) : (wallet + qty * E + cum) / (qty * (1 + m));
  return Number.isFinite(price) && price > 0 ? price : 0;
}

function assetsOf(account: LinearAccount, all: readonly Figures[]): string[] {
  return [...new Set([...LISTED_ASSETS, ...Object.keys(account.wallets), ...all.map((f) => f.asset)])];
}

/** The `/fapi/v3/account` body as an object. */
export function usdmAccountResponse(account: LinearAccount): Record<string, unknown> {
  const all = figures(account);
  const updateTime = account.updateTime ?? 1_700_000_000_000;
  const perAsset = assetsOf(account, all).map((asset) => {
    const mine = all.filter((f) => f.asset === asset);
    const cross = mine.filter((f) => !f.isolated);
    const crossWallet = toUnits(account.wallets[asset] ?? 0);
    const wallet = crossWallet + sum(mine.map((f) => f.wallet));
    const pnl = sum(mine.map((f) => f.pnl));
    const maint = sum(mine.map((f) => f.maint));
    return {
      asset,
      units: { wallet, pnl, maint, crossWallet, crossPnl: sum(cross.map((f) => f.pnl)) },
      body: {
        asset,
        walletBalance: formatUnits(wallet),
        unrealizedProfit: formatUnits(pnl),
        marginBalance: formatUnits(wallet + pnl),
        maintMargin: formatUnits(maint),
        initialMargin: "0.00000000",
        positionInitialMargin: "0.00000000",
        openOrderInitialMargin: "0.00000000",
        crossWalletBalance: formatUnits(crossWallet),
        crossUnPnl: formatUnits(sum(cross.map((f) => f.pnl))),
        availableBalance: formatUnits(wallet + pnl - maint),
        maxWithdrawAmount: formatUnits(wallet),
        marginAvailable: true,
        updateTime: wallet !== 0n ? updateTime : 0,
      },
    };
  });
  // Single-asset mode: the totals count USDT only; Multi-Assets: every asset (stablecoins at 1 USD).
  const counted = account.multiAssets ? perAsset : perAsset.filter((a) => a.asset === "USDT");
  const total = (k: keyof (typeof perAsset)[number]["units"]) => sum(counted.map((a) => a.units[k]));
  return {
    totalInitialMargin: "0.00000000",
    totalMaintMargin: formatUnits(
      account.multiAssets ? sum(all.filter((f) => !f.isolated).map((f) => f.maint)) : total("maint"),
    ),
    totalWalletBalance: formatUnits(total("wallet")),
    totalUnrealizedProfit: formatUnits(total("pnl")),
    totalMarginBalance: formatUnits(total("wallet") + total("pnl")),
    totalPositionInitialMargin: "0.00000000",
    totalOpenOrderInitialMargin: "0.00000000",
    totalCrossWalletBalance: formatUnits(total("crossWallet")),
    totalCrossUnPnl: formatUnits(total("crossPnl")),
    availableBalance: formatUnits(total("wallet") + total("pnl") - total("maint")),
    maxWithdrawAmount: formatUnits(total("wallet")),
    assets: perAsset.map((a) => a.body),
    positions: all.map((f) => ({
      symbol: f.p.symbol,
      positionSide: f.side,
      positionAmt: String(f.p.positionAmt),
      unrealizedProfit: formatUnits(f.pnl),
      isolatedMargin: formatUnits(f.isolated ? f.wallet + f.pnl : 0n),
      notional: formatUnits(f.notional),
      isolatedWallet: formatUnits(f.wallet),
      initialMargin: "0",
      maintMargin: formatUnits(f.maint),
      updateTime,
    })),
  };
}

export const usdmAccountBodyOf = (account: LinearAccount): string => JSON.stringify(usdmAccountResponse(account));

/** The `/fapi/v3/positionRisk` rows: open positions only, as v3 lists them. */
export function usdmPositionRiskRows(account: LinearAccount): Record<string, unknown>[] {
  const all = figures(account);
  return all.map((f) => ({
    symbol: f.p.symbol,
    positionSide: f.side,
    positionAmt: String(f.p.positionAmt),
    entryPrice: f.p.entryPrice.toFixed(8),
    breakEvenPrice: f.p.entryPrice.toFixed(8),
    markPrice: f.mark.toFixed(8),
    unRealizedProfit: formatUnits(f.pnl),
    liquidationPrice: liquidationPrice(account, all, f).toFixed(8),
    isolatedMargin: formatUnits(f.isolated ? f.wallet + f.pnl : 0n),
    notional: formatUnits(f.notional),
    marginAsset: f.asset,
    isolatedWallet: formatUnits(f.wallet),
    initialMargin: "0",
    maintMargin: formatUnits(f.maint),
    positionInitialMargin: "0",
    openOrderInitialMargin: "0",
    adl: 0,
    bidNotional: "0",
    askNotional: "0",
    updateTime: account.updateTime ?? 1_700_000_000_000,
  }));
}

export const usdmPositionRiskBodyOf = (account: LinearAccount): string => JSON.stringify(usdmPositionRiskRows(account));

/** An account that holds nothing on USD-M: what a COIN-M-only key sees there. */
export const EMPTY_USDM_ACCOUNT: LinearAccount = { wallets: {}, positions: [] };

/** The account with new marks (a market move). */
export function withLinearMarks(account: LinearAccount, marks: Readonly<Record<string, number>>): LinearAccount {
  return { ...account, marks: { ...account.marks, ...marks } };
}

/**
 * A USDT cross pool at `ratio` (Σ maint / (wallet + PnL)): one BTCUSDT long of `qty` at `mark`
 * with the default bracket, and the wallet that gives the ratio.
 */
export function usdtCrossAtRatio(ratio: number, qty = 1, mark = 60_000): LinearAccount {
  const maint = qty * mark * LINEAR_DEFAULT_BRACKET.maintMarginRatio;
  return {
    wallets: { USDT: Number((maint / ratio).toFixed(8)) },
    positions: [{ symbol: "BTCUSDT", positionAmt: qty, entryPrice: mark }],
    marks: { BTCUSDT: mark },
  };
}

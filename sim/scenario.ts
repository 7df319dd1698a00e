/**
 * The local demo's scenario: one market and three accounts, every body computed by the COIN-M
 * margin engine from positions, wallets and marks, as Binance computes them. BTC falls from
 * 60,000 to 48,030 and recovers to 58,500 over 16 cycles (DEMO_BTC_MARKS); ETH drifts around
 * 3,000.
 *
 * - "demo": a large cross BTCUSD_PERP long. As BTC falls its cross pool climbs through warning
 *   (50.4% at 54,000, 14% from its liquidation price of ~46,390) and critical (81.0% at 48,200,
 *   3.8% away), and recovers with the market; it also holds BNB with no position (a dust pool).
 * - "demo-eth" (Ed25519 key): ETH holdings hedged with a covered ETHUSD_PERP short: calm, no
 *   liquidation price at all; it becomes unreadable for a few cycles (DEMO_ETH_OUTAGE), so the demo
 *   also shows the "cannot read account" path.
 * - "demo-mixed": its blended BTC ratio stays near 1-2% while its isolated BTCUSD_PERP long falls
 *   toward liquidation and back: the case where only a per-pool monitor raises the alarm. Behind
 *   the same key it holds a USD-M book (DEMO_USDM_BOOK, the linear engine): a BTCUSDT short in
 *   its USDT cross pool, calm all along, shown as "USDT cross (USD-M)".
 */
import { buildEngineAccount, type EngineAccount, withMarks } from "./engine/coinm/account.js";
import { type PositionRiskFilter, positionRiskBodyOf } from "./engine/coinm/bodies.js";
import { BTC_QUARTERLY } from "./engine/coinm/contract.js";
import { MarginEngine } from "./engine/coinm/engine.js";
import { PortfolioEngine, type PortfolioEngineAccount } from "./engine/portfolio/engine.js";
import type { LinearAccount } from "./engine/usdm/bodies.js";
import { UsdmEngine } from "./engine/usdm/engine.js";

/** Cycles the demo runs. */
export const DEMO_CYCLES = 16;

/** Cycles in which the exchange answers 503 for the "demo-eth" account. */
export const DEMO_ETH_OUTAGE = new Set([3, 4, 5, 6]);

/**
 * BTCUSD_PERP's mark at each cycle: the one BTC market every demo account sees.
 *
 * "demo"'s cross pool per cycle: ratio 36.2, 40.0, 44.6, 50.4 (warning), 55.9, 65.3, 73.4, 81.0
 * (critical), 82.5, 81.5, 77.0 (still critical: hysteresis), 69.4 (recovered to warning), 60.2,
 * 50.4, 43.3 (recovered), 39.0 %; distance to its liquidation price (~46,390): 22.7, 20.0, 17.2,
 * 14.1, 11.6, 8.1, 5.7, 3.7, 3.4, 3.6, 4.7, 6.8, 9.9, 14.1, 17.9, 20.7 %.
 *
 * "demo-mixed"'s isolated long is liquidated at 48,000. Isolated pool ratio per cycle: 2.0, 2.3,
 * 2.9, 3.8, 5.0, 8.7, 16.6, 54.4 (warning), 88.8 (critical), 61.4, 25.4 (recovered), 11.7, 6.4,
 * 3.8, 2.7, 2.2 %; distance to liquidation: 20.0, 17.2, 14.3, 11.1, 8.6, 5.0, 2.4, 0.41, 0.06,
 * 0.31, 1.4, 3.6, 6.8, 11.1, 15.0, 18.0 %. The blended BTC ratio (maintMargin / marginBalance)
 * stays between 1.0% and 1.7%.
 */
export const DEMO_BTC_MARKS = [
  60_000, 58_000, 56_000, 54_000, 52_500, 50_500, 49_200, 48_200, 48_030, 48_150, 48_700, 49_800, 51_500, 54_000,
  56_500, 58_500,
];

/** The quarterly trades at a small premium to the perpetual. */
const QUARTERLY_BASIS = 1.005;

/** Every symbol's mark at a cycle (the last cycle's after the end). */
export function demoMarks(cycle: number): Record<string, number> {
  const at = Math.min(Math.max(cycle, 0), DEMO_BTC_MARKS.length - 1);
  const btc = DEMO_BTC_MARKS[at] ?? 60_000;
  return {
    BTCUSD_PERP: btc,
    [BTC_QUARTERLY]: Math.round(btc * QUARTERLY_BASIS),
    ETHUSD_PERP: Math.round(3_000 * (1 + 0.01 * Math.sin(at))),
  };
}

/**
 * "demo", one-way mode: 199.83 BTC in the cross wallet and a cross LONG of 208,000 BTCUSD_PERP
 * (20.8 M USD, ~347 BTC at 60,000) @ 61,500, plus 12 BNB with no position. A position this large
 * sits in one of Binance's high maintenance tiers; the demo simplifies its bracket to a 20% rate
 * with no cum amount, so that ratio and distance to liquidation tell the same story (at the
 * lowest tier's 0.4-0.5% a cross long at a 50% ratio is already ~0.5% from liquidation, and the
 * distance levels would carry the whole story).
 */
export const DEMO_ACCOUNT: EngineAccount = buildEngineAccount({
  crossWallets: { BTC: "199.83000000", BNB: "12.00000000" },
  positions: [{ symbol: "BTCUSD_PERP", positionAmt: 208_000, entryPrice: 61_500, leverage: 10 }],
  marks: demoMarks(0),
  brackets: { BTCUSD_PERP: { maintMarginRatio: 0.2, cum: 0 } },
});

/**
 * "demo-eth", one-way mode: 2 ETH in the cross wallet hedged by a cross SHORT of 400 ETHUSD_PERP
 * (4,000 USD) @ 3,100. The wallet covers the short at any price, so Binance shows no liquidation
 * price ("0") and the ratio stays well under 1%.
 */
export const DEMO_ETH_ACCOUNT: EngineAccount = buildEngineAccount({
  crossWallets: { ETH: "2.00000000" },
  positions: [{ symbol: "ETHUSD_PERP", positionAmt: -400, entryPrice: 3_100, leverage: 2 }],
  marks: demoMarks(0),
});

/**
 * "demo-mixed", one-way mode: 2 BTC cross wallet with a cross SHORT of 1,000 BTC_QUARTERLY @ 60,300
 * (covered: no liquidation price), an isolated LONG of 3,000 BTCUSD_PERP @ 60,000 at 5x with
 * 1.28125 BTC in its wallet (liquidation at 48,000), and 3 BNB with no position.
 */
export const DEMO_MIXED_ACCOUNT: EngineAccount = buildEngineAccount({
  crossWallets: { BTC: "2.00000000", BNB: "3.00000000" },
  positions: [
    { symbol: "BTCUSD_PERP", positionAmt: 3_000, entryPrice: 60_000, leverage: 5, isolatedWallet: "1.28125" },
    { symbol: BTC_QUARTERLY, positionAmt: -1_000, entryPrice: 60_300, leverage: 10 },
  ],
  marks: demoMarks(0),
});

/** An account of the demo at a cycle's marks. */
export function demoAt(account: EngineAccount, cycle: number): EngineAccount {
  return withMarks(account, demoMarks(cycle));
}

export function demoMixedAccount(cycle: number): EngineAccount {
  return demoAt(DEMO_MIXED_ACCOUNT, cycle);
}

export function demoMixedPositionRiskBody(cycle: number, filter: PositionRiskFilter = {}): string {
  return positionRiskBodyOf(demoMixedAccount(cycle), filter);
}

/**
 * The margin engine behind the demo's exchange: each account under its API key, the market at
 * cycle 0. Move it with `setDemoMarket`: both reads of a cycle see one market state.
 */
export function demoEngine(keys: {
  readonly demo: string;
  readonly eth: string;
  readonly mixed: string;
}): MarginEngine {
  const engine = new MarginEngine([
    [keys.demo, DEMO_ACCOUNT],
    [keys.eth, DEMO_ETH_ACCOUNT],
    [keys.mixed, DEMO_MIXED_ACCOUNT],
  ]);
  setDemoMarket(engine, 0);
  return engine;
}

/** Every symbol marked as at `cycle`, for every account at once, as a market move does. */
export function setDemoMarket(engine: MarginEngine, cycle: number): void {
  for (const [symbol, price] of Object.entries(demoMarks(cycle))) engine.setMark(symbol, price);
}

/**
 * demo-mixed's USD-M book: 20,000 USDT and a cross BTCUSDT short of 0.5 BTC @ 60,000, the linear
 * hedge many COIN-M traders keep. BTC only falls from there, so it gains: ratio ~0.6%, liquidation
 * near 99,600, never near a level (the demo's ten alerts stay COIN-M's).
 */
export const DEMO_USDM_BOOK: LinearAccount = {
  wallets: { USDT: 20_000 },
  positions: [{ symbol: "BTCUSDT", positionAmt: -0.5, entryPrice: 60_000 }],
};

/** The linear engine behind the demo's fapi: demo-mixed's book; the other keys hold nothing there. */
export function demoUsdmEngine(mixedKey: string): UsdmEngine {
  const engine = new UsdmEngine([[mixedKey, DEMO_USDM_BOOK]]);
  setDemoUsdmMarket(engine, 0);
  return engine;
}

/** BTCUSDT marked with the demo's BTC path. */
export function setDemoUsdmMarket(engine: UsdmEngine, cycle: number): void {
  engine.setMark("BTCUSDT", demoMarks(cycle).BTCUSD_PERP ?? 60_000);
}

/**
 * demo-pm, a Portfolio Margin account (its key gets -2015 on dapi and fapi; the monitor finds it
 * on papi by itself): 2 BTC of collateral against a BTCUSD_PERP short (600 contracts, 1 BTC) and a
 * BTCUSDT short (0.93 BTC), 0.07 BTC net long, with a 118,552.5 USDT loan. uniMMR per cycle as BTC
 * falls and recovers: 250, 219, 186 (186 at 54,000), 170, 146 (warning, MARGIN_CALL), 131, 119
 * (critical, REDUCE_ONLY), 117, 118, 125 (still critical: hysteresis), 138 (recovered to warning),
 * 158, 186 (recovered), ... %.
 */
export const DEMO_PM_BOOK: PortfolioEngineAccount = {
  collateral: { BTC: 2, USDT: 1447.5 - 120_000 },
  positions: [
    { segment: "cm", symbol: "BTCUSD_PERP", positionAmt: -600, entryPrice: 60_000 },
    { segment: "um", symbol: "BTCUSDT", positionAmt: -0.93, entryPrice: 60_000 },
  ],
  prices: { BTC: 60_000 },
};

export function demoPortfolioEngine(pmKey: string): PortfolioEngine {
  const engine = new PortfolioEngine([[pmKey, DEMO_PM_BOOK]]);
  setDemoPortfolioMarket(engine, 0);
  return engine;
}

/** The same BTC market as every other demo account. */
export function setDemoPortfolioMarket(engine: PortfolioEngine, cycle: number): void {
  engine.setPrice("BTC", demoMarks(cycle).BTCUSD_PERP ?? 60_000);
}

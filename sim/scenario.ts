/**
 * The local demo's scenario: one account whose BTC margin ratio climbs through warning and
 * critical and then recovers, a second (Ed25519-keyed) account that is calm but becomes
 * unreadable for a few cycles, so the demo also shows the "cannot read account" path, and a third,
 * "demo-mixed", whose blended BTC ratio stays near 1-2% while its isolated BTCUSD_PERP long falls
 * toward liquidation and back: the case where only a per-pool monitor raises the alarm.
 */
import { accountBody, btcAtRatio } from "./account-fixtures.js";
import { buildEngineAccount, type EngineAccount } from "./engine/coinm/account.js";
import { accountBodyOf, type PositionRiskFilter, positionRiskBodyOf } from "./engine/coinm/bodies.js";
import { BTC_QUARTERLY } from "./engine/coinm/contract.js";

/** BTC margin ratio of the "demo" account at each cycle. */
export const DEMO_RATIOS = [
  0.21, 0.34, 0.47, 0.56, 0.64, 0.72, 0.83, 0.91, 0.86, 0.77, 0.66, 0.55, 0.47, 0.43, 0.3, 0.22,
];

/** Cycles in which the exchange answers 503 for the "demo-eth" account. */
export const DEMO_ETH_OUTAGE = new Set([3, 4, 5, 6]);

export function demoAccountBody(cycle: number): string {
  const ratio = DEMO_RATIOS[Math.min(cycle, DEMO_RATIOS.length - 1)] ?? 0.2;
  return accountBody([
    btcAtRatio(ratio, "2.50000000"),
    { asset: "BNB", walletBalance: "12.00000000", maintMargin: "0.00000000" },
  ]);
}

export function demoEthAccountBody(cycle: number): string {
  const maint = (0.12 + 0.01 * Math.sin(cycle)).toFixed(8);
  return accountBody([
    { asset: "ETH", walletBalance: "1.00000000", maintMargin: maint, unrealizedProfit: "0.01000000" },
  ]);
}

/**
 * BTCUSD_PERP mark of "demo-mixed" at each cycle (one per DEMO_RATIOS entry). Its isolated long is
 * liquidated at 48,000. Isolated pool ratio per cycle: 2.0, 2.3, 2.9, 3.8, 5.0, 8.7, 16.6, 54.4
 * (warning), 88.8 (critical), 61.4, 25.4 (recovered), 11.7, 6.4, 3.8, 2.7, 2.2 %; distance to
 * liquidation: 20.0, 17.2, 14.3, 11.1, 8.6, 5.0, 2.4, 0.41, 0.06, 0.31, 1.4, 3.6, 6.8, 11.1, 15.0,
 * 18.0 %. The blended BTC ratio (maintMargin / marginBalance) stays between 1.0% and 1.7%.
 */
export const DEMO_MIXED_MARKS = [
  60_000, 58_000, 56_000, 54_000, 52_500, 50_500, 49_200, 48_200, 48_030, 48_150, 48_700, 49_800, 51_500, 54_000,
  56_500, 58_500,
];

/** The quarterly trades at a small premium to the perpetual. */
const QUARTERLY_BASIS = 1.005;

/**
 * "demo-mixed" at a cycle, one-way mode: 2 BTC cross wallet with a cross SHORT of 1,000
 * BTC_QUARTERLY @ 60,300 (covered: no liquidation price), and an isolated LONG of 3,000
 * BTCUSD_PERP @ 60,000 at 5x with 1.28125 BTC in its wallet (liquidation at 48,000).
 */
export function demoMixedAccount(cycle: number): EngineAccount {
  const mark = DEMO_MIXED_MARKS[Math.min(Math.max(cycle, 0), DEMO_MIXED_MARKS.length - 1)] ?? 60_000;
  return buildEngineAccount({
    crossWallets: { BTC: "2.00000000", BNB: "3.00000000" },
    positions: [
      { symbol: "BTCUSD_PERP", positionAmt: 3_000, entryPrice: 60_000, leverage: 5, isolatedWallet: "1.28125" },
      { symbol: BTC_QUARTERLY, positionAmt: -1_000, entryPrice: 60_300, leverage: 10 },
    ],
    marks: { BTCUSD_PERP: mark, [BTC_QUARTERLY]: Math.round(mark * QUARTERLY_BASIS) },
  });
}

export function demoMixedAccountBody(cycle: number): string {
  return accountBodyOf(demoMixedAccount(cycle));
}

export function demoMixedPositionRiskBody(cycle: number, filter: PositionRiskFilter = {}): string {
  return positionRiskBodyOf(demoMixedAccount(cycle), filter);
}

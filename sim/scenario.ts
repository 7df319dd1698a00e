/**
 * The local demo's scenario: one account whose BTC margin ratio climbs through warning and
 * critical and then recovers, and a second (Ed25519-keyed) account that is calm but becomes
 * unreadable for a few cycles, so the demo also shows the "cannot read account" path.
 */
import { accountBody, btcAtRatio } from "./account-fixtures.js";

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

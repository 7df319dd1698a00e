/**
 * The spec's worked examples as engine accounts (../shared/spec/coinm-margin-model.md), so tests
 * and the demo start from the numbers a reader can check by hand.
 */
import { buildEngineAccount, type EngineAccount } from "./account.js";
import { BTC_QUARTERLY } from "./contract.js";

/**
 * The spec's hedge split, in hedge mode: a cross SHORT of 600 BTCUSD_PERP @ 60,000 on a 0.096 BTC
 * cross wallet, and an isolated LONG of 600 @ 60,000 with a 0.5 BTC isolated wallet, both marked at
 * `mark`. Binance sets the margin type per symbol, so the isolated long is on the quarterly; the
 * numbers are those of the spec (same contract size, same mark). At 66,000 the cross pool is at
 * 89.3% and the short is liquidated near 66,040.
 */
export function hedgeSplitExample(mark = 66_000): EngineAccount {
  return buildEngineAccount({
    crossWallets: { BTC: "0.096" },
    hedgeMode: true,
    positions: [
      { symbol: "BTCUSD_PERP", positionSide: "SHORT", positionAmt: -600, entryPrice: 60_000 },
      {
        symbol: BTC_QUARTERLY,
        positionSide: "LONG",
        positionAmt: 600,
        entryPrice: 60_000,
        marginType: "isolated",
        isolatedWallet: "0.5",
      },
    ],
    marks: { BTCUSD_PERP: mark, [BTC_QUARTERLY]: mark },
  });
}

/**
 * The spec's isolated position near liquidation, one-way mode: a 5 BTC cross wallet and an
 * isolated BTCUSD_PERP LONG of 3,000 @ 60,000 with 0.2924 BTC in its wallet. At 57,000 the
 * isolated pool is at 90% and its liquidation price is near 56,968.
 */
export function isolatedNearLiquidationExample(mark = 57_000): EngineAccount {
  return buildEngineAccount({
    crossWallets: { BTC: "5" },
    positions: [{ symbol: "BTCUSD_PERP", positionAmt: 3000, entryPrice: 60_000, isolatedWallet: "0.2924" }],
    marks: { BTCUSD_PERP: mark },
  });
}

/**
 * Snapshots built the way the cycle builds them, from a margin-engine account: both Binance
 * bodies, parsed and joined, pools assessed with the default levels. For layout tests and the
 * storage benchmark, so their sizes are the sizes the monitor writes.
 */
import { parseAccountResponse } from "../lib/binance/coinm/account.js";
import { joinPositions } from "../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../lib/binance/coinm/position-risk.js";
import { DEFAULTS } from "../lib/config.js";
import { buildSnapshot, type Snapshot } from "../lib/monitor/snapshot.js";
import { DEFAULT_ALERT_LEVELS, defaultDistanceLevels } from "../lib/risk/levels.js";
import { assessPools, marginPools } from "../lib/risk/pools.js";
import { buildEngineAccount, type EngineAccount } from "./engine/coinm/account.js";
import { accountBodyOf, positionRiskBodyOf } from "./engine/coinm/bodies.js";

export function snapshotOfEngineAccount(account: string, engine: EngineAccount, takenAt: Date): Snapshot {
  const info = parseAccountResponse(accountBodyOf(engine));
  const positions = joinPositions(info, parsePositionRiskResponse(positionRiskBodyOf(engine)));
  const levels = { ratio: DEFAULT_ALERT_LEVELS, distance: defaultDistanceLevels(DEFAULT_ALERT_LEVELS) };
  return buildSnapshot({
    account,
    takenAt,
    fetchedAt: new Date(takenAt.getTime() + 412),
    balances: info.assets,
    pools: assessPools(marginPools(info, positions), levels),
    positions,
    usedWeight: 1185,
    ttlDays: DEFAULTS.snapshotTtlDays,
  });
}

/**
 * A busy hedge-mode account with 10 open positions over three margin assets: cross and isolated,
 * perpetual and quarterly, long and short. The size budget is for this account.
 */
export function tenPositionAccount(): EngineAccount {
  return buildEngineAccount({
    crossWallets: { BTC: "1.23456789", ETH: "25.5", SOL: "310.12345678" },
    positions: [
      { symbol: "BTCUSD_PERP", positionSide: "LONG", positionAmt: 1200, entryPrice: 61_234.5 },
      { symbol: "BTCUSD_PERP", positionSide: "SHORT", positionAmt: -800, entryPrice: 64_001.1 },
      {
        symbol: "BTCUSD_261225",
        positionSide: "LONG",
        positionAmt: 300,
        entryPrice: 62_500,
        isolatedWallet: "0.12345678",
      },
      { symbol: "BTCUSD_261225", positionSide: "SHORT", positionAmt: -250, entryPrice: 63_100, isolatedWallet: "0.2" },
      { symbol: "ETHUSD_PERP", positionSide: "LONG", positionAmt: 5000, entryPrice: 3_012.34 },
      { symbol: "ETHUSD_PERP", positionSide: "SHORT", positionAmt: -1200, entryPrice: 3_100.5 },
      { symbol: "ETHUSD_261225", positionSide: "LONG", positionAmt: 900, entryPrice: 2_950, isolatedWallet: "1.5" },
      { symbol: "SOLUSD_PERP", positionSide: "LONG", positionAmt: 4000, entryPrice: 145.678 },
      { symbol: "SOLUSD_PERP", positionSide: "SHORT", positionAmt: -1000, entryPrice: 150.1 },
      { symbol: "SOLUSD_261225", positionSide: "LONG", positionAmt: 700, entryPrice: 140.25, isolatedWallet: "22.75" },
    ],
    marks: {
      BTCUSD_PERP: 62_345.67,
      BTCUSD_261225: 62_900.12,
      ETHUSD_PERP: 3_050.5,
      ETHUSD_261225: 3_001.25,
      SOLUSD_PERP: 148.9,
      SOLUSD_261225: 147.35,
    },
  });
}

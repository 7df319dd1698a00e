/**
 * The demo's scenario as the engine computes it (sim/scenario.ts): one BTC market for every
 * account, "demo"'s cross long telling one story by ratio and by distance, "demo-eth"'s covered
 * short with no liquidation price, and which pools the demo leaves out of its per-cycle lines.
 */
import { describe, expect, it } from "vitest";
import { isDustPool, liquidationText } from "../../bin/commands/demo.js";
import type { PositionRow } from "../../lib/history/views.js";
import type { PoolSnapshot } from "../../lib/monitor/snapshot.js";
import { positionRiskRows } from "../../sim/engine/coinm/bodies.js";
import { distanceToLiquidation, liquidationPriceOf, poolOf, poolsOf } from "../../sim/engine/coinm/figures.js";
import {
  DEMO_ACCOUNT,
  DEMO_BTC_MARKS,
  DEMO_CYCLES,
  DEMO_ETH_ACCOUNT,
  DEMO_MIXED_ACCOUNT,
  demoAt,
  demoEngine,
  setDemoMarket,
} from "../../sim/scenario.js";

// The demo's default levels (lib/config.ts): ratio warning 50%, critical 80%; distance warning
// within 10%, critical within 3%. Levels by thresholds alone, as the snapshot's `level`.
const byRatio = (r: number) => (r >= 0.8 ? "critical" : r >= 0.5 ? "warning" : "ok");
const byDistance = (d: number | undefined) =>
  d === undefined ? "ok" : d <= 0.03 ? "critical" : d <= 0.1 ? "warning" : "ok";

describe("demo: a cross BTC long in one market", () => {
  const cycles = Array.from({ length: DEMO_CYCLES }, (_, c) => demoAt(DEMO_ACCOUNT, c));
  const long = DEMO_ACCOUNT.positions[0];
  if (!long) throw new Error("demo holds a position");

  it("climbs through warning and critical by ratio, with a distance that agrees, and recovers", () => {
    const ratios = cycles.map((a) => poolOf(a, "BTC cross").ratio);
    const distances = cycles.map((a) => distanceToLiquidation(a, long));
    expect(ratios.map(byRatio)).toEqual([
      ...Array(3).fill("ok"),
      ...Array(4).fill("warning"),
      ...Array(3).fill("critical"),
      ...Array(4).fill("warning"),
      ...Array(2).fill("ok"),
    ]);
    // Never worse by distance than by ratio: the ratio story (and its hysteresis note) holds.
    const rank = { ok: 0, warning: 1, critical: 2 } as const;
    for (const [c, d] of distances.entries()) {
      expect(rank[byDistance(d)], `cycle ${c}`).toBeLessThanOrEqual(rank[byRatio(ratios[c] ?? 0)]);
    }
    // The hysteresis cycle: below critical, above critical minus 5%, not critical by distance.
    expect(ratios[10]).toBeCloseTo(0.77, 4);
    expect(distances[10]).toBeGreaterThan(0.03);
    expect(ratios[8]).toBeCloseTo(0.825, 3);
  });

  it("has a liquidation price Binance would show, the same at every mark", () => {
    for (const a of cycles) expect(liquidationPriceOf(a, long)).toBeCloseTo(46_390.48, 1);
    const row = positionRiskRows(cycles[7] ?? DEMO_ACCOUNT).find((r) => r.symbol === "BTCUSD_PERP");
    expect(row).toMatchObject({ marginType: "cross", markPrice: "48200.00000000" });
    expect(Number(row?.liquidationPrice)).toBeCloseTo(46_390.48, 1);
  });
});

describe("demo-eth and the market", () => {
  it("demo-eth's covered short has no liquidation price and stays calm", () => {
    for (let c = 0; c < DEMO_CYCLES; c++) {
      const a = demoAt(DEMO_ETH_ACCOUNT, c);
      const short = a.positions[0];
      if (!short) throw new Error("demo-eth holds a position");
      expect(liquidationPriceOf(a, short)).toBe(0);
      expect(poolOf(a, "ETH cross").ratio).toBeLessThan(0.01);
      expect(poolOf(a, "ETH cross").ratio).toBeGreaterThan(0);
    }
  });

  it("one engine moves every account's marks at once", () => {
    const engine = demoEngine({ demo: "k-demo", eth: "k-eth", mixed: "k-mixed" });
    setDemoMarket(engine, 8);
    expect(engine.get("k-demo")?.marks.BTCUSD_PERP).toBe(DEMO_BTC_MARKS[8]);
    expect(engine.get("k-mixed")?.marks.BTCUSD_PERP).toBe(DEMO_BTC_MARKS[8]);
    expect(engine.get("k-eth")?.marks.ETHUSD_PERP).toBeGreaterThan(2_900);
    expect(engine.get("unknown")).toBeUndefined();
  });
});

describe("dust pools and liquidation text", () => {
  const pool = (
    id: string,
    requirement: string,
    kind: "cross" | "isolated" = "cross",
    distance: number | null = null,
  ): PoolSnapshot => ({
    id,
    kind,
    asset: id.slice(0, 3),
    label: id,
    requirement,
    collateral: "12",
    ratio: 0,
    distance,
    level: "ok",
  });
  const row = (
    symbol: string,
    marginType: string,
    positionAmt: string,
    liquidationPrice = "0",
    distance: number | null = null,
  ): PositionRow => {
    const isolated = marginType === "isolated";
    return {
      raw: { symbol, positionSide: "BOTH", marginType, positionAmt, liquidationPrice, markPrice: "48200" },
      asset: symbol.slice(0, 3),
      side: positionAmt.startsWith("-") ? "short" : "long",
      poolId: isolated ? `${symbol}#BOTH` : symbol.slice(0, 3),
      label: symbol,
      distance,
    };
  };

  it("dust pools have no requirement and no open position in them", () => {
    expect(isDustPool(pool("BNB", "0.00000000"), [row("BTCUSD_PERP", "cross", "100")])).toBe(true);
    expect(isDustPool(pool("BNB", "0"), [row("BNBUSD_PERP", "cross", "0")])).toBe(true);
    expect(isDustPool(pool("BTC", "0.01"), [])).toBe(false);
    expect(isDustPool(pool("BNB", "0"), [row("BNBUSD_PERP", "cross", "5")])).toBe(false);
    expect(isDustPool(pool("BTCUSD_PERP#BOTH", "0", "isolated"), [row("BTCUSD_PERP", "isolated", "3000")])).toBe(false);
  });

  it("names the nearest position's liquidation price beside the distance", () => {
    const rows = [
      row("BTCUSD_PERP", "cross", "208000", "46390.48376156", 0.0375),
      row("BTCUSD_261225", "cross", "-10", "70000.00000000", 0.2),
    ];
    expect(liquidationText(pool("BTC", "77", "cross", 0.0375), rows)).toBe("3.75% to liq 46390.4");
    expect(liquidationText(pool("BTC", "77", "cross", null), rows)).toBe("no liq");
    expect(liquidationText(pool("BTC", "77", "cross", -0.01), rows)).toBe("past liq");
  });

  it("include the demo's BNB wallets, and none of its pools at stake", () => {
    const bnb = poolsOf(DEMO_MIXED_ACCOUNT).find((p) => p.id === "BNB cross");
    expect(bnb).toMatchObject({ requirement: 0, positions: [] });
    expect(poolsOf(DEMO_ACCOUNT).map((p) => p.id)).toEqual(["BTC cross", "BNB cross"]);
  });
});

/**
 * Issue 17, truth first: an odd but possible answer (a field Binance's own SDK types mark
 * optional, a liquidation under way, 2021-shaped rows, a zero row without a mark, a figure of
 * 100,000 digits) never turns into a wrong number. Each case failed on the code before the fix.
 */
import { describe, expect, it } from "vitest";
import { renderAlert } from "../../lib/alerts/messages.js";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { joinPositions } from "../../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../../lib/binance/coinm/position-risk.js";
import { BinanceResponseFormatError } from "../../lib/core/errors.js";
import { distanceCell, trimZeros } from "../../lib/history/table.js";
import { positionRows } from "../../lib/history/views.js";
import { poolSnapshot, positionSnapshot } from "../../lib/monitor/snapshot.js";
import {
  formatDecimal,
  MAX_DECIMAL_LENGTH,
  parseDecimal,
  trimFractionZeros,
  trimTrailingZeros,
} from "../../lib/risk/decimal.js";
import { DEFAULT_ALERT_LEVELS, DEFAULT_DISTANCE_LEVELS } from "../../lib/risk/levels.js";
import { type AssessedPool, assessPools, type MarginPool, marginPools } from "../../lib/risk/pools.js";
import { formatDistance, liquidationDistance, PAST_LIQUIDATION } from "../../lib/risk/positions.js";
import type { EngineAccount } from "../../sim/engine/coinm/account.js";
import { accountResponse, positionRiskRows } from "../../sim/engine/coinm/bodies.js";
import { hedgeSplitExample, isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";

type Json = Record<string, unknown>;

function poolsOfObjects(account: Json, rows: Json[]): AssessedPool[] {
  const parsed = parseAccountResponse(JSON.stringify(account));
  const risk = parsePositionRiskResponse(JSON.stringify(rows));
  return assessPools(marginPools(parsed, joinPositions(parsed, risk)), {
    ratio: DEFAULT_ALERT_LEVELS,
    distance: DEFAULT_DISTANCE_LEVELS,
  });
}

const bodies = (e: EngineAccount) => ({
  account: accountResponse(e) as { assets: Json[]; positions: Json[] } & Json,
  rows: positionRiskRows(e) as Json[],
});

function byId<P extends MarginPool>(pools: readonly P[], id: string): P {
  const found = pools.find((p) => p.id === id);
  if (!found) throw new Error(`no pool ${id}`);
  return found;
}

describe("an asset without crossUnPnl or crossWalletBalance (optional in Binance's SDK types)", () => {
  const full = bodies(hedgeSplitExample(66_000));
  const truth = byId(poolsOfObjects(full.account, full.rows), "BTC");

  it.each(["crossUnPnl", "crossWalletBalance", "crossUnPnl crossWalletBalance"])(
    "without %s the hedge split's cross pool still reads 89.3%, critical (it read 4.7%, ok)",
    (fields) => {
      const b = bodies(hedgeSplitExample(66_000));
      for (const f of fields.split(" ")) delete (b.account.assets[0] as Json)[f];
      const cross = byId(poolsOfObjects(b.account, b.rows), "BTC");
      expect(truth.ratio).toBeCloseTo(0.893, 3);
      expect(cross.collateral).toBe(truth.collateral);
      expect(cross.ratio).toBe(truth.ratio);
      expect(cross.level).toBe("critical");
    },
  );

  it("with neither the cross figures nor a margin balance, the read fails loudly instead of reading zero", () => {
    const positions = joinPositions(
      parseAccountResponse(JSON.stringify(full.account)),
      parsePositionRiskResponse(JSON.stringify(full.rows)),
    );
    const balance = { asset: "BTC", walletBalance: "0.596", maintMargin: "0.00909090", crossWalletBalance: "0.096" };
    expect(() => marginPools({ assets: [balance] }, positions)).toThrow(BinanceResponseFormatError);
    expect(() => marginPools({ assets: [balance] }, positions)).toThrow(/crossUnPnl/);
  });

  it("an isolated position without its isolated margin fails the read (its collateral is not zero)", () => {
    const positions = joinPositions(
      parseAccountResponse(JSON.stringify(full.account)),
      parsePositionRiskResponse(JSON.stringify(full.rows)),
    ).map((p) => (p.marginType === "isolated" ? { ...p, isolatedMargin: undefined } : p));
    const balance = { asset: "BTC", marginBalance: "0.596", maintMargin: "0.00909090" };
    expect(() => marginPools({ assets: [balance] }, positions)).toThrow(/isolated margin of BTCUSD_261225 LONG/);
  });
});

describe("a mark beyond the liquidation price (liquidation under way)", () => {
  // The hedge split's cross short is liquidated near 66,040; at 70,000 the mark is 6% past it.
  const b = bodies(hedgeSplitExample(70_000));
  const pools = poolsOfObjects(b.account, b.rows);
  const cross = byId(pools, "BTC");

  it("the short past its liquidation price is a distance of 0, never the 6% |mark - liq| / mark read", () => {
    expect(Number(cross.nearest?.liquidationPrice)).toBeLessThan(70_000);
    expect(cross.nearest?.distance).toBe(0);
    expect(cross.distance).toBe(0);
    expect(cross.distanceLevel).toBe("critical");
  });

  it("both sides: a long at or under its liquidation price, a short at or over it, are 0", () => {
    expect(liquidationDistance("56000", "56968", "long")).toBe(0);
    expect(liquidationDistance("56968", "56968", "long")).toBe(0);
    expect(liquidationDistance("66100", "66040", "short")).toBe(0);
    expect(liquidationDistance("66040", "66040", "short")).toBe(0);
    // Still room: the usual fraction of the mark.
    expect(liquidationDistance("57000", "56943", "long")).toBeCloseTo(0.001, 12);
    expect(liquidationDistance("66000", "66066", "short")).toBeCloseTo(0.001, 12);
  });

  it("the alert says past liquidation in the subject, email and SMS, never a percentage to liquidation", () => {
    const near = cross.nearest;
    if (!near?.markPrice || !near.liquidationPrice) throw new Error("no nearest position");
    const rendered = renderAlert({
      type: "margin",
      id: "t",
      account: "main",
      pool: cross.id,
      poolLabel: cross.label,
      poolKind: "cross",
      asset: "BTC",
      notice: "escalated",
      level: "critical",
      previousLevel: "ok",
      ratio: Number.isFinite(cross.ratio) ? cross.ratio : null,
      distance: cross.distance,
      ratioLevel: cross.ratioLevel,
      distanceLevel: cross.distanceLevel,
      requirement: cross.requirement,
      collateral: cross.collateral,
      nearest: {
        symbol: near.symbol,
        side: near.side,
        markPrice: near.markPrice,
        liquidationPrice: near.liquidationPrice,
      },
      at: "2026-12-03T10:00:00.000Z",
    });
    expect(rendered.subject).toContain("PAST LIQUIDATION");
    expect(rendered.email).toContain(PAST_LIQUIDATION);
    expect(rendered.sms).toContain("PAST LIQ");
    for (const text of [rendered.subject, rendered.email, rendered.sms]) expect(text).not.toMatch(/\d% to liq/);
  });

  it("the snapshot and the history views read 0 / past liquidation from the same raw strings", () => {
    // A hedge-mode cross row cannot tell by itself which way its liquidation lies: its pool says.
    expect(poolSnapshot(cross).distance).toBe(0);
    const stored = { positions: cross.positions.map(positionSnapshot), pools: [poolSnapshot(cross)] };
    const [row] = positionRows(stored as unknown as Parameters<typeof positionRows>[0]);
    expect(row?.distance).toBe(0);
    expect(distanceCell(0)).toBe(PAST_LIQUIDATION);
    expect(formatDistance(0)).toBe(PAST_LIQUIDATION);
    expect(formatDistance(0.0123)).toBe("1.23%");
  });

  it("a one-way row past its liquidation price reads 0 from its own raw strings, without its pool", () => {
    const iso = bodies(isolatedNearLiquidationExample(56_500));
    const pool = byId(poolsOfObjects(iso.account, iso.rows), "BTCUSD_PERP#BOTH");
    const stored = { positions: pool.positions.map(positionSnapshot), pools: [] };
    const [row] = positionRows(stored as unknown as Parameters<typeof positionRows>[0]);
    expect(row?.distance).toBe(0);
  });

  it("an isolated long marked under its liquidation price is 0 too", () => {
    const iso = bodies(isolatedNearLiquidationExample(56_500));
    const pool = byId(poolsOfObjects(iso.account, iso.rows), "BTCUSD_PERP#BOTH");
    expect(Number(pool.nearest?.liquidationPrice)).toBeGreaterThan(56_500);
    expect(pool.distance).toBe(0);
  });
});

describe("2021-shaped account rows (no positionAmt)", () => {
  it("a row with maintenance margin but no amount fails the read (it was dropped, its margin misplaced)", () => {
    const b = bodies(hedgeSplitExample(66_000));
    const row = b.account.positions.find((p) => p.symbol === "BTCUSD_PERP" && p.positionSide === "SHORT") as Json;
    delete row.positionAmt;
    expect(() => parseAccountResponse(JSON.stringify(b.account))).toThrow(BinanceResponseFormatError);
    expect(() => parseAccountResponse(JSON.stringify(b.account))).toThrow(/holds maintMargin but has no positionAmt/);
  });

  it("an all-zero row without an amount is a symbol never traded: skipped, the rest read", () => {
    const b = bodies(hedgeSplitExample(66_000));
    const zero = b.account.positions.find((p) => p.positionAmt === "0") as Json;
    delete zero.positionAmt;
    const parsed = parseAccountResponse(JSON.stringify(b.account));
    expect(parsed.positions.map((p) => `${p.symbol}#${p.positionSide}`).sort()).toEqual([
      "BTCUSD_261225#LONG",
      "BTCUSD_PERP#SHORT",
    ]);
  });
});

describe("positionRisk's zero rows", () => {
  it("a zero row without markPrice is skipped; the open rows are read (the whole body was rejected)", () => {
    const b = bodies(hedgeSplitExample(66_000));
    const zero = b.rows.find((r) => r.positionAmt === "0") as Json;
    delete zero.markPrice;
    delete zero.liquidationPrice;
    const rows = parsePositionRiskResponse(JSON.stringify(b.rows));
    expect(rows.map((r) => `${r.symbol}#${r.positionSide}`).sort()).toEqual([
      "BTCUSD_261225#LONG",
      "BTCUSD_PERP#SHORT",
    ]);
  });

  it("an open row without markPrice still fails the read", () => {
    const b = bodies(hedgeSplitExample(66_000));
    const open = b.rows.find((r) => r.positionAmt === "-600") as Json;
    delete open.markPrice;
    expect(() => parsePositionRiskResponse(JSON.stringify(b.rows))).toThrow(/markPrice is missing/);
  });
});

describe("decimals of any length", () => {
  const huge = `0.${"0".repeat(100_000)}1`;

  it("a 100,000-digit figure is not a decimal: the body fails for this account as a bad answer", () => {
    expect(parseDecimal(huge)).toBeUndefined();
    expect(parseDecimal(`1${"0".repeat(MAX_DECIMAL_LENGTH)}`)).toBeUndefined();
    expect(parseDecimal(`${" ".repeat(MAX_DECIMAL_LENGTH)}1`)).toBeUndefined();
    const b = bodies(hedgeSplitExample(66_000));
    (b.account.assets[0] as Json).walletBalance = huge;
    expect(() => parseAccountResponse(JSON.stringify(b.account))).toThrow(BinanceResponseFormatError);
    const r = bodies(hedgeSplitExample(66_000));
    (r.rows[0] as Json).positionAmt = huge;
    expect(() => parsePositionRiskResponse(JSON.stringify(r.rows))).toThrow(/not a decimal string/);
  });

  it("every real figure still parses: the cap is far above Binance's longest", () => {
    for (const text of ["0.00241969", "-12", "66040.12345678", "123456789012345678.1234567890", "+3.10"]) {
      expect(parseDecimal(text)).toBeDefined();
    }
    expect(parseDecimal("9".repeat(MAX_DECIMAL_LENGTH))).toBeDefined();
  });

  it("zero trimming is one scan and exact, however long the run of inner zeros", () => {
    expect(trimTrailingZeros(`${huge}000`)).toBe(huge);
    expect(trimTrailingZeros("000")).toBe("");
    expect(trimFractionZeros("67321.10000000")).toBe("67321.1");
    expect(trimFractionZeros("2.000")).toBe("2");
    expect(trimFractionZeros("100")).toBe("100");
    expect(trimZeros(`${huge}00`)).toBe(huge);
    expect(trimZeros("0.0")).toBe("0");
    expect(formatDecimal({ units: 1n, scale: 100_001 })).toBe(huge);
    expect(formatDecimal({ units: 10n ** 50_000n, scale: 100_000 })).toBe(`0.${"0".repeat(49_999)}1`);
  });
});

/**
 * A pool at a new mark (lib/risk/revalue.ts) against the truth: the loopback exchange's margin
 * engine computing the same account's bodies at that mark, read through the monitor's own parsers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { joinPositions } from "../../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../../lib/binance/coinm/position-risk.js";
import { type Decimal, decimalFromNumber, parseDecimal } from "../../lib/risk/decimal.js";
import { type MarginPool, marginPools } from "../../lib/risk/pools.js";
import { bracketFor, type MaintenanceBracket, type RevalueContext, revaluePool } from "../../lib/risk/revalue.js";
import { buildEngineAccount, type EngineAccount, withMarks } from "../../sim/engine/coinm/account.js";
import { accountBodyOf, positionRiskBodyOf } from "../../sim/engine/coinm/bodies.js";
import { contractSizeOf } from "../../sim/engine/coinm/contract.js";
import { hedgeSplitExample, isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";

function poolsOf(engine: EngineAccount): MarginPool[] {
  const account = parseAccountResponse(accountBodyOf(engine));
  return marginPools(account, joinPositions(account, parsePositionRiskResponse(positionRiskBodyOf(engine))));
}

const d = (text: string): Decimal => {
  const v = parseDecimal(text);
  if (!v) throw new Error(`bad decimal ${text}`);
  return v;
};

/** The engine's default bracket (0.5%, cum 0) as leverageBracket lists it: one open bracket. */
const ENGINE_BRACKETS: readonly MaintenanceBracket[] = [
  { qtyFloor: d("0"), maintMarginRatio: d("0.005"), cum: d("0") },
];

const ctx = (brackets: readonly MaintenanceBracket[] | undefined = ENGINE_BRACKETS): RevalueContext => ({
  contractSize: (symbol) => decimalFromNumber(contractSizeOf(symbol)),
  brackets: () => brackets,
});

const marksOf = (marks: Record<string, number>) =>
  new Map(Object.entries(marks).map(([s, m]) => [s, decimalFromNumber(m)] as const));

/** Collateral and requirement agree with the engine's to its 1e-8 rendering, times the positions. */
function expectClose(revalued: MarginPool, truth: MarginPool) {
  const tolerance = 1e-8 * (2 + 2 * truth.positions.length);
  expect(Math.abs(Number(revalued.collateral) - Number(truth.collateral))).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(Number(revalued.requirement) - Number(truth.requirement))).toBeLessThanOrEqual(tolerance);
}

describe("revaluePool: the spec's worked examples", () => {
  it("hedge split read at 60,000: at a 66,000 mark the cross pool is at 89.3%, as the engine says", () => {
    // Prepare
    const read = poolsOf(hedgeSplitExample(60_000));
    const truth = poolsOf(hedgeSplitExample(66_000));
    const cross = read.find((p) => p.id === "BTC");
    const crossTruth = truth.find((p) => p.id === "BTC");
    if (!cross || !crossTruth) throw new Error("no BTC cross pool");

    // Act
    const revalued = revaluePool(cross, marksOf({ BTCUSD_PERP: 66_000 }), ctx());

    // Assess
    expect(cross.ratio).toBeLessThan(0.1);
    expect(revalued?.ratio).toBeCloseTo(0.893, 3);
    expect(revalued?.approximate).toBe(false);
    if (revalued) expectClose(revalued, crossTruth);
    expect(revalued?.nearest?.markPrice).toBe("66000");
    expect(revalued?.distance).toBeCloseTo(crossTruth.distance ?? Number.NaN, 6);
  });

  it("isolated long read at 60,000: at 57,000 the isolated pool is at 90%, the cross pool unmoved", () => {
    // Prepare
    const read = poolsOf(isolatedNearLiquidationExample(60_000));
    const truth = poolsOf(isolatedNearLiquidationExample(57_000));
    const marks = marksOf({ BTCUSD_PERP: 57_000 });

    // Act
    const revalued = read.map((p) => revaluePool(p, marks, ctx()));

    // Assess
    const isolated = revalued.find((p) => p?.kind === "isolated");
    expect(isolated?.ratio).toBeCloseTo(0.9, 3);
    const isolatedTruth = truth.find((p) => p.kind === "isolated");
    if (isolated && isolatedTruth) expectClose(isolated, isolatedTruth);
    expect(revalued.find((p) => p?.kind === "cross")?.collateral).toBe(
      read.find((p) => p.kind === "cross")?.collateral,
    );
  });
});

describe("revaluePool: properties against the engine", () => {
  const SYMBOLS = ["BTCUSD_PERP", "BTCUSD_261225", "ETHUSD_PERP"] as const;
  const ENTRY = { BTCUSD_PERP: 60_000, BTCUSD_261225: 61_000, ETHUSD_PERP: 3_000 } as const;
  const accountArb = fc
    .record({
      btc: fc.integer({ min: 1_000_000, max: 2_000_000_000 }),
      eth: fc.integer({ min: 1_000_000, max: 2_000_000_000 }),
      positions: fc.uniqueArray(
        fc.record({
          symbol: fc.constantFrom(...SYMBOLS),
          positionAmt: fc.integer({ min: -3_000, max: 3_000 }).filter((n) => n !== 0),
          isolatedWallet: fc.option(fc.integer({ min: 100_000, max: 100_000_000 }), { nil: undefined }),
        }),
        { selector: (p) => p.symbol, minLength: 1, maxLength: 3 },
      ),
      from: fc.double({ min: 0.8, max: 1.2, noNaN: true }),
      to: fc.double({ min: 0.7, max: 1.3, noNaN: true }),
    })
    .map(({ btc, eth, positions, from, to }) => {
      const engine = buildEngineAccount({
        crossWallets: { BTC: (btc / 1e8).toFixed(8), ETH: (eth / 1e8).toFixed(8) },
        positions: positions.map((p) => ({
          symbol: p.symbol,
          positionAmt: p.positionAmt,
          entryPrice: ENTRY[p.symbol],
          ...(p.isolatedWallet !== undefined ? { isolatedWallet: (p.isolatedWallet / 1e8).toFixed(8) } : {}),
        })),
      });
      const at = (f: number) => Object.fromEntries(SYMBOLS.map((s) => [s, Math.round(ENTRY[s] * f * 10) / 10]));
      return { engine: withMarks(engine, at(from)), marks: at(to) };
    });

  it("collateral and requirement at the new marks are the engine's, to its 8-decimal rendering", () => {
    fc.assert(
      fc.property(accountArb, ({ engine, marks }) => {
        const truth = poolsOf(withMarks(engine, marks));
        const moved = marksOf(marks);
        for (const pool of poolsOf(engine)) {
          const revalued = revaluePool(pool, moved, ctx());
          const expected = truth.find((p) => p.id === pool.id);
          if (!revalued || !expected) throw new Error(`pool ${pool.id} not revalued or gone`);
          expectClose(revalued, expected);
          // The ratio follows: no level can differ but for a ratio within the engine's rounding of one.
          if (Number.isFinite(expected.ratio) && Number(expected.collateral) > 1e-4) {
            const slack = (1e-8 * (2 + 2 * expected.positions.length)) / Number(expected.collateral);
            expect(Math.abs(revalued.ratio - expected.ratio)).toBeLessThanOrEqual(slack * (1 + expected.ratio) + 1e-11);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("without brackets the read's own rate gives the same figures when cum is 0 (flagged approximate)", () => {
    fc.assert(
      fc.property(accountArb, ({ engine, marks }) => {
        const moved = marksOf(marks);
        for (const pool of poolsOf(engine)) {
          const exact = revaluePool(pool, moved, ctx());
          const rated = revaluePool(pool, moved, { ...ctx(), brackets: () => undefined });
          expect(rated?.approximate).toBe(pool.positions.some((p) => moved.has(p.symbol)));
          expect(Math.abs(Number(rated?.requirement) - Number(exact?.requirement))).toBeLessThanOrEqual(1e-7);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("revaluePool: what it refuses", () => {
  it("a position without a read mark or contract size leaves the pool to signed reads (undefined, never zero)", () => {
    // Prepare
    const pool = poolsOf(isolatedNearLiquidationExample(60_000)).find((p) => p.kind === "isolated");
    if (!pool) throw new Error("no isolated pool");
    const noMark = { ...pool, positions: pool.positions.map(({ markPrice: _m, ...p }) => p) };

    // Act / Assess
    expect(revaluePool(noMark, marksOf({ BTCUSD_PERP: 57_000 }), ctx())).toBeUndefined();
    expect(
      revaluePool(pool, marksOf({ BTCUSD_PERP: 57_000 }), { contractSize: () => undefined, brackets: () => undefined }),
    ).toBeUndefined();
    expect(revaluePool({ ...pool, product: "usdm" }, marksOf({ BTCUSD_PERP: 57_000 }), ctx())).toBeUndefined();
  });

  it("collateral gone: the ratio is +Infinity (beyond every level), never NaN", () => {
    const pool = poolsOf(isolatedNearLiquidationExample(60_000)).find((p) => p.kind === "isolated");
    if (!pool) throw new Error("no isolated pool");
    const revalued = revaluePool(pool, marksOf({ BTCUSD_PERP: 40_000 }), ctx());
    expect(revalued?.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(Number(revalued?.collateral)).toBeLessThan(0);
  });
});

describe("bracketFor", () => {
  const tiers: MaintenanceBracket[] = [
    { qtyFloor: d("0"), qtyCap: d("50"), maintMarginRatio: d("0.004"), cum: d("0") },
    { qtyFloor: d("50"), qtyCap: d("100"), maintMarginRatio: d("0.005"), cum: d("0.05") },
    { qtyFloor: d("100"), maintMarginRatio: d("0.01"), cum: d("0.55") },
  ];
  it("picks floor <= qty < cap, and the open last bracket above it", () => {
    expect(bracketFor(tiers, d("0"))?.maintMarginRatio).toEqual(d("0.004"));
    expect(bracketFor(tiers, d("49.99"))?.maintMarginRatio).toEqual(d("0.004"));
    expect(bracketFor(tiers, d("50"))?.maintMarginRatio).toEqual(d("0.005"));
    expect(bracketFor(tiers, d("1000"))?.maintMarginRatio).toEqual(d("0.01"));
  });

  it("a tier crossed between reads changes the margin by the bracket's own formula", () => {
    // Prepare: 10,000 contracts of 100 USD short at 60,000 = 16.67 BTC; at 5,000 it is 200 BTC.
    const engine = buildEngineAccount({
      crossWallets: { BTC: "100" },
      positions: [{ symbol: "BTCUSD_PERP", positionAmt: -10_000, entryPrice: 60_000 }],
      brackets: { BTCUSD_PERP: { maintMarginRatio: 0.004, cum: 0 } },
    });
    const pool = poolsOf(engine)[0];
    if (!pool) throw new Error("no pool");

    // Act
    const revalued = revaluePool(pool, marksOf({ BTCUSD_PERP: 5_000 }), ctx(tiers));

    // Assess: 200 BTC x 1% - 0.55 = 1.45 BTC
    expect(Number(revalued?.requirement)).toBeCloseTo(1.45, 8);
  });
});

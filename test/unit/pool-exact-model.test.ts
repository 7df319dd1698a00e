/**
 * Issue 17's properties, over accounts the loopback margin engine holds (any mix of one-way and
 * hedge mode, cross and isolated, marks up to 50% either way, so many pools are past liquidation):
 * 1. For any body the parser accepts, every pool's ratio and distance are those of the exact
 *    model: the engine's own figures (doubles, within the bodies' 1e-8 rounding) and the spec's
 *    formulas on the bodies' own strings (exactly, to the 12 digits a ratio keeps).
 * 2. No field's absence lowers a ratio or raises a distance: with any fields dropped from any
 *    rows, the read either fails loudly or reads every pool at least as close to liquidation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { joinPositions } from "../../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../../lib/binance/coinm/position-risk.js";
import { BinanceResponseFormatError, PositionsMismatchError } from "../../lib/core/errors.js";
import { type Decimal, parseDecimal } from "../../lib/risk/decimal.js";
import { type MarginPool, marginPools } from "../../lib/risk/pools.js";
import { buildEngineAccount, type EngineAccount, type PositionSpec } from "../../sim/engine/coinm/account.js";
import { accountResponse, positionRiskRows } from "../../sim/engine/coinm/bodies.js";
import { distanceToLiquidation, poolsOf } from "../../sim/engine/coinm/figures.js";

type Json = Record<string, unknown>;
type Bodies = { account: { assets: Json[]; positions: Json[] } & Json; rows: Json[] };

const SYMBOLS = ["BTCUSD_PERP", "BTCUSD_261225", "ETHUSD_PERP", "ETHUSD_261225"] as const;
const ENTRY: Record<(typeof SYMBOLS)[number], number> = {
  BTCUSD_PERP: 60_000,
  BTCUSD_261225: 61_000,
  ETHUSD_PERP: 3_000,
  ETHUSD_261225: 3_050,
};

const wallet = fc.integer({ min: -2_000_000, max: 500_000_000 }).map((u) => (u / 1e8).toFixed(8));
const contracts = fc.integer({ min: 1, max: 3_000 });

/** Per symbol: its margin type and, in hedge mode, a LONG and/or SHORT row; one-way, one BOTH row. */
const symbolArb = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  isolated: fc.boolean(),
  long: fc.option(contracts, { nil: undefined }),
  short: fc.option(contracts, { nil: undefined }),
  leverage: fc.integer({ min: 1, max: 125 }),
  isolatedWallet: fc.integer({ min: 0, max: 100_000_000 }).map((u) => (u / 1e8).toFixed(8)),
  markFactor: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
});

const engineArb: fc.Arbitrary<EngineAccount> = fc
  .record({
    hedge: fc.boolean(),
    btc: wallet,
    eth: wallet,
    symbols: fc.uniqueArray(symbolArb, { selector: (s) => s.symbol, minLength: 1, maxLength: SYMBOLS.length }),
  })
  .map(({ hedge, btc, eth, symbols }) => {
    const positions: PositionSpec[] = [];
    const marks: Record<string, number> = {};
    for (const s of symbols) {
      const common = {
        symbol: s.symbol,
        entryPrice: ENTRY[s.symbol],
        leverage: s.leverage,
        marginType: s.isolated ? ("isolated" as const) : ("cross" as const),
        ...(s.isolated ? { isolatedWallet: s.isolatedWallet } : {}),
      };
      if (hedge) {
        if (s.long) positions.push({ ...common, positionSide: "LONG", positionAmt: s.long });
        if (s.short) positions.push({ ...common, positionSide: "SHORT", positionAmt: -s.short });
      } else {
        const amount = (s.long ?? 0) - (s.short ?? 0) || 1;
        positions.push({ ...common, positionSide: "BOTH", positionAmt: amount });
      }
      marks[s.symbol] = Math.round(ENTRY[s.symbol] * s.markFactor * 10) / 10;
    }
    return buildEngineAccount({ crossWallets: { BTC: btc, ETH: eth }, positions, marks, hedgeMode: hedge });
  });

const bodiesOf = (e: EngineAccount): Bodies => ({
  account: accountResponse(e) as Bodies["account"],
  rows: positionRiskRows(e) as Json[],
});

function read(b: Bodies): MarginPool[] {
  const account = parseAccountResponse(JSON.stringify(b.account));
  return marginPools(account, joinPositions(account, parsePositionRiskResponse(JSON.stringify(b.rows))));
}

/** The engine's pool id for a pool of the monitor. */
const engineId = (p: MarginPool) =>
  p.kind === "cross" ? `${p.asset} cross` : `${p.symbol} ${p.positionSide} isolated`;

// ---- the spec's formulas on the bodies' strings, with rationals (independent of lib/risk) ------

const units = (text: unknown): bigint => {
  const d = parseDecimal(String(text)) as Decimal;
  return d.units * 10n ** BigInt(10 - d.scale);
};
/** num / den to 12 digits, truncated like the monitor's quotient. */
const ratioOf = (num: bigint, den: bigint): number =>
  num <= 0n ? 0 : den <= 0n ? Number.POSITIVE_INFINITY : Number((num * 10n ** 12n) / den) / 1e12;

function specRatios(b: Bodies): Map<string, number> {
  const out = new Map<string, number>();
  const open = b.account.positions.filter((p) => units(p.positionAmt) !== 0n);
  for (const a of b.account.assets) {
    const cross = open.filter((p) => !p.isolated && String(p.symbol).startsWith(`${a.asset}USD_`));
    if (cross.length === 0 && units(a.walletBalance) === 0n && units(a.maintMargin) === 0n) continue;
    const requirement = cross.reduce((s, p) => s + units(p.maintMargin), 0n);
    out.set(`${a.asset} cross`, ratioOf(requirement, units(a.crossWalletBalance) + units(a.crossUnPnl)));
  }
  for (const p of open.filter((p) => p.isolated)) {
    const risk = b.rows.find((r) => r.symbol === p.symbol && r.positionSide === p.positionSide) as Json;
    out.set(`${p.symbol} ${p.positionSide} isolated`, ratioOf(units(p.maintMargin), units(risk.isolatedMargin)));
  }
  return out;
}

/** How far the bodies' 1e-8 rounding can move a figure summed over `n` rounded terms. */
const ROUNDING = 0.5e-8;

describe("every pool the parser reads is the exact model's", () => {
  it("ratio and distance: the engine's within rounding, the spec's formulas on the body exactly", () => {
    let past = 0;
    fc.assert(
      fc.property(engineArb, (engine) => {
        const b = bodiesOf(engine);
        const pools = read(b);
        const spec = specRatios(b);
        const truth = new Map(poolsOf(engine).map((p) => [p.id, p]));
        for (const pool of pools) {
          const id = engineId(pool);
          // Exactly the spec's formula on the body's strings.
          expect(pool.ratio).toBe(spec.get(id) ?? 0);
          const model = truth.get(id);
          if (!model) {
            // A cross pool the engine has no wallet or position for is empty: nothing to lose.
            expect(pool.ratio).toBe(0);
            continue;
          }
          const n = model.positions.length + 1;
          const slack = n * ROUNDING;
          const margin = model.collateral - model.requirement;
          // Within the rounding of the body, the engine's ratio (skip only where rounding decides).
          if (Math.abs(model.collateral) > slack && model.requirement > slack) {
            const tolerance = model.ratio * (slack / model.requirement + slack / Math.abs(model.collateral)) + 1e-11;
            if (Number.isFinite(model.ratio)) expect(Math.abs(pool.ratio - model.ratio)).toBeLessThanOrEqual(tolerance);
            else expect(pool.ratio).toBe(Number.POSITIVE_INFINITY);
          }
          if (Math.abs(margin) <= 2 * slack) continue;
          if (margin <= 0 && model.requirement > 0) past++;
          for (const position of pool.positions) {
            const held = model.positions.find(
              (p) => p.symbol === position.symbol && p.positionSide === position.positionSide,
            );
            expect(held).toBeDefined();
            const expected = held ? distanceToLiquidation(engine, held) : undefined;
            if (expected === undefined) expect(position.distance).toBeNull();
            else if (expected === 0) expect(position.distance).toBe(0);
            else {
              // The body's liquidation price has 8 decimals; the mark is the engine's.
              expect(position.distance).not.toBeNull();
              expect(Math.abs((position.distance ?? 0) - expected)).toBeLessThan(1e-9);
            }
          }
          const distances = pool.positions.map((p) => p.distance).filter((d): d is number => d !== null);
          expect(pool.distance).toBe(distances.length > 0 ? Math.min(...distances) : null);
        }
      }),
      { numRuns: 400 },
    );
    // The marks reach far enough that pools past liquidation are a real share of the cases.
    expect(past).toBeGreaterThan(20);
  });
});

const ASSET_FIELDS = [
  "walletBalance",
  "unrealizedProfit",
  "marginBalance",
  "maintMargin",
  "initialMargin",
  "positionInitialMargin",
  "openOrderInitialMargin",
  "maxWithdrawAmount",
  "crossWalletBalance",
  "crossUnPnl",
  "availableBalance",
  "updateTime",
];
const POSITION_FIELDS = [
  "symbol",
  "positionAmt",
  "initialMargin",
  "maintMargin",
  "unrealizedProfit",
  "positionInitialMargin",
  "openOrderInitialMargin",
  "leverage",
  "isolated",
  "positionSide",
  "entryPrice",
  "breakEvenPrice",
  "maxQty",
  "notionalValue",
  "updateTime",
];
const RISK_FIELDS = [
  "symbol",
  "positionAmt",
  "entryPrice",
  "breakEvenPrice",
  "markPrice",
  "unRealizedProfit",
  "liquidationPrice",
  "leverage",
  "maxQty",
  "marginType",
  "isolatedMargin",
  "isolatedWallet",
  "notionalValue",
  "isAutoAddMargin",
  "positionSide",
  "updateTime",
];

const dropArb = fc.array(
  fc.oneof(
    fc.record({ in: fc.constant("assets" as const), index: fc.nat(), field: fc.constantFrom(...ASSET_FIELDS) }),
    fc.record({ in: fc.constant("positions" as const), index: fc.nat(), field: fc.constantFrom(...POSITION_FIELDS) }),
    fc.record({ in: fc.constant("rows" as const), index: fc.nat(), field: fc.constantFrom(...RISK_FIELDS) }),
  ),
  { minLength: 1, maxLength: 6 },
);

describe("no field's absence lowers a ratio", () => {
  it("with any fields dropped, the read fails loudly or every pool is at least as close to liquidation", () => {
    const outcomes = { failed: 0, read: 0 };
    fc.assert(
      fc.property(engineArb, dropArb, (engine, drops) => {
        const full = read(bodiesOf(engine));
        const damaged = bodiesOf(engine);
        for (const d of drops) {
          const list =
            d.in === "assets"
              ? damaged.account.assets
              : d.in === "positions"
                ? damaged.account.positions
                : damaged.rows;
          if (list.length > 0) delete (list[d.index % list.length] as Json)[d.field];
        }
        let pools: MarginPool[];
        try {
          pools = read(damaged);
        } catch (err) {
          // Loud and typed: a bad answer for this account, never a number.
          expect(err instanceof BinanceResponseFormatError || err instanceof PositionsMismatchError).toBe(true);
          outcomes.failed++;
          return;
        }
        outcomes.read++;
        for (const before of full) {
          const after = pools.find((p) => p.id === before.id);
          expect(after, `pool ${before.id} vanished`).toBeDefined();
          expect(after?.ratio).toBeGreaterThanOrEqual(before.ratio);
          if (before.distance !== null && after?.distance !== null && after?.distance !== undefined) {
            expect(after.distance).toBeLessThanOrEqual(before.distance);
          }
        }
      }),
      { numRuns: 400 },
    );
    // Both outcomes are exercised: optional fields dropped and read, needed ones dropped and refused.
    expect(outcomes.failed).toBeGreaterThan(20);
    expect(outcomes.read).toBeGreaterThan(20);
  });
});

/**
 * Properties of margin pools (issue 9): an all-cross account keeps the numbers it had before
 * pools existed, and an isolated position is a pool of its own that never moves the cross pool.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { joinPositions } from "../../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../../lib/binance/coinm/position-risk.js";
import { formatDecimal, marginRatio, parseDecimal } from "../../lib/risk/decimal.js";
import { type MarginPool, marginPools } from "../../lib/risk/pools.js";
import { type AssetFigures, accountBody } from "../../sim/account-fixtures.js";
import { buildEngineAccount, type EngineAccount, type PositionSpec } from "../../sim/engine/coinm/account.js";
import { accountBodyOf, positionRiskBodyOf } from "../../sim/engine/coinm/bodies.js";
import { positionRiskFromAccountBody } from "../../sim/exchange/coinm/scripted-bodies.js";

function pools(accountBody: string, positionRiskBody: string): MarginPool[] {
  const account = parseAccountResponse(accountBody);
  return marginPools(account, joinPositions(account, parsePositionRiskResponse(positionRiskBody)));
}

const enginePools = (e: EngineAccount) => pools(accountBodyOf(e), positionRiskBodyOf(e));

/** The ratio the monitor computed per asset before pools: maintMargin / marginBalance. */
function oldAssetRatio(accountBody: string, asset: string): number {
  const balance = parseAccountResponse(accountBody).assets.find((a) => a.asset === asset);
  if (!balance) throw new Error(`no asset ${asset}`);
  return marginRatio(
    parseDecimal(balance.maintMargin) ?? { units: 0n, scale: 0 },
    parseDecimal(balance.marginBalance) ?? { units: 0n, scale: 0 },
  );
}

const SYMBOLS = ["BTCUSD_PERP", "BTCUSD_261225", "BTCUSD_270326", "ETHUSD_PERP", "ETHUSD_261225"] as const;
const ENTRY: Record<(typeof SYMBOLS)[number], number> = {
  BTCUSD_PERP: 60_000,
  BTCUSD_261225: 61_000,
  BTCUSD_270326: 62_000,
  ETHUSD_PERP: 3_000,
  ETHUSD_261225: 3_050,
};

/** A decimal wallet in coin with 8 decimals, negative now and then (losses realised past the wallet). */
const wallet = fc.integer({ min: -5_000_000, max: 2_000_000_000 }).map((u) => (u / 1e8).toFixed(8));
const amount = fc.integer({ min: -5_000, max: 5_000 }).filter((n) => n !== 0);
/** A mark within ±40% of the symbol's entry. */
const markFactor = fc.double({ min: 0.6, max: 1.4, noNaN: true });

/** One-way mode positions on distinct symbols, some of them isolated. */
const positionsArb = (isolated: boolean) =>
  fc.uniqueArray(
    fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      positionAmt: amount,
      leverage: fc.integer({ min: 1, max: 125 }),
      isolatedWallet: isolated
        ? fc.option(
            wallet.filter((w) => !w.startsWith("-")),
            { nil: undefined },
          )
        : fc.constant(undefined),
    }),
    { selector: (p) => p.symbol, maxLength: SYMBOLS.length },
  );

const accountArb = (isolated: boolean) =>
  fc
    .record({
      btc: wallet,
      eth: wallet,
      positions: positionsArb(isolated),
      marks: fc.record(Object.fromEntries(SYMBOLS.map((s) => [s, markFactor])) as Record<string, typeof markFactor>),
    })
    .map(({ btc, eth, positions, marks }) =>
      buildEngineAccount({
        crossWallets: { BTC: btc, ETH: eth },
        positions: positions.map(
          (p): PositionSpec => ({
            symbol: p.symbol,
            positionAmt: p.positionAmt,
            entryPrice: ENTRY[p.symbol],
            leverage: p.leverage,
            ...(p.isolatedWallet !== undefined ? { isolatedWallet: p.isolatedWallet } : {}),
          }),
        ),
        marks: Object.fromEntries(SYMBOLS.map((s) => [s, Math.round(ENTRY[s] * (marks[s] ?? 1) * 10) / 10])),
      }),
    );

describe("an all-cross account: the cross pool ratio is the old asset ratio", () => {
  it("for engine accounts (positions, marks and wallets of any sign), exactly, asset by asset", () => {
    fc.assert(
      fc.property(accountArb(false), (engine) => {
        const body = accountBodyOf(engine);
        for (const pool of enginePools(engine)) {
          expect(pool.kind).toBe("cross");
          const old = oldAssetRatio(body, pool.asset);
          expect(pool.ratio).toBe(old);
          expect(Number.isNaN(pool.ratio)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("for raw account bodies with any decimal figures (positionRisk as the loopback exchange derives it)", () => {
    const decimal = (min: number, max: number) =>
      fc.tuple(fc.integer({ min, max }), fc.integer({ min: 0, max: 8 })).map(([u, s]) => (u / 10 ** s).toFixed(s));
    const assetArb: fc.Arbitrary<AssetFigures> = fc.record({
      asset: fc.constantFrom("BTC", "ETH", "SOL", "1000SHIB"),
      walletBalance: decimal(-1_000_000, 1_000_000_000),
      maintMargin: decimal(0, 100_000_000),
      unrealizedProfit: decimal(-100_000_000, 100_000_000),
    });
    fc.assert(
      fc.property(fc.uniqueArray(assetArb, { selector: (a) => a.asset, minLength: 1, maxLength: 4 }), (assets) => {
        const body = accountBody(assets);
        const all = pools(body, positionRiskFromAccountBody(body));
        for (const a of assets) {
          const pool = all.find((p) => p.id === a.asset);
          if (!pool) {
            // An asset with all-zero figures and no position has no pool, as it had no ratio worth showing.
            expect(oldAssetRatio(body, a.asset)).toBe(0);
            continue;
          }
          expect(pool.ratio).toBe(oldAssetRatio(body, a.asset));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("an isolated position is its own pool", () => {
  it("adding one (any symbol, side, size, wallet) never changes a cross pool's requirement, collateral or ratio", () => {
    const extra = fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      positionAmt: amount,
      leverage: fc.integer({ min: 1, max: 125 }),
      isolatedWallet: wallet.filter((w) => !w.startsWith("-")),
    });
    fc.assert(
      fc.property(accountArb(true), extra, (before, add) => {
        // Binance sets the margin type per symbol: add on a symbol the account does not hold yet.
        fc.pre(!before.positions.some((p) => p.symbol === add.symbol));
        const after: EngineAccount = {
          ...before,
          positions: [
            ...before.positions,
            {
              symbol: add.symbol,
              positionSide: "BOTH",
              positionAmt: add.positionAmt,
              entryPrice: ENTRY[add.symbol],
              leverage: add.leverage,
              marginType: "isolated",
              isolatedWallet: add.isolatedWallet,
            },
          ],
        };
        const was = enginePools(before);
        const now = enginePools(after);
        for (const cross of was.filter((p) => p.kind === "cross")) {
          const same = now.find((p) => p.id === cross.id);
          expect(same).toBeDefined();
          expect(same?.requirement).toBe(cross.requirement);
          expect(same?.collateral).toBe(cross.collateral);
          expect(same?.ratio).toBe(cross.ratio);
          expect(same?.distance).toBe(cross.distance);
        }
        // The new position is a pool of its own, with exactly its own collateral.
        const added = now.filter((p) => p.kind === "isolated" && p.symbol === add.symbol);
        expect(added).toHaveLength(1);
        expect(added[0]?.positions).toHaveLength(1);
        const own = parseDecimal(added[0]?.positions[0]?.isolatedMargin ?? "");
        expect(own && added[0]?.collateral).toBe(own && formatDecimal(own));
        // Besides it, at most the asset's cross pool appears (when the asset had no balance before).
        expect(now.length).toBe(was.length + 1 + (was.some((p) => p.id === added[0]?.asset) ? 0 : 1));
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * USD-M (issue 19): linear PnL and maintenance, the two views parsed and joined, pools in
 * single-asset and Multi-Assets mode, ids and labels that say which book, and the two pool
 * properties. Bodies come from the linear margin engine (sim/usdm-engine.ts) or are broken by hand.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseUsdmAccountResponse } from "../../lib/binance/usdm/account.js";
import { joinUsdmPositions } from "../../lib/binance/usdm/join.js";
import { parseUsdmPositionRiskResponse } from "../../lib/binance/usdm/position-risk.js";
import { isEmptyUsdmAccount, usdmPools } from "../../lib/binance/usdm/reader.js";
import { BinanceResponseFormatError, PositionsMismatchError } from "../../lib/core/errors.js";
import { formatDecimal, marginRatio, parseDecimal, sumDecimals } from "../../lib/risk/decimal.js";
import { levelsForPool } from "../../lib/risk/level-overrides.js";
import { DEFAULT_ALERT_LEVELS, DEFAULT_DISTANCE_LEVELS } from "../../lib/risk/levels.js";
import { linearMaintenance, linearMarginAssetOf, linearPnl } from "../../lib/risk/linear.js";
import { type MarginPool, marginPools, poolOfId } from "../../lib/risk/pools.js";
import {
  EMPTY_USDM_ACCOUNT,
  type LinearAccount,
  type LinearPosition,
  usdmAccountBodyOf,
  usdmAccountResponse,
  usdmPositionRiskBodyOf,
  usdmPositionRiskRows,
  usdtCrossAtRatio,
  withLinearMarks,
} from "../../sim/engine/usdm/bodies.js";

function poolsOf(account: LinearAccount, accountBody = usdmAccountBodyOf(account)): MarginPool[] {
  const parsed = parseUsdmAccountResponse(accountBody);
  const positions = joinUsdmPositions(parsed, parseUsdmPositionRiskResponse(usdmPositionRiskBodyOf(account)));
  return usdmPools(parsed, positions, account.multiAssets === true);
}

function byId(pools: readonly MarginPool[], id: string): MarginPool {
  const found = pools.find((p) => p.id === id);
  if (!found) throw new Error(`no pool ${id} in ${pools.map((p) => p.id).join(", ")}`);
  return found;
}

const d = (text: string) => parseDecimal(text) ?? { units: 0n, scale: 0 };

describe("linear contracts: PnL and maintenance (exact decimals)", () => {
  it("PnL is side × |qty| × (mark − entry) in the margin asset", () => {
    expect(linearPnl("long", "0.5", "62000.5", "60000")).toBe("1000.25");
    expect(linearPnl("short", "-0.5", "62000.5", "60000")).toBe("-1000.25");
    expect(linearPnl("short", "-2", "59000", "60000")).toBe("2000");
  });

  it("maintenance is |qty| × mark × rate − cum", () => {
    expect(linearMaintenance("1", "60000", "0.004", "0")).toBe("240");
    // Binance's second BTCUSDT bracket: 0.5% with cum 50 USDT.
    expect(linearMaintenance("-10", "60000", "0.005", "50")).toBe("2950");
  });

  it("the engine renders the same figures Binance's formulas give", () => {
    const account: LinearAccount = {
      wallets: { USDT: 10_000 },
      positions: [{ symbol: "BTCUSDT", positionAmt: -2, entryPrice: 60_000 }],
      marks: { BTCUSDT: 61_000 },
      brackets: { BTCUSDT: { maintMarginRatio: 0.005, cum: 50 } },
    };
    const [row] = usdmPositionRiskRows(account);
    expect(row).toMatchObject({ unRealizedProfit: "-2000.00000000", maintMargin: "560.00000000", marginAsset: "USDT" });
    expect(linearPnl("short", "-2", "61000", "60000")).toBe("-2000");
    expect(linearMaintenance("-2", "61000", "0.005", "50")).toBe("560");
  });

  it("a symbol's margin asset is its quote asset", () => {
    expect(["BTCUSDT", "ETHUSDC", "BTCUSDT_261225", "BTCFDUSD"].map(linearMarginAssetOf)).toEqual([
      "USDT",
      "USDC",
      "USDT",
      "FDUSD",
    ]);
  });
});

describe("single-asset mode: a cross pool per margin asset, each isolated position its own", () => {
  const account: LinearAccount = {
    wallets: { USDT: 2_000, USDC: 1_000 },
    positions: [
      { symbol: "BTCUSDT", positionAmt: 1, entryPrice: 60_000 },
      { symbol: "ETHUSDT", positionAmt: -10, entryPrice: 3_000 },
      { symbol: "ETHUSDC", positionAmt: 2, entryPrice: 3_000 },
      { symbol: "BTCUSDT", positionSide: "LONG", positionAmt: 0.5, entryPrice: 60_000 },
      { symbol: "SOLUSDT", positionAmt: 100, entryPrice: 150, marginType: "isolated", isolatedWallet: 800 },
    ].map((p): LinearPosition => p as LinearPosition),
    marks: { BTCUSDT: 58_000, ETHUSDT: 3_100, ETHUSDC: 3_050, SOLUSDT: 145 },
  };
  const pools = poolsOf(account);

  it("ids carry the product and never collide with COIN-M's; labels name the book", () => {
    expect(pools.map((p) => [p.id, p.label, p.product])).toEqual([
      ["usdm:USDT", "USDT cross (USD-M)", "usdm"],
      ["usdm:SOLUSDT#BOTH", "SOLUSDT long isolated (USD-M)", "usdm"],
      ["usdm:USDC", "USDC cross (USD-M)", "usdm"],
    ]);
  });

  it("the USDT cross pool is Σ cross maintenance / (cross wallet + cross PnL), exactly", () => {
    const usdt = byId(pools, "usdm:USDT");
    // maint: 58,000 × 0.004 + 31,000 × 0.004 + 29,000 × 0.004 = 232 + 124 + 116 = 472
    // PnL: −2,000 − 1,000 − 1,000 = −4,000 ... on a 2,000 wallet: collateral −2,000 → beyond every level.
    expect(usdt.requirement).toBe("472");
    expect(usdt.collateral).toBe("-2000");
    expect(usdt.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(usdt.positions.map((p) => p.symbol)).toEqual(["BTCUSDT", "BTCUSDT", "ETHUSDT"]);
  });

  it("the isolated pool is its maintenance / (isolated wallet + its PnL)", () => {
    const sol = byId(pools, "usdm:SOLUSDT#BOTH");
    expect(sol.requirement).toBe("58");
    expect(sol.collateral).toBe("300");
    expect(sol.ratio).toBeCloseTo(58 / 300, 12);
    expect(sol.asset).toBe("USDT");
    expect(sol.nearest?.liquidationPrice).toBeDefined();
  });

  it("the USDC pool counts only USDC-margined positions", () => {
    const usdc = byId(pools, "usdm:USDC");
    expect(usdc.requirement).toBe("24.4");
    expect(usdc.collateral).toBe("1100");
  });

  it("at its closed-form liquidation price an isolated pool's collateral meets its requirement", () => {
    const sol = byId(pools, "usdm:SOLUSDT#BOTH");
    const liq = Number(sol.nearest?.liquidationPrice);
    const at = byId(poolsOf(withLinearMarks(account, { SOLUSDT: liq })), "usdm:SOLUSDT#BOTH");
    expect(at.ratio).toBeCloseTo(1, 5);
  });

  it("the same for a cross position with the others at their marks", () => {
    const single: LinearAccount = {
      wallets: { USDT: 5_000 },
      positions: [
        { symbol: "BTCUSDT", positionAmt: 1, entryPrice: 60_000 },
        { symbol: "ETHUSDT", positionAmt: -5, entryPrice: 3_000 },
      ],
    };
    const btc = byId(poolsOf(single), "usdm:USDT").positions.find((p) => p.symbol === "BTCUSDT");
    const liq = Number(btc?.liquidationPrice);
    expect(liq).toBeGreaterThan(0);
    expect(byId(poolsOf(withLinearMarks(single, { BTCUSDT: liq })), "usdm:USDT").ratio).toBeCloseTo(1, 5);
  });

  it("a USDT cross pool at 88% reads as 88%", () => {
    expect(byId(poolsOf(usdtCrossAtRatio(0.88)), "usdm:USDT").ratio).toBeCloseTo(0.88, 8);
  });
});

describe("Multi-Assets mode: one cross pool for the whole account, in USD", () => {
  const account: LinearAccount = {
    multiAssets: true,
    wallets: { USDT: 1_000, USDC: 500 },
    positions: [
      { symbol: "BTCUSDT", positionAmt: 1, entryPrice: 60_000 },
      { symbol: "ETHUSDC", positionAmt: 10, entryPrice: 3_000 },
    ],
    marks: { BTCUSDT: 59_500, ETHUSDC: 3_000 },
  };

  it("totalMaintMargin / totalMarginBalance, labelled as USD-M", () => {
    const pools = poolsOf(account);
    expect(pools.map((p) => [p.id, p.label])).toEqual([["usdm:USD", "USD cross (USD-M)"]]);
    const [whole] = pools;
    // maint 238 + 120 = 358; balance 1,500 − 500 = 1,000
    expect(whole?.requirement).toBe("358");
    expect(whole?.collateral).toBe("1000");
    expect(whole?.ratio).toBeCloseTo(0.358, 12);
    expect(whole?.positions).toHaveLength(2);
  });

  it("without the totals the pool cannot be told: the read fails", () => {
    const body = usdmAccountResponse(account);
    delete body.totalMaintMargin;
    expect(() => poolsOf(account, JSON.stringify(body))).toThrow(PositionsMismatchError);
  });
});

describe("the two views, at the boundary", () => {
  it("an account with nothing on USD-M is empty (Binance still lists its assets at zero)", () => {
    const parsed = parseUsdmAccountResponse(usdmAccountBodyOf(EMPTY_USDM_ACCOUNT));
    expect(parsed.assets.length).toBeGreaterThan(3);
    expect(isEmptyUsdmAccount(parsed)).toBe(true);
    expect(
      isEmptyUsdmAccount(parseUsdmAccountResponse(usdmAccountBodyOf({ wallets: { USDT: 1 }, positions: [] }))),
    ).toBe(false);
  });

  it("a position in one view and not the other is refused", () => {
    const account = usdtCrossAtRatio(0.5);
    const parsed = parseUsdmAccountResponse(usdmAccountBodyOf(account));
    expect(() => joinUsdmPositions(parsed, [])).toThrow(PositionsMismatchError);
    expect(() =>
      joinUsdmPositions({ ...parsed, positions: [] }, parseUsdmPositionRiskResponse(usdmPositionRiskBodyOf(account))),
    ).toThrow(/positionRisk lists BTCUSDT#BOTH/);
  });

  it("a position margined in an asset the account does not list is refused", () => {
    const account = usdtCrossAtRatio(0.5);
    const parsed = parseUsdmAccountResponse(usdmAccountBodyOf(account));
    const rows = parseUsdmPositionRiskResponse(usdmPositionRiskBodyOf(account)).map((r) => ({
      ...r,
      marginAsset: "XYZ",
    }));
    expect(() => joinUsdmPositions(parsed, rows)).toThrow(/margined in XYZ/);
  });

  it("malformed bodies name the field; missing figures are never zero", () => {
    const account = usdtCrossAtRatio(0.5);
    const rows = usdmPositionRiskRows(account);
    const without = (field: string) => JSON.stringify(rows.map(({ [field]: _, ...rest }) => rest));
    expect(() => parseUsdmPositionRiskResponse(without("markPrice"))).toThrow(/markPrice is missing/);
    expect(() => parseUsdmPositionRiskResponse(without("marginAsset"))).toThrow(/marginAsset is missing/);
    expect(() => parseUsdmPositionRiskResponse("<html>")).toThrow(BinanceResponseFormatError);
    const body = usdmAccountResponse(account) as { assets: Record<string, unknown>[] };
    delete body.assets[0]?.marginBalance;
    expect(() => parseUsdmAccountResponse(JSON.stringify(body))).toThrow(/marginBalance is missing/);
    const isolated = usdmPositionRiskRows({
      wallets: {},
      positions: [
        { symbol: "BTCUSDT", positionAmt: 1, entryPrice: 60_000, marginType: "isolated", isolatedWallet: 500 },
      ],
    }).map(({ isolatedMargin: _, ...rest }) => rest);
    expect(() => parseUsdmPositionRiskResponse(JSON.stringify(isolated))).toThrow(/isolatedMargin is missing/);
  });

  it("symbols with markup or controls never pass", () => {
    const rows = usdmPositionRiskRows(usdtCrossAtRatio(0.5)).map((r) => ({ ...r, symbol: "<b>BTC</b>" }));
    expect(() => parseUsdmPositionRiskResponse(JSON.stringify(rows))).toThrow(/symbol is missing or invalid/);
  });
});

describe("pool ids: COIN-M's as before, USD-M's say their product", () => {
  it("reads a USD-M id back to its kind, asset, product and label", () => {
    expect(poolOfId("usdm:USDT")).toEqual({
      kind: "cross",
      asset: "USDT",
      product: "usdm",
      label: "USDT cross (USD-M)",
    });
    expect(poolOfId("usdm:ETHUSDC#SHORT")).toEqual({
      kind: "isolated",
      asset: "USDC",
      product: "usdm",
      label: "ETHUSDC SHORT isolated (USD-M)",
    });
  });

  it("COIN-M ids and labels are unchanged", () => {
    expect(poolOfId("BTC")).toEqual({ kind: "cross", asset: "BTC", label: "BTC cross" });
    expect(poolOfId("BTCUSD_PERP#BOTH")).toMatchObject({ kind: "isolated", asset: "BTC" });
    expect(poolOfId("BTCUSD_PERP#BOTH")).not.toHaveProperty("product");
    const coinm = marginPools(
      { assets: [{ asset: "BTC", walletBalance: "1", marginBalance: "1", maintMargin: "0" }] },
      [],
    );
    expect(coinm.map((p) => [p.id, p.label, p.product])).toEqual([["BTC", "BTC cross", undefined]]);
  });
});

describe("pool properties (fast-check)", () => {
  const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BTCUSDT_261225"] as const;
  const ENTRY: Record<(typeof SYMBOLS)[number], number> = {
    BTCUSDT: 60_000,
    ETHUSDT: 3_000,
    SOLUSDT: 150,
    BTCUSDT_261225: 61_000,
  };
  const position = fc.record({
    symbol: fc.constantFrom(...SYMBOLS),
    positionAmt: fc
      .integer({ min: -2_000, max: 2_000 })
      .filter((n) => n !== 0)
      .map((n) => n / 1000),
    move: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
  });
  const wallet = fc.integer({ min: -500_000, max: 5_000_000_000 }).map((u) => Number((u / 1e4).toFixed(4)));
  const build = (
    w: number,
    specs: readonly { symbol: (typeof SYMBOLS)[number]; positionAmt: number; move: number }[],
  ) => {
    const marks: Record<string, number> = {};
    const positions: LinearPosition[] = [];
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.symbol)) continue;
      seen.add(s.symbol);
      marks[s.symbol] = Number((ENTRY[s.symbol] * (1 + s.move)).toFixed(2));
      positions.push({ symbol: s.symbol, positionAmt: s.positionAmt, entryPrice: ENTRY[s.symbol] });
    }
    return { wallets: { USDT: w }, positions, marks } satisfies LinearAccount;
  };

  it("all-cross: the pool ratio is Σ maintenance / (cross wallet + cross PnL)", () => {
    fc.assert(
      fc.property(wallet, fc.array(position, { minLength: 1, maxLength: 4 }), (w, specs) => {
        const account = build(w, specs);
        const rows = parseUsdmPositionRiskResponse(usdmPositionRiskBodyOf(account));
        const asset = parseUsdmAccountResponse(usdmAccountBodyOf(account)).assets.find((a) => a.asset === "USDT");
        const maint = sumDecimals(rows.map((r) => d(r.maintMargin ?? "0")));
        const collateral = sumDecimals([d(asset?.crossWalletBalance ?? "x"), d(asset?.crossUnPnl ?? "x")]);
        const usdt = byId(poolsOf(account), "usdm:USDT");
        expect(usdt.requirement).toBe(formatDecimal(maint));
        expect(usdt.ratio).toBe(marginRatio(maint, collateral));
      }),
      { numRuns: 200 },
    );
  });

  it("adding an isolated position never changes the cross pool", () => {
    fc.assert(
      fc.property(
        wallet,
        fc.array(position, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (w, specs, amount, isolatedWallet) => {
          const base = build(w, specs);
          const withIsolated: LinearAccount = {
            ...base,
            positions: [
              ...base.positions,
              { symbol: "XRPUSDT", positionAmt: -amount, entryPrice: 0.5, marginType: "isolated", isolatedWallet },
            ],
            marks: { ...base.marks, XRPUSDT: 0.52 },
          };
          const before = byId(poolsOf(base), "usdm:USDT");
          const after = poolsOf(withIsolated);
          const { positions: _a, nearest: _b, ...crossBefore } = before;
          const { positions: _c, nearest: _d, ...crossAfter } = byId(after, "usdm:USDT");
          expect(crossAfter).toEqual(crossBefore);
          expect(after.map((p) => p.id)).toContain("usdm:XRPUSDT#BOTH");
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("level overrides reach USD-M pools by symbol or asset", () => {
  const global = { ratio: DEFAULT_ALERT_LEVELS, distance: DEFAULT_DISTANCE_LEVELS };
  const overrides = {
    assets: {
      BTCUSDT: { alertLevels: [{ name: "warning", ratio: 0.3 }] },
      USDT: { alertLevels: [{ name: "critical", ratio: 0.9 }] },
    },
  };
  it("an isolated USD-M pool takes its symbol's set, a cross one its asset's", () => {
    expect(levelsForPool(global, overrides, "usdm:BTCUSDT#BOTH", "USDT", 0.05).ratio).toEqual([
      { name: "warning", ratio: 0.3 },
    ]);
    expect(levelsForPool(global, overrides, "usdm:USDT", "USDT", 0.05).ratio).toEqual([
      { name: "critical", ratio: 0.9 },
    ]);
  });
});

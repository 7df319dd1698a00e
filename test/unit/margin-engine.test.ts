import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { marginRatio, parseDecimal } from "../../lib/risk/decimal.js";
import { crossAccountAtRatio } from "../../sim/account-fixtures.js";
import {
  buildEngineAccount,
  type EngineAccount,
  type EnginePosition,
  type PositionSpec,
  withMark,
} from "../../sim/engine/coinm/account.js";
import { accountResponse, positionRiskRows } from "../../sim/engine/coinm/bodies.js";
import { BTC_QUARTERLY, marginAssetOf } from "../../sim/engine/coinm/contract.js";
import { MarginEngine } from "../../sim/engine/coinm/engine.js";
import { hedgeSplitExample, isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";
import {
  distanceToLiquidation,
  liquidationPriceOf,
  poolIdOf,
  poolOf,
  poolsOf,
} from "../../sim/engine/coinm/figures.js";
import { formatUnits, MarginEngineInputError, toUnits } from "../../sim/engine/units.js";
import { DEMO_BTC_MARKS, DEMO_CYCLES, demoMixedAccount, demoMixedPositionRiskBody } from "../../sim/scenario.js";

type Row = Record<string, unknown>;
type Asset = Record<string, string>;

const units = (s: unknown) => toUnits(String(s));
const assetOf = (account: EngineAccount, asset = "BTC") =>
  (accountResponse(account).assets as Asset[]).find((a) => a.asset === asset) as Asset;
const riskRow = (account: EngineAccount, symbol: string, side: string) =>
  positionRiskRows(account).find((r) => r.symbol === symbol && r.positionSide === side) as Row;
const only = (account: EngineAccount, symbol: string, side = "BOTH") =>
  account.positions.find((p) => p.symbol === symbol && p.positionSide === side) as EnginePosition;

/** Collateral − requirement of a position's pool with its symbol marked at `price`. */
function slack(account: EngineAccount, position: EnginePosition, price: number): { gap: number; scale: number } {
  const pool = poolOf(withMark(account, position.symbol, price), poolIdOf(position));
  return { gap: pool.collateral - pool.requirement, scale: Math.max(Math.abs(pool.requirement), 1e-12) };
}

describe("worked example (a): hedge split, BTC up 10%", () => {
  const account = hedgeSplitExample(66_000);

  it("puts the cross pool at 89.3% while the blended asset view says 1.5%", () => {
    const cross = poolOf(account, "BTC cross");
    expect(cross.requirement).toBeCloseTo(0.004545454545, 12);
    expect(cross.collateral).toBeCloseTo(0.096 - 0.090909090909, 12);
    expect(cross.ratio).toBeCloseTo(0.892857, 6);
    const asset = assetOf(account);
    expect(asset).toMatchObject({
      walletBalance: "0.59600000",
      unrealizedProfit: "0.00000000",
      marginBalance: "0.59600000",
      maintMargin: "0.00909090",
      crossWalletBalance: "0.09600000",
      crossUnPnl: "-0.09090909",
    });
    expect(Number(asset.maintMargin) / Number(asset.marginBalance)).toBeCloseTo(0.01525, 5);
    expect(poolOf(account, `${BTC_QUARTERLY} LONG isolated`).ratio).toBeCloseTo(0.00769, 5);
  });

  it("puts the short's liquidation price near 66,040, 0.06% away", () => {
    const short = riskRow(account, "BTCUSD_PERP", "SHORT");
    expect(short).toMatchObject({
      positionAmt: "-600",
      markPrice: "66000.00000000",
      unRealizedProfit: "-0.09090909",
      liquidationPrice: "66039.82300885",
      marginType: "cross",
      isolatedMargin: "0.00000000",
      notionalValue: "-0.90909091",
    });
    expect(distanceToLiquidation(account, only(account, "BTCUSD_PERP", "SHORT"))).toBeCloseTo(0.000603, 6);
    expect(riskRow(account, BTC_QUARTERLY, "LONG")).toMatchObject({
      marginType: "isolated",
      isolatedWallet: "0.50000000",
      isolatedMargin: "0.59090909",
      liquidationPrice: "40200.00000000",
    });
  });

  it("is at 100% exactly at that price", () => {
    const { gap, scale } = slack(account, only(account, "BTCUSD_PERP", "SHORT"), 59_700 / 0.904);
    expect(Math.abs(gap) / scale).toBeLessThan(1e-8);
  });
});

describe("worked example (b): isolated long near liquidation beside a 5 BTC cross wallet", () => {
  const account = isolatedNearLiquidationExample(57_000);

  it("puts the isolated pool at 90% while the asset view says 0.5%", () => {
    const pool = poolOf(account, "BTCUSD_PERP BOTH isolated");
    expect(pool.ratio).toBeCloseTo(0.9, 3);
    expect(poolOf(account, "BTC cross").ratio).toBe(0);
    const asset = assetOf(account);
    expect(asset).toMatchObject({
      walletBalance: "5.29240000",
      crossWalletBalance: "5.00000000",
      crossUnPnl: "0.00000000",
      unrealizedProfit: "-0.26315789",
      marginBalance: "5.02924211",
      maintMargin: "0.02631579",
    });
    expect(Number(asset.maintMargin) / Number(asset.marginBalance)).toBeCloseTo(0.0052, 4);
  });

  it("puts the liquidation price near 56,968", () => {
    expect(riskRow(account, "BTCUSD_PERP", "BOTH")).toMatchObject({
      positionAmt: "3000",
      liquidationPrice: "56968.48310785",
      isolatedWallet: "0.29240000",
      isolatedMargin: "0.02924211",
      unRealizedProfit: "-0.26315789",
    });
    expect(distanceToLiquidation(account, only(account, "BTCUSD_PERP"))).toBeCloseTo(0.000553, 6);
  });
});

describe("modes, symbols and assets", () => {
  it("one-way mode: a short the cross wallet covers at any price has no liquidation price", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "1" },
      positions: [{ symbol: "BTCUSD_PERP", positionAmt: -100, entryPrice: 60_000 }],
      marks: { BTCUSD_PERP: 90_000 },
    });
    const rows = positionRiskRows(account);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ positionSide: "BOTH", positionAmt: "-100", liquidationPrice: "0" });
    // No price makes the pool short of collateral: the gap keeps its sign from 1/100 to 100x the mark.
    for (const price of [900, 9_000, 90_000, 900_000, 9_000_000]) {
      expect(slack(account, only(account, "BTCUSD_PERP"), price).gap).toBeGreaterThan(0);
    }
  });

  it("one-way mode: a leveraged short has one", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "0.1" },
      positions: [{ symbol: "BTCUSD_PERP", positionAmt: -100, entryPrice: 60_000 }],
    });
    // K = 0.1 − 10,000/60,000; A = 10,000 × (−1 + 0.005)
    expect(liquidationPriceOf(account, only(account, "BTCUSD_PERP"))).toBeCloseTo(9_950 / (1 / 6 - 0.1), 6);
  });

  it("hedge mode: each isolated side is its own pool with its own wallet and price", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "0.2" },
      hedgeMode: true,
      positions: [
        { symbol: "BTCUSD_PERP", positionSide: "LONG", positionAmt: 500, entryPrice: 60_000, isolatedWallet: "0.05" },
        { symbol: "BTCUSD_PERP", positionSide: "SHORT", positionAmt: -200, entryPrice: 62_000, isolatedWallet: "0.03" },
      ],
      marks: { BTCUSD_PERP: 61_000 },
    });
    expect(poolsOf(account).map((p) => p.id)).toEqual([
      "BTC cross",
      "BTCUSD_PERP LONG isolated",
      "BTCUSD_PERP SHORT isolated",
    ]);
    const rows = positionRiskRows(account);
    expect(rows.map((r) => [r.positionSide, r.positionAmt])).toEqual([
      ["BOTH", "0"],
      ["LONG", "500"],
      ["SHORT", "-200"],
    ]);
    const long = riskRow(account, "BTCUSD_PERP", "LONG");
    const short = riskRow(account, "BTCUSD_PERP", "SHORT");
    expect(Number(long.liquidationPrice)).toBeLessThan(61_000);
    expect(Number(short.liquidationPrice)).toBeGreaterThan(61_000);
    expect(units(long.isolatedMargin)).toBe(units("0.05") + units(long.unRealizedProfit));
    expect(units(short.isolatedMargin)).toBe(units("0.03") + units(short.unRealizedProfit));
    const asset = assetOf(account);
    expect(asset.walletBalance).toBe("0.28000000");
    expect(asset.crossUnPnl).toBe("0.00000000");
  });

  it("hedge mode in cross: both sides of a symbol move with one mark and share a liquidation price", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "0.05" },
      hedgeMode: true,
      positions: [
        { symbol: "BTCUSD_PERP", positionSide: "LONG", positionAmt: 900, entryPrice: 60_000 },
        { symbol: "BTCUSD_PERP", positionSide: "SHORT", positionAmt: -300, entryPrice: 60_000 },
      ],
    });
    const long = only(account, "BTCUSD_PERP", "LONG");
    const liq = liquidationPriceOf(account, long);
    expect(liq).toBeGreaterThan(0);
    expect(liquidationPriceOf(account, only(account, "BTCUSD_PERP", "SHORT"))).toBe(liq);
    const { gap, scale } = slack(account, long, liq);
    expect(Math.abs(gap) / scale).toBeLessThan(1e-8);
  });

  it("perpetual and quarterly share the cross pool; each price holds the other contract at its mark", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "0.3" },
      positions: [
        { symbol: "BTCUSD_PERP", positionAmt: 1000, entryPrice: 60_000 },
        { symbol: BTC_QUARTERLY, positionAmt: 500, entryPrice: 61_000 },
      ],
      marks: { BTCUSD_PERP: 58_000, [BTC_QUARTERLY]: 58_500 },
    });
    const pools = poolsOf(account);
    expect(pools).toHaveLength(1);
    const cross = pools[0];
    const perp = only(account, "BTCUSD_PERP");
    const quarterly = only(account, BTC_QUARTERLY);
    expect(cross?.requirement).toBeCloseTo((100_000 / 58_000 + 50_000 / 58_500) * 0.005, 12);
    const asset = assetOf(account);
    const positions = accountResponse(account).positions as Row[];
    expect(units(asset.maintMargin)).toBe(units(positions[0]?.maintMargin) + units(positions[1]?.maintMargin));
    expect(units(asset.crossUnPnl)).toBe(units(positions[0]?.unrealizedProfit) + units(positions[1]?.unrealizedProfit));
    const perpLiq = liquidationPriceOf(account, perp);
    const quarterlyLiq = liquidationPriceOf(account, quarterly);
    expect(perpLiq).not.toBeCloseTo(quarterlyLiq, 0);
    for (const [p, liq] of [
      [perp, perpLiq],
      [quarterly, quarterlyLiq],
    ] as const) {
      const { gap, scale } = slack(account, p, liq);
      expect(Math.abs(gap) / scale).toBeLessThan(1e-8);
    }
  });

  it("several assets: one cross pool each, ETH contracts at 10 USD", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "1", ETH: "10", BNB: "0" },
      positions: [
        { symbol: "BTCUSD_PERP", positionAmt: 100, entryPrice: 60_000 },
        { symbol: "ETHUSD_PERP", positionAmt: -2_000, entryPrice: 3_000 },
      ],
      marks: { BTCUSD_PERP: 60_000, ETHUSD_PERP: 3_300 },
    });
    expect(poolsOf(account).map((p) => [p.id, p.asset])).toEqual([
      ["BTC cross", "BTC"],
      ["ETH cross", "ETH"],
      ["BNB cross", "BNB"],
    ]);
    const eth = riskRow(account, "ETHUSD_PERP", "BOTH");
    // 20,000 USD short from 3,000 to 3,300: −20,000 × (1/3,000 − 1/3,300) ETH
    expect(eth.unRealizedProfit).toBe(formatUnits(toUnits(-20_000 * (1 / 3_000 - 1 / 3_300))));
    expect(eth.notionalValue).toBe("-6.06060606");
    expect(assetOf(account, "ETH").crossWalletBalance).toBe("10.00000000");
    expect(assetOf(account, "BNB")).toMatchObject({
      walletBalance: "0.00000000",
      maintMargin: "0.00000000",
      updateTime: 0,
    });
    expect(marginAssetOf(BTC_QUARTERLY)).toBe("BTC");
  });

  it("lists a touched symbol's zero rows as Binance does", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "1" },
      positions: [{ symbol: "BTCUSD_PERP", positionAmt: 0, entryPrice: 0, leverage: 125 }],
      marks: { BTCUSD_PERP: 60_000 },
    });
    expect(positionRiskRows(account)).toEqual([
      expect.objectContaining({
        symbol: "BTCUSD_PERP",
        positionAmt: "0",
        entryPrice: "0.0",
        unRealizedProfit: "0.00000000",
        liquidationPrice: "0",
        leverage: "125",
        maxQty: "50",
        notionalValue: "0",
        updateTime: 0,
      }),
    ]);
    expect(poolsOf(account)).toEqual([expect.objectContaining({ id: "BTC cross", requirement: 0, ratio: 0 })]);
    const parsed = parseAccountResponse(JSON.stringify(accountResponse(account)));
    expect(parsed.openPositions).toBe(0);
  });

  it("collateral at or below zero with a requirement is an infinite ratio", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "0.01" },
      positions: [{ symbol: "BTCUSD_PERP", positionAmt: 600, entryPrice: 60_000 }],
      marks: { BTCUSD_PERP: 50_000 },
    });
    expect(poolOf(account, "BTC cross").ratio).toBe(Number.POSITIVE_INFINITY);
    // Past liquidation: a long's price is above its mark (K = 0.01 + 1 > 0, A = 60,000 × 1.005).
    expect(riskRow(account, "BTCUSD_PERP", "BOTH").liquidationPrice).toBe("59702.97029703");
  });

  it("filters positionRisk by marginAsset and pair", () => {
    const account = buildEngineAccount({
      crossWallets: { BTC: "1", ETH: "1" },
      positions: [
        { symbol: "BTCUSD_PERP", positionAmt: 10, entryPrice: 60_000 },
        { symbol: BTC_QUARTERLY, positionAmt: 10, entryPrice: 60_000 },
        { symbol: "ETHUSD_PERP", positionAmt: 10, entryPrice: 3_000 },
      ],
    });
    expect(positionRiskRows(account, { marginAsset: "ETH" }).map((r) => r.symbol)).toEqual(["ETHUSD_PERP"]);
    expect(positionRiskRows(account, { pair: "BTCUSD" }).map((r) => r.symbol)).toEqual(["BTCUSD_PERP", BTC_QUARTERLY]);
    expect(positionRiskRows(account, { pair: "BTCUSD", marginAsset: "ETH" })).toEqual([]);
  });

  it("rejects states Binance cannot be in", () => {
    const bad: Array<[string, () => unknown]> = [
      [
        "cross and isolated on one symbol",
        () =>
          buildEngineAccount({
            crossWallets: { BTC: "1" },
            positions: [
              { symbol: "BTCUSD_PERP", positionSide: "LONG", positionAmt: 1, entryPrice: 1, isolatedWallet: "1" },
              { symbol: "BTCUSD_PERP", positionSide: "SHORT", positionAmt: -1, entryPrice: 1 },
            ],
          }),
      ],
      [
        "a BOTH position in hedge mode",
        () =>
          buildEngineAccount({
            crossWallets: {},
            hedgeMode: true,
            positions: [{ symbol: "BTCUSD_PERP", positionAmt: 1, entryPrice: 1 }],
          }),
      ],
      [
        "a LONG row with a negative amount",
        () =>
          buildEngineAccount({
            crossWallets: {},
            positions: [{ symbol: "BTCUSD_PERP", positionSide: "LONG", positionAmt: -1, entryPrice: 1 }],
          }),
      ],
      ["a symbol that is not COIN-M", () => marginAssetOf("BTCUSDT")],
      ["a wallet that is not a decimal", () => buildEngineAccount({ crossWallets: { BTC: "1e3" } })],
    ];
    for (const [what, attempt] of bad) expect(attempt, what).toThrow(MarginEngineInputError);
  });
});

describe("account body", () => {
  it("adds up to the last digit and parses with the monitor's parser", () => {
    const account = hedgeSplitExample(63_123.45);
    const body = accountResponse(account);
    const asset = (body.assets as Asset[])[0] as Asset;
    const positions = body.positions as Row[];
    const open = positions.filter((p) => p.positionAmt !== "0");
    expect(units(asset.marginBalance)).toBe(units(asset.walletBalance) + units(asset.unrealizedProfit));
    expect(units(asset.unrealizedProfit)).toBe(open.reduce((s, p) => s + units(p.unrealizedProfit), 0n));
    expect(units(asset.maintMargin)).toBe(open.reduce((s, p) => s + units(p.maintMargin), 0n));
    expect(units(asset.crossUnPnl)).toBe(
      open.filter((p) => p.isolated === false).reduce((s, p) => s + units(p.unrealizedProfit), 0n),
    );
    const parsed = parseAccountResponse(JSON.stringify(body));
    expect(parsed.openPositions).toBe(2);
    expect(parsed.assets[0]).toMatchObject({ asset: "BTC", maintMargin: asset.maintMargin });
  });

  it("rounds coin amounts to 8 decimals, half away from zero", () => {
    expect(formatUnits(toUnits("0.123456785"))).toBe("0.12345679");
    expect(formatUnits(toUnits("-0.123456785"))).toBe("-0.12345679");
    expect(formatUnits(toUnits(-0.090909090909))).toBe("-0.09090909");
    expect(formatUnits(toUnits("5"))).toBe("5.00000000");
  });
});

describe("MarginEngine", () => {
  it("moves a symbol's mark for every account it holds", () => {
    const engine = new MarginEngine([
      ["a", isolatedNearLiquidationExample(60_000)],
      ["b", hedgeSplitExample(60_000)],
    ]);
    engine.setMark("BTCUSD_PERP", 57_000);
    expect(engine.get("a")?.marks.BTCUSD_PERP).toBe(57_000);
    expect(engine.get("b")?.marks.BTCUSD_PERP).toBe(57_000);
    expect(engine.get("b")?.marks[BTC_QUARTERLY]).toBe(60_000);
    expect(engine.account("nobody")).toBeUndefined();
    expect(() => engine.setMark("BTCUSD_PERP", 0)).toThrow(MarginEngineInputError);
  });
});

describe("properties", () => {
  const symbols = ["BTCUSD_PERP", BTC_QUARTERLY, "BTCUSD_270326"] as const;
  const positionArb = fc.record({
    symbol: fc.constantFrom(...symbols),
    positionAmt: fc.integer({ min: -5_000, max: 5_000 }).filter((n) => n !== 0),
    entryPrice: fc.integer({ min: 20_000, max: 120_000 }),
    leverage: fc.integer({ min: 1, max: 125 }),
    isolatedWallet: fc.option(fc.integer({ min: 1, max: 300_000_000 }), { nil: undefined }),
  });
  const accountArb = fc
    .record({
      wallet: fc.integer({ min: 0, max: 1_000_000_000 }),
      positions: fc.uniqueArray(positionArb, { minLength: 1, maxLength: 3, selector: (p) => p.symbol }),
      marks: fc.tuple(...symbols.map(() => fc.integer({ min: 15_000, max: 150_000 }))),
      m: fc.constantFrom(0.004, 0.005, 0.01, 0.025, 0.05),
    })
    .map(({ wallet, positions, marks, m }) =>
      buildEngineAccount({
        crossWallets: { BTC: formatUnits(BigInt(wallet)) },
        positions: positions.map(
          (p): PositionSpec => ({
            ...p,
            ...(p.isolatedWallet === undefined ? {} : { isolatedWallet: formatUnits(BigInt(p.isolatedWallet)) }),
          }),
        ),
        marks: Object.fromEntries(symbols.map((s, i) => [s, marks[i] ?? 60_000])),
        brackets: Object.fromEntries(symbols.map((s) => [s, { maintMarginRatio: m, cum: 0 }])),
      }),
    );

  it("at the liquidation price the pool's collateral equals its requirement; without one, no price does", () => {
    fc.assert(
      fc.property(accountArb, (account) => {
        for (const position of account.positions) {
          const liq = liquidationPriceOf(account, position);
          if (liq > 0) {
            const { gap, scale } = slack(account, position, liq);
            expect(Math.abs(gap) / scale).toBeLessThan(1e-8);
          } else {
            const signs = new Set(
              [1e3, 1e4, 3e4, 6e4, 1e5, 3e5, 1e6, 1e8].map((price) => Math.sign(slack(account, position, price).gap)),
            );
            expect(signs.size).toBe(1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("adding an isolated position never changes the cross pool", () => {
    fc.assert(
      fc.property(accountArb, positionArb, (account, extra) => {
        const symbol = "BTCUSD_200925"; // a symbol of its own, so its margin type cannot clash
        const isolated: EnginePosition = {
          symbol,
          positionSide: "BOTH",
          positionAmt: extra.positionAmt,
          entryPrice: extra.entryPrice,
          leverage: extra.leverage,
          marginType: "isolated",
          isolatedWallet: "0.5",
        };
        const grown: EngineAccount = {
          ...account,
          positions: [...account.positions, isolated],
          marks: { ...account.marks, [symbol]: 61_000 },
        };
        expect(poolOf(grown, "BTC cross")).toEqual(poolOf(account, "BTC cross"));
        expect(assetOf(grown).crossUnPnl).toBe(assetOf(account).crossUnPnl);
        expect(assetOf(grown).crossWalletBalance).toBe(assetOf(account).crossWalletBalance);
      }),
      { numRuns: 100 },
    );
  });
});

describe("fixtures and the demo scenario", () => {
  const blended = (account: EngineAccount) => {
    const asset = assetOf(account);
    return marginRatio(
      parseDecimal(asset.maintMargin ?? "") ?? { units: 0n, scale: 0 },
      parseDecimal(asset.marginBalance ?? "") ?? { units: 1n, scale: 0 },
    );
  };

  it("crossAccountAtRatio gives the asset ratio btcAtRatio would, from positions and a mark", () => {
    for (const ratio of [0, 0.1, 0.3, 0.5, 0.62, 0.9]) {
      const account = crossAccountAtRatio(ratio, "2.50000000");
      expect(blended(account)).toBe(ratio);
      expect(assetOf(account).crossWalletBalance).toBe(assetOf(account).walletBalance);
    }
  });

  it("demo-mixed: the blended ratio stays calm while the isolated pool goes warning, critical and back", () => {
    expect(DEMO_BTC_MARKS).toHaveLength(DEMO_CYCLES);
    const cycles = DEMO_BTC_MARKS.map((_, cycle) => demoMixedAccount(cycle));
    for (const account of cycles) {
      expect(blended(account)).toBeGreaterThan(0.005);
      expect(blended(account)).toBeLessThan(0.05);
      expect(poolOf(account, "BTC cross").ratio).toBeLessThan(0.01);
    }
    const isolated = cycles.map((a) => poolOf(a, "BTCUSD_PERP BOTH isolated").ratio);
    const level = (r: number) => (r >= 0.8 ? "critical" : r >= 0.5 ? "warning" : "ok");
    expect(isolated.map(level)).toEqual([
      ...Array(7).fill("ok"),
      "warning",
      "critical",
      "warning",
      ...Array(6).fill("ok"),
    ]);
    const rows = JSON.parse(demoMixedPositionRiskBody(8)) as Row[];
    expect(rows.find((r) => r.symbol === "BTCUSD_PERP")).toMatchObject({
      marginType: "isolated",
      liquidationPrice: "48000.00000000",
      markPrice: "48030.00000000",
    });
    expect(rows.find((r) => r.symbol === BTC_QUARTERLY)).toMatchObject({ marginType: "cross", liquidationPrice: "0" });
  });
});

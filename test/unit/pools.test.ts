/**
 * Margin pools from Binance's two views, through the same path as a cycle: parse `/account` and
 * `/positionRisk` -> joinPositions -> marginPools -> assessPools. Bodies come from the margin
 * engine (the spec's worked examples and mixed accounts) or are written by hand where a field is
 * left out or broken on purpose.
 */
import { describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { joinPositions } from "../../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../../lib/binance/coinm/position-risk.js";
import { BinanceResponseFormatError, PositionsMismatchError } from "../../lib/core/errors.js";
import type { RiskLevels } from "../../lib/risk/levels.js";
import { DEFAULT_ALERT_LEVELS, DEFAULT_DISTANCE_LEVELS } from "../../lib/risk/levels.js";
import { type AssessedPool, assessPools, marginPools } from "../../lib/risk/pools.js";
import { liquidationDistance, marginAssetOf } from "../../lib/risk/positions.js";
import { marginToAdd } from "../../lib/risk/remedy.js";
import { buildEngineAccount, type EngineAccount } from "../../sim/engine/coinm/account.js";
import { accountBodyOf, accountResponse, positionRiskBodyOf, positionRiskRows } from "../../sim/engine/coinm/bodies.js";
import { BTC_QUARTERLY } from "../../sim/engine/coinm/contract.js";
import { hedgeSplitExample, isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";

const LEVELS: RiskLevels = { ratio: DEFAULT_ALERT_LEVELS, distance: DEFAULT_DISTANCE_LEVELS };

/** What a cycle computes from the two response bodies. */
function poolsOfBodies(accountBody: string, positionRiskBody: string): AssessedPool[] {
  const account = parseAccountResponse(accountBody);
  const rows = parsePositionRiskResponse(positionRiskBody);
  return assessPools(marginPools(account, joinPositions(account, rows)), LEVELS);
}

const poolsOf = (engine: EngineAccount) => poolsOfBodies(accountBodyOf(engine), positionRiskBodyOf(engine));

function byId(pools: readonly AssessedPool[], id: string): AssessedPool {
  const found = pools.find((p) => p.id === id);
  if (!found) throw new Error(`no pool ${id} in ${pools.map((p) => p.id).join(", ")}`);
  return found;
}

type Json = Record<string, unknown>;
/** The engine's bodies as objects, to break or drop a field before serialising. */
const accountObj = (e: EngineAccount) => accountResponse(e) as { assets: Json[]; positions: Json[] };
const riskRows = (e: EngineAccount) => positionRiskRows(e) as Json[];

describe("worked example (a): hedge split, BTC up 10% (spec coinm-margin-model.md)", () => {
  const engine = hedgeSplitExample(66_000);
  const pools = poolsOf(engine);

  it("the blended asset figure is the misleading 1.5% the issue quotes", () => {
    const asset = parseAccountResponse(accountBodyOf(engine)).assets[0];
    expect(asset).toMatchObject({ asset: "BTC", maintMargin: "0.00909090", marginBalance: "0.59600000" });
    expect(Number(asset?.maintMargin) / Number(asset?.marginBalance)).toBeCloseTo(0.01525, 4);
  });

  it("puts the BTC cross pool at 89.3%, critical, with the short 0.06% from liquidation near 66,040", () => {
    expect(pools.map((p) => p.id)).toEqual(["BTC", `${BTC_QUARTERLY}#LONG`]);
    const cross = byId(pools, "BTC");
    expect(cross).toMatchObject({
      kind: "cross",
      asset: "BTC",
      label: "BTC cross",
      // 600 × 100 / 66,000 × 0.5%, and 0.096 − 600 × 100 × (1/60,000 − 1/66,000)
      requirement: "0.00454545",
      collateral: "0.00509091",
      level: "critical",
      ratioLevel: "critical",
      distanceLevel: "critical",
    });
    expect(cross.ratio).toBeCloseTo(0.893, 3);
    expect(cross.positions.map((p) => `${p.symbol} ${p.side} ${p.marginType}`)).toEqual(["BTCUSD_PERP short cross"]);
    expect(cross.nearest).toMatchObject({ symbol: "BTCUSD_PERP", side: "short", markPrice: "66000.00000000" });
    expect(Number(cross.nearest?.liquidationPrice)).toBeCloseTo(66_040, -1);
    expect(cross.distance).toBeCloseTo(0.0006, 4);
    expect(cross.distance).toBe(liquidationDistance("66000.00000000", cross.nearest?.liquidationPrice, "short"));
  });

  it("keeps the isolated long in its own pool, far from liquidation", () => {
    const long = byId(pools, `${BTC_QUARTERLY}#LONG`);
    expect(long).toMatchObject({
      kind: "isolated",
      symbol: BTC_QUARTERLY,
      positionSide: "LONG",
      side: "long",
      label: `${BTC_QUARTERLY} long isolated`,
      requirement: "0.00454545",
      // isolated wallet 0.5 + PnL 0.09090909 (positionRisk's isolatedMargin)
      collateral: "0.59090909",
      level: "ok",
    });
    expect(long.ratio).toBeCloseTo(0.0077, 4);
    expect(long.nearest?.isolatedWallet).toBe("0.50000000");
  });

  it("says how much BTC brings the cross pool back under the warning level", () => {
    const cross = byId(pools, "BTC");
    const add = marginToAdd(cross.requirement, cross.collateral, 0.5);
    // 0.00454545 / 0.5 − 0.00509091 = 0.00399999, plus one unit so it is enough
    expect(add).toBe("0.004");
    expect(Number(cross.requirement) / (Number(cross.collateral) + Number(add))).toBeLessThan(0.5);
  });
});

describe("worked example (b): isolated long just above its liquidation price", () => {
  const engine = isolatedNearLiquidationExample(57_000);
  const pools = poolsOf(engine);

  it("the blended asset figure is 0.5%, while the isolated pool is at 90%, critical, liquidated near 56,968", () => {
    const asset = parseAccountResponse(accountBodyOf(engine)).assets[0];
    expect(Number(asset?.maintMargin) / Number(asset?.marginBalance)).toBeCloseTo(0.005, 3);
    expect(pools.map((p) => p.id)).toEqual(["BTC", "BTCUSD_PERP#BOTH"]);
    const iso = byId(pools, "BTCUSD_PERP#BOTH");
    expect(iso).toMatchObject({
      kind: "isolated",
      label: "BTCUSD_PERP long isolated",
      requirement: "0.02631579",
      collateral: "0.02924211",
      level: "critical",
      ratioLevel: "critical",
      distanceLevel: "critical",
    });
    expect(iso.ratio).toBeCloseTo(0.9, 3);
    expect(Number(iso.nearest?.liquidationPrice)).toBeCloseTo(56_968, 0);
    expect(iso.distance).toBeCloseTo(0.00055, 5);
  });

  it("leaves the 5 BTC cross pool empty and ok: no requirement, no liquidation price", () => {
    const cross = byId(pools, "BTC");
    expect(cross).toMatchObject({ requirement: "0", collateral: "5", ratio: 0, distance: null, level: "ok" });
    expect(cross.positions).toEqual([]);
    expect(cross.nearest).toBeUndefined();
  });
});

describe("pool shapes", () => {
  it("hedge mode with both sides isolated: one pool per side, each with its own wallet and liquidation price", () => {
    const engine = buildEngineAccount({
      crossWallets: { BTC: "1" },
      positions: [
        {
          symbol: "BTCUSD_PERP",
          positionSide: "LONG",
          positionAmt: 1000,
          entryPrice: 60_000,
          marginType: "isolated",
          isolatedWallet: "0.1",
        },
        {
          symbol: "BTCUSD_PERP",
          positionSide: "SHORT",
          positionAmt: -400,
          entryPrice: 60_000,
          marginType: "isolated",
          isolatedWallet: "0.05",
        },
      ],
      marks: { BTCUSD_PERP: 62_000 },
    });
    const pools = poolsOf(engine);
    expect(pools.map((p) => `${p.id} ${p.label}`)).toEqual([
      "BTC BTC cross",
      "BTCUSD_PERP#LONG BTCUSD_PERP long isolated",
      "BTCUSD_PERP#SHORT BTCUSD_PERP short isolated",
    ]);
    const long = byId(pools, "BTCUSD_PERP#LONG");
    const short = byId(pools, "BTCUSD_PERP#SHORT");
    // Each side's collateral is its own wallet plus its own PnL, never the other side's.
    const rows = riskRows(engine);
    const row = (side: string) => rows.find((r) => r.positionSide === side) as Json;
    expect(long.collateral).toBe(String(Number(row("LONG").isolatedMargin)));
    expect(short.collateral).toBe(String(Number(row("SHORT").isolatedMargin)));
    expect(Number(long.collateral)).toBeGreaterThan(0.1);
    expect(Number(short.collateral)).toBeLessThan(0.05);
    expect(long.nearest?.liquidationPrice).toBe(row("LONG").liquidationPrice);
    expect(short.nearest?.liquidationPrice).toBe(row("SHORT").liquidationPrice);
    expect(Number(long.nearest?.liquidationPrice)).toBeLessThan(62_000);
    expect(Number(short.nearest?.liquidationPrice)).toBeGreaterThan(62_000);
    expect(short.ratio).toBeGreaterThan(long.ratio);
    const cross = byId(pools, "BTC");
    expect(cross).toMatchObject({ requirement: "0", collateral: "1", ratio: 0, level: "ok" });
  });

  it("several assets: one cross pool per asset, each against its own collateral", () => {
    const engine = buildEngineAccount({
      crossWallets: { BTC: "0.01", ETH: "10" },
      positions: [
        { symbol: "BTCUSD_PERP", positionAmt: 500, entryPrice: 60_000 },
        { symbol: "ETHUSD_PERP", positionAmt: -100, entryPrice: 3_000 },
      ],
      marks: { BTCUSD_PERP: 57_000, ETHUSD_PERP: 3_000 },
    });
    const pools = poolsOf(engine);
    expect(pools.map((p) => p.id)).toEqual(["BTC", "ETH"]);
    const btc = byId(pools, "BTC");
    const eth = byId(pools, "ETH");
    // BTC: maint 500 × 100 / 57,000 × 0.5% on 0.01 + 500 × 100 × (1/57,000 − 1/60,000)... negative PnL
    expect(Number(btc.requirement)).toBeCloseTo((500 * 100 * 0.005) / 57_000, 8);
    expect(Number(btc.collateral)).toBeCloseTo(0.01 + 500 * 100 * (1 / 60_000 - 1 / 57_000), 8);
    expect(btc.ratio).toBeGreaterThan(0.5);
    expect(btc.level).not.toBe("ok");
    expect(Number(eth.requirement)).toBeCloseTo((100 * 10 * 0.005) / 3_000, 8);
    expect(eth.collateral).toBe("10");
    expect(eth.ratio).toBeLessThan(0.001);
    expect(eth.positions.map((p) => `${p.symbol} ${p.side} ${p.marginAsset}`)).toEqual(["ETHUSD_PERP short ETH"]);
    expect(eth.level).toBe("ok");
  });

  it("perpetual plus quarterly of one coin share the cross pool: requirements add, the nearer liquidation wins", () => {
    const engine = buildEngineAccount({
      crossWallets: { BTC: "0.05" },
      positions: [
        { symbol: "BTCUSD_PERP", positionAmt: 600, entryPrice: 60_000 },
        { symbol: BTC_QUARTERLY, positionAmt: 300, entryPrice: 61_000 },
      ],
      marks: { BTCUSD_PERP: 59_000, [BTC_QUARTERLY]: 59_500 },
    });
    const pools = poolsOf(engine);
    expect(pools.map((p) => p.id)).toEqual(["BTC"]);
    const cross = byId(pools, "BTC");
    const acct = accountObj(engine);
    const maint = (symbol: string) => Number(acct.positions.find((p) => p.symbol === symbol)?.maintMargin);
    expect(cross.positions.map((p) => p.symbol).sort()).toEqual([BTC_QUARTERLY, "BTCUSD_PERP"]);
    expect(Number(cross.requirement)).toBeCloseTo(maint("BTCUSD_PERP") + maint(BTC_QUARTERLY), 8);
    const asset = acct.assets[0] as Json;
    expect(cross.collateral).toBe(
      String(Number((Number(asset.crossWalletBalance) + Number(asset.crossUnPnl)).toFixed(8))),
    );
    const distances = cross.positions.map((p) => p.distance ?? Number.POSITIVE_INFINITY);
    expect(cross.distance).toBe(Math.min(...distances));
    expect(cross.nearest?.distance).toBe(cross.distance);
  });
});

describe("edge cases of collateral and liquidation price", () => {
  /** An all-cross BTC account body with one short, written by hand so any figure can be set. */
  function crossBodies(over: { crossWalletBalance?: string; crossUnPnl?: string; liquidationPrice?: string }) {
    const engine = buildEngineAccount({
      crossWallets: { BTC: "0.01" },
      positions: [{ symbol: "BTCUSD_PERP", positionAmt: -100, entryPrice: 60_000 }],
    });
    const account = accountObj(engine);
    const asset = account.assets[0] as Json;
    for (const [k, v] of Object.entries(over)) if (k !== "liquidationPrice" && v !== undefined) asset[k] = v;
    const rows = riskRows(engine);
    if (over.liquidationPrice !== undefined) (rows[0] as Json).liquidationPrice = over.liquidationPrice;
    return { account: JSON.stringify(account), risk: JSON.stringify(rows) };
  }

  it.each([
    ["negative", "-0.02"],
    ["exactly zero", "-0.01"],
  ])("collateral %s with a requirement: ratio +Infinity and the top level, never NaN", (_, pnl) => {
    const b = crossBodies({ crossUnPnl: pnl });
    const cross = byId(poolsOfBodies(b.account, b.risk), "BTC");
    expect(Number(cross.collateral)).toBeLessThanOrEqual(0);
    expect(cross.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(cross.ratio)).toBe(false);
    expect(cross.ratioLevel).toBe("critical");
    expect(cross.level).toBe("critical");
  });

  it("an isolated pool whose wallet plus PnL is below zero is also beyond every level", () => {
    const engine = isolatedNearLiquidationExample(57_000);
    const rows = riskRows(engine);
    (rows[0] as Json).isolatedMargin = "-0.00100000";
    const iso = byId(poolsOfBodies(accountBodyOf(engine), JSON.stringify(rows)), "BTCUSD_PERP#BOTH");
    expect(iso.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(iso.level).toBe("critical");
  });

  it("collateral <= 0 without any requirement is ratio 0, not an alarm", () => {
    const engine = buildEngineAccount({ crossWallets: { BTC: "-0.001" } });
    const cross = byId(poolsOf(engine), "BTC");
    expect(cross).toMatchObject({ requirement: "0", ratio: 0, level: "ok" });
  });

  it('liquidationPrice "0" means none: distance null, the level comes from the ratio alone', () => {
    const b = crossBodies({ liquidationPrice: "0" });
    const cross = byId(poolsOfBodies(b.account, b.risk), "BTC");
    expect(cross.distance).toBeNull();
    expect(cross.nearest).toBeUndefined();
    expect(cross.positions[0]?.liquidationPrice).toBe("0");
    expect(cross.positions[0]?.distance).toBeNull();
    expect(cross.distanceLevel).toBe("ok");
    expect(cross.level).toBe(cross.ratioLevel);
    expect(liquidationDistance("60000", "0", "long")).toBeNull();
    expect(liquidationDistance("60000", "0.00000000", "short")).toBeNull();
    expect(liquidationDistance(undefined, "59000", "long")).toBeNull();
    expect(liquidationDistance("60000", "59400", "long")).toBeCloseTo(0.01, 12);
    expect(liquidationDistance("60000", "60600", "short")).toBeCloseTo(0.01, 12);
  });
});

describe("optional fields", () => {
  it("isolatedWallet absent from both views: the pool still uses isolatedMargin, the position has no wallet", () => {
    const engine = isolatedNearLiquidationExample(57_000);
    const rows = riskRows(engine);
    for (const r of rows) delete r.isolatedWallet;
    const account = accountObj(engine);
    for (const p of account.positions) delete p.isolatedWallet;
    const iso = byId(poolsOfBodies(JSON.stringify(account), JSON.stringify(rows)), "BTCUSD_PERP#BOTH");
    expect(iso.collateral).toBe("0.02924211");
    expect(iso.level).toBe("critical");
    expect(iso.nearest?.isolatedWallet).toBeUndefined();
  });

  it("isolatedWallet only in the account view is carried over to the position", () => {
    const engine = isolatedNearLiquidationExample(57_000);
    const rows = riskRows(engine);
    for (const r of rows) delete r.isolatedWallet;
    const account = accountObj(engine);
    for (const p of account.positions) p.isolatedWallet = "0.29240000";
    const iso = byId(poolsOfBodies(JSON.stringify(account), JSON.stringify(rows)), "BTCUSD_PERP#BOTH");
    expect(iso.nearest?.isolatedWallet).toBe("0.29240000");
  });

  it.each([
    ["the hedge split", hedgeSplitExample(66_000)],
    ["the isolated example", isolatedNearLiquidationExample(57_000)],
    [
      "a mixed account",
      buildEngineAccount({
        crossWallets: { BTC: "0.3", ETH: "4" },
        positions: [
          { symbol: "BTCUSD_PERP", positionAmt: 900, entryPrice: 60_000 },
          { symbol: BTC_QUARTERLY, positionAmt: -200, entryPrice: 62_000, isolatedWallet: "0.05" },
          { symbol: "ETHUSD_PERP", positionAmt: 300, entryPrice: 3_000, isolatedWallet: "0.4" },
        ],
        marks: { BTCUSD_PERP: 58_000, [BTC_QUARTERLY]: 58_500, ETHUSD_PERP: 2_900 },
      }),
    ],
  ])(
    "crossWalletBalance absent (%s): the fallback, marginBalance − isolated collateral, gives the same cross pool",
    (_, engine) => {
      const full = poolsOf(engine);
      const account = accountObj(engine);
      for (const a of account.assets) {
        delete a.crossWalletBalance;
        delete a.crossUnPnl;
      }
      const fallback = poolsOfBodies(JSON.stringify(account), positionRiskBodyOf(engine));
      for (const pool of full.filter((p) => p.kind === "cross")) {
        const other = byId(fallback, pool.id);
        // Rendered to 1e-8 per figure, so the two routes may differ by a unit per isolated position.
        expect(Math.abs(Number(other.collateral) - Number(pool.collateral))).toBeLessThanOrEqual(2e-8);
        expect(other.level).toBe(pool.level);
        expect(other.requirement).toBe(pool.requirement);
      }
    },
  );

  it("a cross position that positionRisk does not list (not TRADING) is kept, without mark or liquidation price", () => {
    const engine = buildEngineAccount({
      crossWallets: { BTC: "0.2" },
      positions: [
        { symbol: "BTCUSD_PERP", positionAmt: 600, entryPrice: 60_000 },
        { symbol: BTC_QUARTERLY, positionAmt: 600, entryPrice: 60_000 },
      ],
    });
    const rows = riskRows(engine).filter((r) => r.symbol !== BTC_QUARTERLY);
    const cross = byId(poolsOfBodies(accountBodyOf(engine), JSON.stringify(rows)), "BTC");
    const settling = cross.positions.find((p) => p.symbol === BTC_QUARTERLY);
    expect(settling).toMatchObject({ marginType: "cross", distance: null, maintMargin: "0.00500000" });
    expect(settling?.markPrice).toBeUndefined();
    // Its maintenance margin still counts: the requirement is both positions'.
    expect(cross.requirement).toBe("0.01");
  });
});

describe("views that disagree are refused (PositionsMismatchError)", () => {
  const engine = hedgeSplitExample(66_000);
  const account = () => parseAccountResponse(accountBodyOf(engine));
  const rows = () => parsePositionRiskResponse(positionRiskBodyOf(engine));

  it("positionRisk lists a position the account does not", () => {
    const acct = account();
    const fewer = { ...acct, positions: acct.positions.filter((p) => p.positionSide !== "SHORT") };
    expect(() => joinPositions(fewer, rows())).toThrow(PositionsMismatchError);
    expect(() => joinPositions(fewer, rows())).toThrow("positionRisk lists BTCUSD_PERP#SHORT but the account does not");
  });

  it("the account lists an isolated position positionRisk does not", () => {
    const r = rows().filter((row) => row.marginType !== "isolated");
    expect(() => joinPositions(account(), r)).toThrow(PositionsMismatchError);
    expect(() => joinPositions(account(), r)).toThrow(`the account lists isolated ${BTC_QUARTERLY}#LONG`);
  });

  it("the two views disagree on a position's margin type", () => {
    const r = rows().map((row) => (row.symbol === "BTCUSD_PERP" ? { ...row, marginType: "isolated" as const } : row));
    expect(() => joinPositions(account(), r)).toThrow("BTCUSD_PERP#SHORT is cross in the account but isolated");
  });

  it("a position margined in an asset the account does not list", () => {
    const acct = account();
    const noBtc = { ...acct, assets: acct.assets.filter((a) => a.asset !== "BTC") };
    expect(() => joinPositions(noBtc, rows())).toThrow(PositionsMismatchError);
    expect(() => joinPositions(noBtc, rows())).toThrow("margined in BTC, which the account does not list");
  });

  it("the margin asset of a COIN-M symbol is the coin before USD", () => {
    expect(["BTCUSD_PERP", "ETHUSD_261225", "1000SHIBUSD_PERP"].map(marginAssetOf)).toEqual(["BTC", "ETH", "1000SHIB"]);
  });
});

describe("positionRisk bodies Binance (or a proxy) might send", () => {
  const good = () => riskRows(hedgeSplitExample(66_000));
  const parse = (body: string) => () => parsePositionRiskResponse(body);
  /** The body with the open isolated row (the quarterly LONG) changed. */
  const withRow = (change: (row: Json) => void) => {
    const rows = good();
    change(rows.find((r) => r.marginType === "isolated" && r.positionAmt !== "0") as Json);
    return JSON.stringify(rows);
  };

  it.each([
    ["an HTML error page", "<html><body>502 Bad Gateway</body></html>", "got an HTML page instead of JSON"],
    ["truncated JSON", '[{"symbol":"BTCUSD_PERP"', "body is not valid JSON (24 bytes)"],
    ["an object, not an array", '{"code":-1000}', "top level is not an array"],
    ["a row that is not an object", "[1]", "[0] is not an object"],
    ["a row without a symbol", withRow((r) => delete r.symbol), "symbol is missing or invalid"],
    ["a row without markPrice", withRow((r) => delete r.markPrice), `(${BTC_QUARTERLY}).markPrice is missing`],
    [
      "a row without liquidationPrice",
      withRow((r) => delete r.liquidationPrice),
      `(${BTC_QUARTERLY}).liquidationPrice is missing`,
    ],
    ["a number instead of a string", withRow((r) => (r.markPrice = 66000)), "markPrice is not a decimal string"],
    ["a word instead of a decimal", withRow((r) => (r.positionAmt = "lots")), "positionAmt is not a decimal string"],
    ["no marginType", withRow((r) => delete r.marginType), "marginType is missing or invalid"],
    ["an unknown marginType", withRow((r) => (r.marginType = "portfolio")), "marginType is missing or invalid"],
    [
      "an isolated row without isolatedMargin",
      withRow((r) => delete r.isolatedMargin),
      `(${BTC_QUARTERLY}).isolatedMargin is missing`,
    ],
    ["an unknown positionSide", withRow((r) => (r.positionSide = "UP")), "positionSide is invalid"],
  ])("%s is a BinanceResponseFormatError that says what is wrong", (_, body, detail) => {
    expect(parse(body)).toThrow(BinanceResponseFormatError);
    expect(parse(body)).toThrow(`Binance positionRisk response is malformed: `);
    expect(parse(body)).toThrow(detail);
  });

  it("skips rows with no position, accepts MarginType in upper case and ignores fields Binance adds", () => {
    const rows = good();
    for (const r of rows) {
      r.marginType = String(r.marginType).toUpperCase();
      r.someNewField = { nested: true };
    }
    const parsed = parsePositionRiskResponse(JSON.stringify(rows));
    // The engine lists the BOTH rows at zero in hedge mode, as Binance does.
    expect(rows.length).toBeGreaterThan(parsed.length);
    expect(parsed.map((r) => `${r.symbol} ${r.positionSide} ${r.marginType}`)).toEqual([
      "BTCUSD_PERP SHORT cross",
      `${BTC_QUARTERLY} LONG isolated`,
    ]);
    expect(parsed[0]).not.toHaveProperty("someNewField");
    expect(parsePositionRiskResponse("[]")).toEqual([]);
  });

  it("a cross row without isolatedMargin or isolatedWallet is fine (both default to none)", () => {
    const rows = good();
    const cross = rows.find((r) => r.marginType === "cross" && r.positionAmt !== "0") as Json;
    delete cross.isolatedMargin;
    delete cross.isolatedWallet;
    const parsed = parsePositionRiskResponse(JSON.stringify(rows)).find((r) => r.marginType === "cross");
    expect(parsed?.isolatedMargin).toBe("0");
    expect(parsed).not.toHaveProperty("isolatedWallet");
  });
});

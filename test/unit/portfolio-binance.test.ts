import { describe, expect, it } from "vitest";
import { parsePortfolioAccountResponse } from "../../lib/binance/portfolio/account.js";
import { parsePortfolioPositionRisk, umMarginAsset } from "../../lib/binance/portfolio/position-risk.js";
import { type MarginHint, readByMargin } from "../../lib/binance/portfolio/recognise.js";
import {
  BinanceAuthError,
  BinanceRequestError,
  BinanceResponseFormatError,
  BinanceUnavailableError,
} from "../../lib/core/errors.js";
import { createLogger } from "../../lib/core/log.js";

const ACCOUNT = {
  uniMMR: "1.87987800",
  accountEquity: "122607.35137903",
  actualEquity: "142607.35137903",
  accountInitialMargin: "47.44938412",
  accountMaintMargin: "23.72469206",
  accountStatus: "NORMAL",
  virtualMaxWithdrawAmount: "1627523.32459208",
  totalAvailableBalance: "122,559.90199491",
  totalMarginOpenLoss: "0.00000000",
  updateTime: 1657707212154,
};

describe("GET /papi/v1/account", () => {
  it("keeps Binance's raw strings; drops an optional figure that is not a decimal", () => {
    const parsed = parsePortfolioAccountResponse(JSON.stringify(ACCOUNT));
    expect(parsed).toEqual({
      uniMMR: "1.87987800",
      accountEquity: "122607.35137903",
      accountMaintMargin: "23.72469206",
      accountStatus: "NORMAL",
      actualEquity: "142607.35137903",
      accountInitialMargin: "47.44938412",
      virtualMaxWithdrawAmount: "1627523.32459208",
      totalMarginOpenLoss: "0.00000000",
      updateTime: 1657707212154,
    });
  });
  it.each(["uniMMR", "accountEquity", "accountMaintMargin", "accountStatus"])("refuses a body without %s", (field) => {
    const body = JSON.stringify({ ...ACCOUNT, [field]: undefined });
    expect(() => parsePortfolioAccountResponse(body)).toThrow(BinanceResponseFormatError);
    expect(() => parsePortfolioAccountResponse(body)).toThrow(field);
  });
  it("refuses a number where Binance sends a decimal string, and an odd status", () => {
    expect(() => parsePortfolioAccountResponse(JSON.stringify({ ...ACCOUNT, uniMMR: 1.8 }))).toThrow("uniMMR");
    expect(() => parsePortfolioAccountResponse(JSON.stringify({ ...ACCOUNT, accountStatus: "<b>" }))).toThrow(
      "accountStatus",
    );
    expect(() => parsePortfolioAccountResponse("<html>")).toThrow("HTML");
  });
});

const CM_ROW = {
  symbol: "BTCUSD_PERP",
  positionAmt: "-10",
  entryPrice: "95000.1",
  markPrice: "100000.00000000",
  unRealizedProfit: "-0.00052630",
  liquidationPrice: "110000",
  leverage: "20",
  positionSide: "BOTH",
  updateTime: 1625474304765,
  maxQty: "100",
  notionalValue: "-0.01",
  breakEvenPrice: "95010.2",
};
const UM_ROW = {
  symbol: "ETHUSDT",
  positionAmt: "2.5",
  entryPrice: "3000",
  markPrice: "3100",
  unRealizedProfit: "250",
  liquidationPrice: "0",
  leverage: "10",
  maxNotionalValue: "1000000",
  positionSide: "LONG",
  notional: "7750",
  updateTime: 0,
};

describe("GET /papi/v1/{cm,um}/positionRisk", () => {
  it("gives open positions, cross, with raw strings and a distance where there is a liquidation price", () => {
    const cm = parsePortfolioPositionRisk(
      JSON.stringify([CM_ROW, { ...CM_ROW, symbol: "ETHUSD_PERP", positionAmt: "0" }]),
      "cm",
    );
    expect(cm).toEqual([
      {
        symbol: "BTCUSD_PERP",
        positionSide: "BOTH",
        side: "short",
        marginType: "cross",
        marginAsset: "BTC",
        positionAmt: "-10",
        entryPrice: "95000.1",
        markPrice: "100000.00000000",
        liquidationPrice: "110000",
        unrealizedProfit: "-0.00052630",
        leverage: "20",
        notionalValue: "-0.01",
        breakEvenPrice: "95010.2",
        distance: 0.1,
      },
    ]);
    const um = parsePortfolioPositionRisk(JSON.stringify([UM_ROW]), "um");
    expect(um[0]).toMatchObject({
      symbol: "ETHUSDT",
      side: "long",
      marginAsset: "USDT",
      notional: "7750",
      distance: null,
    });
    expect(um[0]?.maintMargin).toBeUndefined();
  });
  it("refuses a row without its mark or liquidation price, or a symbol of the other segment", () => {
    expect(() => parsePortfolioPositionRisk(JSON.stringify([{ ...CM_ROW, markPrice: undefined }]), "cm")).toThrow(
      "markPrice",
    );
    expect(() => parsePortfolioPositionRisk(JSON.stringify([{ ...UM_ROW, liquidationPrice: null }]), "um")).toThrow(
      "liquidationPrice",
    );
    expect(() => parsePortfolioPositionRisk(JSON.stringify([UM_ROW]), "cm")).toThrow("symbol");
  });
  it.each([
    ["BTCUSDT", "USDT"],
    ["BTCUSDC", "USDC"],
    ["BTCUSDT_261225", "USDT"],
    ["ETHFDUSD", "FDUSD"],
  ])("%s settles in %s", (symbol, asset) => {
    expect(umMarginAsset(symbol)).toBe(asset);
  });
});

describe("readByMargin: recognising Portfolio Margin without configuration", () => {
  const log = createLogger({ level: "error" });
  const now = Date.parse("2026-12-03T10:00:00Z");
  const refused = () => new BinanceAuthError("API key rejected (code -2015)", 401, -2015);
  function readers(classic: () => string, portfolio: () => string) {
    const calls: string[] = [];
    return {
      calls,
      readers: {
        classic: async () => {
          calls.push("classic");
          return classic();
        },
        portfolio: async () => {
          calls.push("portfolio");
          return portfolio();
        },
      },
    };
  }
  const ok = (what: string) => () => what;
  const fail = (err: () => Error) => () => {
    throw err();
  };

  it("a classic account is read as today, nothing to remember", async () => {
    const r = readers(ok("classic"), ok("pm"));
    await expect(readByMargin(r.readers, { now }, log)).resolves.toEqual({ read: "classic" });
    expect(r.calls).toEqual(["classic"]);
  });
  it("-2015 on the classic read, papi answers: PM, remembered", async () => {
    const r = readers(fail(refused), ok("pm"));
    await expect(readByMargin(r.readers, { now }, log)).resolves.toEqual({
      read: "pm",
      margin: { mode: "portfolio", checkedAt: "2026-12-03T10:00:00.000Z" },
    });
    expect(r.calls).toEqual(["classic", "portfolio"]);
  });
  it("remembered PM is read on papi directly", async () => {
    const r = readers(fail(refused), ok("pm"));
    const hint: MarginHint = { now, remembered: { mode: "portfolio", checkedAt: "2026-12-03T00:00:00.000Z" } };
    await expect(readByMargin(r.readers, hint, log)).resolves.toEqual({ read: "pm" });
    expect(r.calls).toEqual(["portfolio"]);
  });
  it("once a day the classic read is tried first again", async () => {
    const r = readers(fail(refused), ok("pm"));
    const hint: MarginHint = { now, remembered: { mode: "portfolio", checkedAt: "2026-12-02T09:59:59.000Z" } };
    await expect(readByMargin(r.readers, hint, log)).resolves.toEqual({
      read: "pm",
      margin: { mode: "portfolio", checkedAt: "2026-12-03T10:00:00.000Z" },
    });
    expect(r.calls).toEqual(["classic", "portfolio"]);
  });
  it("a refused PM read looks at the classic account again (PM turned off)", async () => {
    const r = readers(ok("classic"), fail(refused));
    const hint: MarginHint = { now, remembered: { mode: "portfolio", checkedAt: "2026-12-03T09:00:00.000Z" } };
    await expect(readByMargin(r.readers, hint, log)).resolves.toEqual({
      read: "classic",
      margin: { mode: "classic", checkedAt: "2026-12-03T10:00:00.000Z" },
    });
  });
  it("a really invalid key: refused on both, the classic refusal is what fails the read", async () => {
    const classicErr = refused();
    const r = readers(
      () => {
        throw classicErr;
      },
      fail(() => new BinanceRequestError("not a PM account (code -9000)", 400, -9000)),
    );
    await expect(readByMargin(r.readers, { now }, log)).rejects.toBe(classicErr);
  });
  it("a known PM account whose papi is down fails as unavailable, not as a refused key", async () => {
    const r = readers(
      fail(refused),
      fail(() => new BinanceUnavailableError("HTTP 503")),
    );
    const fresh: MarginHint = { now, remembered: { mode: "portfolio", checkedAt: "2026-12-03T09:00:00.000Z" } };
    await expect(readByMargin(r.readers, fresh, log)).rejects.toBeInstanceOf(BinanceUnavailableError);
    const stale: MarginHint = { now, remembered: { mode: "portfolio", checkedAt: "2026-11-30T09:00:00.000Z" } };
    await expect(readByMargin(r.readers, stale, log)).rejects.toBeInstanceOf(BinanceUnavailableError);
    expect(r.calls).toEqual(["portfolio", "classic", "portfolio"]);
  });
  it("a configured margin skips the probe", async () => {
    const r = readers(fail(refused), ok("pm"));
    await expect(readByMargin(r.readers, { now, configured: "portfolio" }, log)).resolves.toEqual({ read: "pm" });
    await expect(readByMargin(r.readers, { now, configured: "classic" }, log)).rejects.toBeInstanceOf(BinanceAuthError);
    expect(r.calls).toEqual(["portfolio", "classic"]);
  });
});

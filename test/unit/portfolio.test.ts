import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decidePool, type PolicySettings, type PoolAlertState } from "../../lib/alerts/policy.js";
import { ConfigError } from "../../lib/core/errors.js";
import { DEFAULT_ALERT_LEVELS, DEFAULT_DISTANCE_LEVELS } from "../../lib/risk/levels.js";
import { assessPools } from "../../lib/risk/pools.js";
import {
  DEFAULT_PORTFOLIO_HYSTERESIS,
  DEFAULT_PORTFOLIO_LEVELS,
  defaultPortfolioLevels,
  equityToAdd,
  formatUniMMR,
  PORTFOLIO_POOL_ID,
  type PortfolioFigures,
  parsePortfolioLevels,
  portfolioAlertLevels,
  portfolioPool,
} from "../../lib/risk/portfolio.js";
import { type PORTFOLIO_STATUSES, statusLevel } from "../../lib/risk/portfolio-status.js";
import type { OpenPosition } from "../../lib/risk/positions.js";

const levels = portfolioAlertLevels(DEFAULT_PORTFOLIO_LEVELS, DEFAULT_PORTFOLIO_HYSTERESIS);
const risk = { ratio: levels, distance: [...DEFAULT_DISTANCE_LEVELS] };
const settings: PolicySettings = {
  levels,
  hysteresis: 0.05,
  distanceLevels: risk.distance,
  distanceHysteresis: 0.01,
  renotifyMs: 0,
};

function figures(uniMMR: string, status = "NORMAL", equity = "1000", maint?: string): PortfolioFigures {
  return { uniMMR, accountEquity: equity, accountMaintMargin: maint ?? "100", accountStatus: status };
}

function levelAt(uniMMR: string, status = "NORMAL"): string {
  const [pool] = assessPools([portfolioPool(figures(uniMMR, status), [])], risk);
  return pool?.level ?? "missing";
}

describe("uniMMR levels (Binance's table: reminder <= 150%, reduce-only <= 120%)", () => {
  it.each([
    ["5.00000000", "ok"],
    ["1.50000001", "ok"],
    ["1.50000000", "warning"],
    ["1.5", "warning"],
    ["1.49999999", "warning"],
    ["1.35", "warning"],
    ["1.20000001", "warning"],
    ["1.20000000", "critical"],
    ["1.19999999", "critical"],
    ["1.15", "critical"],
    ["1.05000000", "critical"],
    ["1.04", "critical"],
    ["0.9", "critical"],
  ])("uniMMR %s is %s", (uniMMR, level) => {
    expect(levelAt(uniMMR)).toBe(level);
  });

  it("keeps the order of any two uniMMRs (higher is never worse)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), fc.integer({ min: 1, max: 10_000_000_000 }), (a, b) => {
        const ua = (a / 1e8).toFixed(8);
        const ub = (b / 1e8).toFixed(8);
        const [pa] = [portfolioPool(figures(ua), [])];
        const [pb] = [portfolioPool(figures(ub), [])];
        if (a < b) expect(pa.ratio).toBeGreaterThanOrEqual(pb.ratio);
      }),
    );
  });

  it("equity <= 0 with maintenance is beyond every level, never NaN; no maintenance is ok", () => {
    const gone = portfolioPool(figures("0", "NORMAL", "-5", "100"), []);
    expect(gone.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(assessPools([gone], risk)[0]?.level).toBe("critical");
    const idle = portfolioPool(figures("0", "NORMAL", "1000", "0"), []);
    expect(idle.ratio).toBe(0);
    expect(assessPools([idle], risk)[0]?.level).toBe("ok");
  });

  it("is one pool named for people, in USD, with Binance's raw figures", () => {
    const pool = portfolioPool(figures("1.35000000", "NORMAL", "135.5", "100.37"), []);
    expect(pool).toMatchObject({
      id: PORTFOLIO_POOL_ID,
      kind: "portfolio",
      product: "portfolio",
      asset: "USD",
      label: "portfolio margin",
      requirement: "100.37",
      collateral: "135.5",
      portfolio: { uniMMR: "1.35000000", accountStatus: "NORMAL" },
    });
  });
});

describe("accountStatus", () => {
  const expected: Record<(typeof PORTFOLIO_STATUSES)[number], string> = {
    NORMAL: "ok",
    MARGIN_CALL: "warning",
    SUPPLY_MARGIN: "warning",
    REDUCE_ONLY: "critical",
    ACTIVE_LIQUIDATION: "critical",
    FORCE_LIQUIDATION: "critical",
    BANKRUPTED: "critical",
  };
  it.each(Object.entries(expected))("%s alone is %s", (status, level) => {
    expect(statusLevel(status, levels)).toBe(level);
    // With a safe uniMMR, the status decides.
    expect(levelAt("5", status)).toBe(level);
  });
  it("a status Binance adds later is at least a warning", () => {
    expect(levelAt("5", "SOMETHING_NEW")).toBe("warning");
  });
  it("never lowers what uniMMR says", () => {
    expect(levelAt("1.1", "MARGIN_CALL")).toBe("critical");
  });
});

describe("hysteresis and the policy", () => {
  function play(steps: ReadonlyArray<[string, string?]>) {
    let state: PoolAlertState | undefined;
    const notices: string[] = [];
    steps.forEach(([uniMMR, status = "NORMAL"], i) => {
      const [pool] = assessPools([portfolioPool(figures(uniMMR, status), [])], risk);
      if (!pool) throw new Error("no pool");
      const d = decidePool(
        state,
        { ratio: pool.ratio, distance: pool.distance, ...(pool.statusLevel ? { atLeast: pool.statusLevel } : {}) },
        i * 60_000,
        settings,
      );
      if (d.notice) notices.push(`${d.notice}:${d.next.level}`);
      state = d.next;
    });
    return { notices, level: state?.level };
  }

  it("rises at once, holds within 10 points, recovers once", () => {
    expect(play([["2"], ["1.35"], ["1.55"], ["1.6"], ["1.60000001"], ["1.7"]]).notices).toEqual([
      "escalated:warning",
      "recovered:ok",
    ]);
  });
  it("critical holds up to 130%, then falls to warning, then ok above 160%", () => {
    expect(play([["1.15"], ["1.25"], ["1.3"], ["1.31"], ["1.61"]]).notices).toEqual([
      "escalated:critical",
      "recovered:warning",
      "recovered:ok",
    ]);
  });
  it("a REDUCE_ONLY status raises critical and its end releases it without hysteresis", () => {
    expect(play([["2"], ["2", "REDUCE_ONLY"], ["2", "REDUCE_ONLY"], ["2"]]).notices).toEqual([
      "escalated:critical",
      "recovered:ok",
    ]);
  });
});

describe("equity to add", () => {
  it("is maintenance × 150% − equity, rounded up to the cent and one cent more", () => {
    // uniMMR 1.35 = 135 / 100: 150 − 135 = 15, one cent more to be above 150%.
    expect(equityToAdd(figures("1.35", "NORMAL", "135", "100"), 1.5)).toBe("15.01");
    expect(equityToAdd(figures("1.15", "NORMAL", "115.005", "100"), 1.5)).toBe("35.01");
    expect(equityToAdd(figures("1.1", "NORMAL", "110.0000001", "100"), 1.5)).toBe("40.01");
  });
  it("brings uniMMR above the target", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (maintCents, equityCents) => {
        const maint = (maintCents / 100).toFixed(2);
        const equity = (equityCents / 100).toFixed(2);
        const add = equityToAdd(figures("1", "NORMAL", equity, maint), 1.5);
        if (equityCents > maintCents * 1.5) return;
        expect(add).toBeDefined();
        const after = Math.round((Number(equity) + Number(add)) * 100);
        expect(after * 2).toBeGreaterThan(maintCents * 3);
      }),
    );
  });
  it("is nothing when already above, or without maintenance", () => {
    expect(equityToAdd(figures("2", "NORMAL", "200", "100"), 1.5)).toBeUndefined();
    expect(equityToAdd(figures("0", "NORMAL", "200", "0"), 1.5)).toBeUndefined();
  });
});

describe("formatUniMMR", () => {
  it.each([
    ["1.35000000", "135.0%"],
    ["1.34999999", "134.9%"],
    ["1.2", "120.0%"],
    ["51.67921719", "5167.9%"],
    ["0.9", "90.0%"],
  ])("%s shows as %s", (raw, text) => {
    expect(formatUniMMR(raw)).toBe(text);
  });
});

describe("PORTFOLIO_LEVELS", () => {
  it("parses levels in the alert levels' order", () => {
    expect(
      parsePortfolioLevels('[{"name":"critical","uniMMR":1.3},{"name":"warning","uniMMR":2}]', DEFAULT_ALERT_LEVELS),
    ).toEqual([
      { name: "warning", uniMMR: 2 },
      { name: "critical", uniMMR: 1.3 },
    ]);
  });
  it.each([
    ["[]", "non-empty"],
    ['[{"name":"danger","uniMMR":1.5}]', "one of the alert levels"],
    ['[{"name":"warning","uniMMR":1.05}]', "above 1.05"],
    ['[{"name":"warning","uniMMR":"1.5"}]', "above 1.05"],
    ['[{"name":"warning","uniMMR":1.2},{"name":"critical","uniMMR":1.5}]', "must be lower"],
    ['[{"name":"warning","uniMMR":1.5},{"name":"warning","uniMMR":1.4}]', "twice"],
  ])("refuses %s", (text, problem) => {
    expect(() => parsePortfolioLevels(text, DEFAULT_ALERT_LEVELS)).toThrow(ConfigError);
    expect(() => parsePortfolioLevels(text, DEFAULT_ALERT_LEVELS)).toThrow(problem);
  });
  it("defaults to Binance's marks on warning and critical, or on the first and last level", () => {
    expect(defaultPortfolioLevels(DEFAULT_ALERT_LEVELS)).toEqual(DEFAULT_PORTFOLIO_LEVELS);
    expect(
      defaultPortfolioLevels([
        { name: "low", ratio: 0.4 },
        { name: "mid", ratio: 0.6 },
        { name: "high", ratio: 0.9 },
      ]),
    ).toEqual([
      { name: "low", uniMMR: 1.5 },
      { name: "high", uniMMR: 1.2 },
    ]);
  });
});

describe("positions' distances join the pool's level", () => {
  it("a position within 3% of its liquidation price makes the pool critical at a safe uniMMR", () => {
    const near: OpenPosition = {
      symbol: "BTCUSD_PERP",
      positionSide: "BOTH",
      side: "long",
      marginType: "cross",
      marginAsset: "BTC",
      positionAmt: "10",
      markPrice: "100000",
      liquidationPrice: "98000",
      unrealizedProfit: "0",
      distance: 0.02,
    };
    const [pool] = assessPools([portfolioPool(figures("3"), [near])], risk);
    expect(pool).toMatchObject({ ratioLevel: "ok", distanceLevel: "critical", level: "critical", distance: 0.02 });
    expect(pool?.nearest?.symbol).toBe("BTCUSD_PERP");
  });
});

import { describe, expect, it } from "vitest";
import { poolRatioCell } from "../../lib/history/table.js";
import { poolRows } from "../../lib/history/views.js";
import type { Snapshot } from "../../lib/monitor/snapshot.js";

const snapshot: Snapshot = {
  account: "pm",
  takenAt: "2026-12-03T10:00:00.000Z",
  fetchedAt: "2026-12-03T10:00:00.300Z",
  assets: [],
  pools: [
    {
      id: "portfolio",
      kind: "portfolio",
      asset: "USD",
      label: "portfolio margin",
      requirement: "4950.00000000",
      collateral: "6682.50000000",
      ratio: 0.74074074074,
      distance: 0.2,
      level: "warning",
      portfolio: {
        uniMMR: "1.35000000",
        accountEquity: "6682.50000000",
        accountMaintMargin: "4950.00000000",
        accountStatus: "MARGIN_CALL",
      },
    },
  ],
  positions: [],
  openPositions: 0,
  expiresAt: 0,
};

describe("a Portfolio Margin pool in history and status", () => {
  it("carries Binance's uniMMR and status in its row (JSON), and shows uniMMR where others show a ratio", () => {
    const [row] = poolRows(snapshot);
    expect(row).toMatchObject({ kind: "portfolio", uniMMR: "1.35000000", accountStatus: "MARGIN_CALL" });
    expect(poolRatioCell(row ?? { ratio: null })).toBe("uniMMR 135.00%");
    expect(poolRatioCell({ ratio: 0.5 })).toBe("50.00%");
  });
});

describe("a Portfolio Margin account's chart", () => {
  it("draws the uniMMR levels where they fall on its ratio scale (1 / uniMMR), named by uniMMR", async () => {
    const { portfolioPlotLevels } = await import("../../bin/commands/history/levels.js");
    expect(portfolioPlotLevels()).toEqual([
      { name: "warning (uniMMR 150%)", value: 0.666666666666 },
      { name: "critical (uniMMR 120%)", value: 0.833333333333 },
    ]);
  });
});

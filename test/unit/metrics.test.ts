import { describe, expect, it } from "vitest";
import type { AccountResult, CycleSummary } from "../../lib/cycle.js";
import { cycleMetrics, METRIC_NAMESPACE, RATIO_CEILING } from "../../lib/metrics.js";
import type { AssessedPool } from "../../lib/risk/pools.js";

const margin = (asset: string, ratio: number): AssessedPool => ({
  id: asset,
  kind: "cross",
  asset,
  label: `${asset} cross`,
  requirement: String(ratio),
  collateral: "1",
  ratio,
  distance: null,
  positions: [],
  ratioLevel: "ok",
  distanceLevel: "ok",
  level: "ok",
});

function summary(margins: AssessedPool[], failed = 0): CycleSummary {
  const account: AccountResult = {
    account: "main",
    status: "ok",
    snapshotWritten: true,
    pools: margins,
    alertsSent: [],
    alertsPending: 0,
    problems: [],
    durationMs: 5,
  };
  return {
    cycleTime: "2026-11-24T12:00:00.000Z",
    accounts: [account],
    ok: 1,
    failed,
    deferred: 0,
    alertsSent: 0,
    durationMs: 5,
  };
}

describe("cycleMetrics (embedded metric format)", () => {
  it("always emits the heartbeat, with the counts as plain log fields", () => {
    const [heartbeat] = cycleMetrics(summary([], 2), { ratioMetrics: false, timestamp: 1 });
    expect(heartbeat).toEqual({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          { Namespace: METRIC_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: "Heartbeat", Unit: "Count" }] },
        ],
      },
      Heartbeat: 1,
      AccountsFailed: 2,
      AccountsDeferred: 0,
      AlertsSent: 0,
    });
  });

  it("emits a ratio per account and asset holding margin, capping an infinite ratio", () => {
    const docs = cycleMetrics(
      summary([margin("BTC", 0.42), margin("BNB", 0), margin("ETH", Number.POSITIVE_INFINITY)]),
      {
        ratioMetrics: true,
        timestamp: 1,
      },
    );
    const ratios = docs.slice(1).map((d) => [d.Account, d.Asset, d.MarginRatio]);
    expect(ratios).toEqual([
      ["main", "BTC", 0.42],
      ["main", "ETH", RATIO_CEILING],
    ]);
  });

  it("plots an asset's worst pool, so an isolated position near liquidation shows beside a calm cross pool", () => {
    const isolated: AssessedPool = { ...margin("BTC", 0.9), id: "BTCUSD_PERP#BOTH", kind: "isolated" };
    const docs = cycleMetrics(summary([margin("BTC", 0.004), isolated]), { ratioMetrics: true, timestamp: 1 });
    expect(docs.slice(1).map((d) => [d.Asset, d.MarginRatio])).toEqual([["BTC", 0.9]]);
  });

  it("emits no ratio metric when switched off", () => {
    expect(cycleMetrics(summary([margin("BTC", 0.42)]), { ratioMetrics: false, timestamp: 1 })).toHaveLength(1);
  });
});

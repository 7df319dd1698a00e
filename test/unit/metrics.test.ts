import { describe, expect, it } from "vitest";
import type { AccountResult, CycleSummary } from "../../lib/monitor/cycle.js";
import { cycleMetrics, METRIC_NAMESPACE, RATIO_CEILING } from "../../lib/monitor/metrics.js";
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
  it("emits nothing by default: no heartbeat metric (the alarm watches Lambda's Invocations) and no ratios", () => {
    expect(cycleMetrics(summary([margin("BTC", 0.42)], 2), { ratioMetrics: "off", timestamp: 1 })).toEqual([]);
  });

  it("per-asset: a ratio per account and asset holding margin, capping an infinite ratio", () => {
    const docs = cycleMetrics(
      summary([margin("BTC", 0.42), margin("BNB", 0), margin("ETH", Number.POSITIVE_INFINITY)]),
      { ratioMetrics: "per-asset", timestamp: 1 },
    );
    expect(docs.map((d) => [d.Account, d.Asset, d.MarginRatio])).toEqual([
      ["main", "BTC", 0.42],
      ["main", "ETH", RATIO_CEILING],
    ]);
    expect(docs[0]?._aws).toEqual({
      Timestamp: 1,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [["Account", "Asset"]],
          Metrics: [{ Name: "MarginRatio", Unit: "None" }],
        },
      ],
    });
  });

  it("worst: one metric per account, its highest ratio, dimensioned by account only", () => {
    const docs = cycleMetrics(summary([margin("BTC", 0.42), margin("ETH", 0.61), margin("BNB", 0)]), {
      ratioMetrics: "worst",
      timestamp: 1,
    });
    expect(docs).toEqual([
      {
        _aws: {
          Timestamp: 1,
          CloudWatchMetrics: [
            {
              Namespace: METRIC_NAMESPACE,
              Dimensions: [["Account"]],
              Metrics: [{ Name: "MarginRatio", Unit: "None" }],
            },
          ],
        },
        Account: "main",
        MarginRatio: 0.61,
      },
    ]);
  });

  it("worst: an account with no asset in margin emits nothing (no metric flat at zero)", () => {
    expect(cycleMetrics(summary([margin("BNB", 0)]), { ratioMetrics: "worst", timestamp: 1 })).toEqual([]);
  });

  it("per-asset plots an asset's worst pool, so an isolated position near liquidation shows beside a calm cross pool", () => {
    const isolated: AssessedPool = { ...margin("BTC", 0.9), id: "BTCUSD_PERP#BOTH", kind: "isolated" };
    const docs = cycleMetrics(summary([margin("BTC", 0.004), isolated]), { ratioMetrics: "per-asset", timestamp: 1 });
    expect(docs.map((d) => [d.Asset, d.MarginRatio])).toEqual([["BTC", 0.9]]);
  });
});

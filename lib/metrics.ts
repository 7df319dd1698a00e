/**
 * CloudWatch metrics in embedded metric format (EMF): JSON log lines that CloudWatch turns into
 * metrics without an API call. The heartbeat feeds the "monitor stopped" alarm; ratio metrics
 * (one per account and asset, each billed as a custom metric) feed the dashboard.
 */
import type { CycleSummary } from "./cycle.js";

export const METRIC_NAMESPACE = "CoinmGuard";
/** Plotted in place of an infinite ratio (margin balance <= 0), far above any alert level. */
export const RATIO_CEILING = 10;

type Emf = Record<string, unknown>;

function emf(timestamp: number, dimensions: string[][], metrics: { Name: string; Unit: string }[], values: Emf): Emf {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: dimensions, Metrics: metrics }],
    },
    ...values,
  };
}

/** EMF documents for one cycle: a heartbeat and failure counts, then optional per-asset ratios. */
export function cycleMetrics(summary: CycleSummary, options: { ratioMetrics: boolean; timestamp: number }): Emf[] {
  const out: Emf[] = [
    emf(
      options.timestamp,
      [[]],
      // Only the heartbeat is a metric (each custom metric costs $0.30 a month); the counts ride
      // along as log fields, searchable in Logs Insights at no metric cost.
      [{ Name: "Heartbeat", Unit: "Count" }],
      {
        Heartbeat: 1,
        AccountsFailed: summary.failed,
        AccountsDeferred: summary.deferred,
        AlertsSent: summary.alertsSent,
      },
    ),
  ];
  if (options.ratioMetrics) {
    for (const account of summary.accounts) {
      // Only assets that hold margin: a balance without positions has ratio 0 and would only
      // add a $0.30 metric that stays flat at zero.
      for (const m of account.margins.filter((a) => a.ratio > 0)) {
        out.push(
          emf(options.timestamp, [["Account", "Asset"]], [{ Name: "MarginRatio", Unit: "None" }], {
            Account: account.account,
            Asset: m.asset,
            MarginRatio: Number.isFinite(m.ratio) ? Math.min(m.ratio, RATIO_CEILING) : RATIO_CEILING,
          }),
        );
      }
    }
  }
  return out;
}

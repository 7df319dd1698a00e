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
      // One metric per margin asset: the worst ratio among its pools (the cross pool and each
      // isolated position), so an isolated position near liquidation shows on the dashboard. Only
      // assets that hold margin: a ratio of 0 would only add a $0.30 metric that stays flat.
      const worst = new Map<string, number>();
      for (const p of account.pools) worst.set(p.asset, Math.max(worst.get(p.asset) ?? 0, p.ratio));
      for (const [asset, ratio] of worst) {
        if (!(ratio > 0)) continue;
        out.push(
          emf(options.timestamp, [["Account", "Asset"]], [{ Name: "MarginRatio", Unit: "None" }], {
            Account: account.account,
            Asset: asset,
            MarginRatio: Number.isFinite(ratio) ? Math.min(ratio, RATIO_CEILING) : RATIO_CEILING,
          }),
        );
      }
    }
  }
  return out;
}

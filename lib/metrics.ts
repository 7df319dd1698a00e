/**
 * CloudWatch metrics in embedded metric format (EMF): JSON log lines that CloudWatch turns into
 * metrics without an API call. Only the optional MarginRatio metrics are custom (each billed $0.30
 * a month): the "monitor stopped" alarm watches Lambda's own Invocations metric, and the dashboard
 * reads the ratios from the "margin" log lines with Logs Insights, both free at rest. The cycle's
 * counts (failed, deferred, alerts sent) are fields of its "cycle complete" log line.
 */
import type { RatioMetrics } from "./config.js";
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

const plotted = (ratio: number) => (Number.isFinite(ratio) ? Math.min(ratio, RATIO_CEILING) : RATIO_CEILING);

/** EMF documents for one cycle: none, one worst ratio per account, or one ratio per account and asset. */
export function cycleMetrics(summary: CycleSummary, options: { ratioMetrics: RatioMetrics; timestamp: number }): Emf[] {
  const out: Emf[] = [];
  if (options.ratioMetrics === "off") return out;
  for (const account of summary.accounts) {
    // Only assets that hold margin: a balance without positions has ratio 0 and would only
    // add a $0.30 metric that stays flat at zero.
    const held = account.margins.filter((a) => a.ratio > 0);
    if (held.length === 0) continue;
    if (options.ratioMetrics === "worst") {
      const worst = Math.max(...held.map((m) => plotted(m.ratio)));
      out.push(
        emf(options.timestamp, [["Account"]], [{ Name: "MarginRatio", Unit: "None" }], {
          Account: account.account,
          MarginRatio: worst,
        }),
      );
      continue;
    }
    for (const m of held) {
      out.push(
        emf(options.timestamp, [["Account", "Asset"]], [{ Name: "MarginRatio", Unit: "None" }], {
          Account: account.account,
          Asset: m.asset,
          MarginRatio: plotted(m.ratio),
        }),
      );
    }
  }
  return out;
}

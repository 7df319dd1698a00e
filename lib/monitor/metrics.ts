/**
 * CloudWatch metrics in embedded metric format (EMF): JSON log lines that CloudWatch turns into
 * metrics without an API call. Only the optional MarginRatio metrics are custom (each billed $0.30
 * a month): the "monitor stopped" alarm watches Lambda's own Invocations metric, and the dashboard
 * reads the ratios from the "margin" log lines with Logs Insights, both free at rest. The cycle's
 * counts (failed, deferred, alerts sent) are fields of its "cycle complete" log line.
 */

import type { RatioMetrics } from "../config.js";
import { productPoolId } from "../risk/product.js";
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

/**
 * EMF documents for one cycle: none, one worst ratio per account, or one per account and margin
 * asset (the worst among the asset's pools: the cross pool and each isolated position, so an
 * isolated position near liquidation shows). Only pools that hold margin count: a ratio of 0 would
 * only add a $0.30 metric that stays flat.
 */
export function cycleMetrics(summary: CycleSummary, options: { ratioMetrics: RatioMetrics; timestamp: number }): Emf[] {
  const out: Emf[] = [];
  if (options.ratioMetrics === "off") return out;
  for (const account of summary.accounts) {
    const worst = new Map<string, number>();
    for (const p of account.pools) {
      // A USD-M pool's asset says its book ("usdm:USDT"), as its pool id does.
      const asset = productPoolId(p.product, p.asset);
      if (p.ratio > 0) worst.set(asset, Math.max(worst.get(asset) ?? 0, p.ratio));
    }
    if (worst.size === 0) continue;
    if (options.ratioMetrics === "worst") {
      out.push(
        emf(options.timestamp, [["Account"]], [{ Name: "MarginRatio", Unit: "None" }], {
          Account: account.account,
          MarginRatio: plotted(Math.max(...worst.values())),
        }),
      );
      continue;
    }
    for (const [asset, ratio] of worst) {
      out.push(
        emf(options.timestamp, [["Account", "Asset"]], [{ Name: "MarginRatio", Unit: "None" }], {
          Account: account.account,
          Asset: asset,
          MarginRatio: plotted(ratio),
        }),
      );
    }
  }
  return out;
}

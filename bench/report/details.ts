/**
 * The detail sections printed after the summary table: bundle breakdown, cold start variants, one
 * cycle, and the monthly cost model with its levers and the sharded bill.
 */
import { ASSUMPTIONS, BINANCE_RTT_MS, SWITCH_SETTING } from "../cost-model.js";
import { PRICES } from "../prices.js";
import { kb, ms, usd } from "../support/stats.js";
import { markdownTable } from "../support/table.js";
import { type CostPoint, type CostRow, dashboardFree, type ShardedCosts } from "./costs.js";
import type { Measured } from "./results.js";

export function printDetails(
  print: (text?: string) => void,
  m: Measured,
  costs: readonly CostPoint[],
  shardedBill: ShardedCosts | undefined,
): void {
  const { bundles, infra, cold, cycle } = m;
  if (bundles) {
    print("\n## Bundle breakdown (esbuild metafile, bytes in the minified output)\n");
    for (const b of [bundles.deployed, bundles["sdk-bundled"]]) {
      print(`${b.label}: ${kb(b.bytes)}, source map ${kb(b.sourceMapBytes)}`);
      print(
        markdownTable(
          ["Part", "Bytes", "Share"],
          b.breakdown
            .slice(0, 12)
            .map((p) => [p.part, p.bytes.toLocaleString("en-US"), `${((100 * p.bytes) / b.bytes).toFixed(1)}%`]),
        ),
      );
      print();
    }
    if (infra) print(`Bundling options: ${infra}`);
  }
  if (cold) {
    print(
      `\n## Cold start on Node ${cold.nodeVersion} (${cold.runs} interleaved runs each, wall time from spawn to exit)\n`,
    );
    print(
      markdownTable(
        ["Variant", "Wall (median)", "Ratio to bare node", "Import alone (in process)"],
        (Object.keys(cold.wallMs) as (keyof typeof cold.wallMs)[]).map((v) => [
          v,
          ms(cold.wallMs[v]),
          `${cold.ratio[v].toFixed(2)}x`,
          cold.importMs[v] !== undefined ? ms(cold.importMs[v] ?? 0) : "-",
        ]),
      ),
    );
  }
  if (cycle) {
    print(
      `\n## One cycle (${cycle.runs} warm invocations after ${cycle.warmUp} warm-up, ${cycle.activeAssets} active assets)\n`,
    );
    print(
      markdownTable(
        ["Part", "Median"],
        [
          ["CPU per invocation (monitor process): the figure judged", ms(cycle.cpuMs)],
          ["wall (exchange latency included; loopback services share the cores)", ms(cycle.wallMs)],
          [
            "log bytes per cycle (JSON logs / EMF)",
            `${cycle.logBytesPerCycle} B in ${cycle.logLinesPerCycle} lines / ${cycle.emfBytesPerCycle} B in ${cycle.emfLinesPerCycle} lines`,
          ],
        ],
      ),
    );
    print(`\n### With and without a USD-M book (issue 19)\n`);
    const rows: string[][] = [];
    for (const [c, what] of [
      [cycle, "empty USD-M book (a COIN-M-only key; looked at once a day)"],
      [m.cycleUsdm, "USD-M book held (4 positions, USDT and USDC pools, one isolated)"],
    ] as const) {
      if (!c) continue;
      rows.push([
        what,
        ms(c.cpuMs),
        c.dapiWeightPerCycle.toFixed(1),
        c.fapiWeightPerCycle.toFixed(1),
        `${c.fapiWeightTotal} in ${c.invocations} cycles`,
      ]);
    }
    print(
      markdownTable(
        ["Account", "CPU per warm cycle", "dapi weight / cycle", "fapi weight / warm cycle", "fapi weight, whole run"],
        rows,
      ),
    );
  }
  if (costs.length > 0) {
    print(`\n## Monthly cost model (${PRICES.region}; prices: ${PRICES.asOf})\n`);
    print(
      markdownTable(
        [
          "Accounts",
          "Lambda ms (measured here / AWS estimate)",
          "As shipped, dashboard free",
          "As shipped, keys in one secret, dashboard free",
          "Dashboard paid ($3)",
          "Before the levers: per-asset metrics, CMK topic key",
          "Optional features off",
        ],
        costs.map((c) => [
          String(c.accounts),
          `${Math.round(c.measuredMs)} / ${Math.ceil(c.durationMs)}`,
          usd(dashboardFree(c.shipped)),
          usd(dashboardFree(c.shared)),
          `+${usd(PRICES.cloudwatch.dashboardMonth)}`,
          usd(c.all.total),
          usd(c.lean.total),
        ]),
      ),
    );
    print(
      `\nAWS estimate of the Lambda duration: Binance ${BINANCE_RTT_MS} ms away, 3 round trips on a fresh TLS connection plus one per further round, CPU scaled to 256 MB's share of a vCPU.\n`,
    );
    const lineOf = (c: CostRow, prefix: string) => c.lines.find((l) => l.item.startsWith(prefix))?.usd ?? 0;
    print("### Levers (each measured or priced against the configuration before it)\n");
    print(
      markdownTable(
        ["Lever", "1 account", "100 accounts"],
        [
          [
            "Stopped alarm on Lambda's Invocations instead of a custom Heartbeat metric",
            `-${usd(PRICES.cloudwatch.metricMonth)}`,
            `-${usd(PRICES.cloudwatch.metricMonth)}`,
          ],
          [
            'MarginRatio metrics "off" by default (dashboard from the logs) instead of one per asset',
            ...[costs[0], costs[2]].map((c) => `-${usd(c ? lineOf(c.perAssetLogs, "Custom metrics") : Number.NaN)}`),
          ],
          [
            "  log volume: no EMF lines (measured bytes per cycle, before -> after)",
            ...[costs[0], costs[2]].map((c) =>
              c
                ? `${usd(lineOf(c.perAssetLogs, "CloudWatch Logs ingestion"))} -> ${usd(lineOf(c.shipped, "CloudWatch Logs ingestion"))}`
                : "",
            ),
          ],
          [
            '  or "worst": one MarginRatio per account (for an alarm or 15-month history)',
            ...[costs[0], costs[2]].map((c) => `+${usd((c?.accounts ?? 0) * PRICES.cloudwatch.metricMonth)}`),
          ],
          [
            "Keys in one shared secret instead of one secret per account",
            ...[costs[0], costs[2]].map((c) =>
              c ? `-${usd(lineOf(c.shipped, "Secrets Manager") - lineOf(c.shared, "Secrets Manager"))}` : "",
            ),
          ],
        ],
      ),
    );
    print();
    for (const c of costs) {
      const judged = c.accounts === 1 ? c.shipped : c.shared;
      print(
        `${c.accounts} account(s), 3 active assets each, as shipped${c.accounts === 1 ? "" : " with the keys in one secret"} (dashboard at list price):`,
      );
      print(
        markdownTable(
          ["Item", "Detail", "List price", "Within free tier", "Switch"],
          judged.lines.map((l) => [
            l.item,
            l.detail,
            usd(l.usd),
            usd(l.usdAfterFreeTier),
            l.switch ? SWITCH_SETTING[l.switch] : "",
          ]),
        ),
      );
      print(`Total ${usd(judged.total)} (${usd(dashboardFree(judged))} with the dashboard one of the free three)\n`);
    }
    print(`Assumptions: ${JSON.stringify(ASSUMPTIONS)}`);
  }
  if (shardedBill) {
    const { accountsPerShard, shardDurationMs, cpuPerAccount, sharded } = shardedBill;
    print(
      `\n### Past one IP: shards of ${accountsPerShard} accounts, each behind its own NAT instance and Elastic IP (docs/scaling.md)\n`,
    );
    const items = sharded[0]?.lines.map((l) => l.item) ?? [];
    print(
      markdownTable(
        ["Item", ...sharded.map((c) => `${c.accounts.toLocaleString("en-US")} accounts (${c.shards} shards)`)],
        [
          ...items.map((item) => [item, ...sharded.map((c) => usd(c.lines.find((l) => l.item === item)?.usd ?? 0))]),
          ["**Total a month**", ...sharded.map((c) => `**${usd(c.total)}**`)],
          ["Per account", ...sharded.map((c) => usd(c.perAccount))],
        ],
      ),
    );
    print(
      `\nShard invocation estimated at ${Math.ceil(shardDurationMs)} ms in AWS (${Math.ceil(accountsPerShard / 16)} rounds of 16 reads at ${BINANCE_RTT_MS} ms, ${(cpuPerAccount * accountsPerShard).toFixed(0)} ms of CPU measured here scaled to 256 MB).`,
    );
  }
}

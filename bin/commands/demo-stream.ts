/**
 * The demo's last chapter (issue 20): a crossing caught from the mark price stream between two
 * signed reads. Account "demo-stream" holds the spec's isolated BTCUSD_PERP long (liquidated near
 * 56,968) at warning; the schedule is scaled to 6 s with a re-read 3 s after each run. Half a
 * second into the watch the mark falls to 58,500 (2.6% from liquidation: critical), and the alert
 * goes out from the stream's next mark, long before the re-read.
 */
import { randomBytes } from "node:crypto";
import type { AwsClients } from "../../lib/aws/lazy.js";
import { runtimeSocketFactory } from "../../lib/binance/stream/connection.js";
import { loadConfig } from "../../lib/config.js";
import type { Logger } from "../../lib/core/log.js";
import { createMonitor } from "../../lib/monitor.js";
import type { AwsStandIns } from "../../sim/aws-standins.js";
import { DEMO_TABLE } from "../../sim/demo-store.js";
import { MarginEngine } from "../../sim/engine/coinm/engine.js";
import { isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { MarkStreamServer } from "../../sim/mark-stream.js";
import { loopbackSocketFactory } from "../../sim/ws-client.js";

export const DEMO_STREAM_ACCOUNT = "demo-stream";
const SYMBOL = "BTCUSD_PERP";

export interface StreamChapterDeps {
  readonly aws: AwsStandIns;
  readonly clients: AwsClients;
  readonly topicArn: string;
  readonly log: Logger;
  readonly print: (line?: string) => void;
}

/** Run the chapter; returns the alerts it published (0 when this Node has no WebSocket). */
export async function streamChapter(deps: StreamChapterDeps): Promise<number> {
  const { print } = deps;
  print("");
  print("Between two reads: the mark price stream.");
  // Node 22+ (the Lambda's 24) has WebSocket built in; Node 20 has it behind a flag, so the demo
  // brings a small loopback client of its own there (sim/ws-client.ts).
  const socket = runtimeSocketFactory() ?? loopbackSocketFactory;
  const secret = { apiKey: randomBytes(32).toString("hex"), apiSecret: randomBytes(32).toString("hex") };
  const engine = new MarginEngine([[secret.apiKey, isolatedNearLiquidationExample(62_000)]]);
  const exchange = new LoopbackExchange({ keys: [{ type: "hmac", ...secret }], engine, latencyMs: 20 });
  const stream = new MarkStreamServer({ marks: (s) => engine.mark(s), intervalMs: 1000 });
  const seenBefore = deps.aws.published.length;
  try {
    const [baseUrl, streamUrl] = await Promise.all([exchange.start(), stream.start()]);
    deps.aws.putSecret(`coinm-guard/${DEMO_STREAM_ACCOUNT}`, JSON.stringify(secret));
    const config = loadConfig({
      SNAPSHOT_TABLE: DEMO_TABLE,
      ALERT_TOPIC_ARN: deps.topicArn,
      ACCOUNTS: JSON.stringify([{ name: DEMO_STREAM_ACCOUNT, secretId: `coinm-guard/${DEMO_STREAM_ACCOUNT}` }]),
      BINANCE_BASE_URL: baseUrl,
      BINANCE_SPOT_BASE_URL: baseUrl,
      BINANCE_STREAM_URL: streamUrl,
      SCHEDULE_INTERVAL_SECONDS: "6",
      FAST_POLL_SECONDS: "3",
    });
    const monitor = createMonitor(config, deps.clients, deps.log, { socket });
    const cycleTime = new Date();
    const deadlineMs = Date.now() + 10_000;
    const first = await monitor.run({ cycleTime, deadlineMs });
    const pool = first.accounts[0]?.pools.find((p) => p.kind === "isolated");
    print(
      `  ${cycleTime.toISOString().slice(11, 19)}  signed read: ${pool?.label ?? "?"} mark 62000, ${((pool?.distance ?? 0) * 100).toFixed(2)}% to liq, level ${pool?.level ?? "?"}; next re-read in 3 s`,
    );
    const warning = deps.aws.published.at(-1);
    if (warning && deps.aws.published.length > seenBefore) {
      print(`          └ SMS    ${(JSON.parse(warning.message) as { sms: string }).sms}`);
    }
    let crossedAt = 0;
    let readsAtCrossing = 0;
    const watching = monitor.watch({ first, cycleTime, deadlineMs });
    await new Promise((r) => setTimeout(r, 500));
    readsAtCrossing = exchange.callCount(secret.apiKey, "/dapi/v1/account");
    engine.setMark(SYMBOL, 58_500);
    crossedAt = Date.now();
    print(
      `  ${new Date(crossedAt).toISOString().slice(11, 19)}  the mark falls to 58500 at the exchange (2.62% to liq)`,
    );
    const started = Date.now();
    while (deps.aws.published.length <= seenBefore + 1 && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const alert = deps.aws.published.at(-1);
    const readsAtAlert = exchange.callCount(secret.apiKey, "/dapi/v1/account");
    if (alert && deps.aws.published.length > seenBefore + 1) {
      const bodies = JSON.parse(alert.message) as { sms: string };
      print(
        `  ${new Date(alert.receivedAt).toISOString().slice(11, 19)}  ALERT ${((alert.receivedAt - crossedAt) / 1000).toFixed(2)} s after the crossing, ${readsAtAlert - readsAtCrossing} signed reads in between:`,
      );
      print(`          └ SMS    ${bodies.sms}`);
    } else {
      print("  no alert from the stream within 5 s (see .demo-data/monitor.log)");
    }
    const watch = await watching;
    print(
      `  the re-read${watch.rereads.length === 1 ? "" : "s"} after it (${watch.rereads.length}) confirmed the level: no second alert; ${watch.stream?.marks ?? 0} marks streamed.`,
    );
    return deps.aws.published.length - seenBefore;
  } finally {
    await Promise.all([exchange.stop(), stream.stop()]);
  }
}

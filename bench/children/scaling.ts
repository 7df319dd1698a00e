/**
 * Child: the monitor under load, built from lib/ exactly as the handler builds it, one cycle per
 * request. Each request gets a fresh monitor (a fresh weight governor, as at the start of a new
 * minute) pointed at that run's fresh exchange, while the AWS clients and the Secrets Manager
 * cache live across requests, as in a warm Lambda container.
 */
import { createAwsClients } from "../../lib/aws/clients.js";
import { SecretsManagerSource } from "../../lib/aws/secrets-source.js";
import { loadConfig } from "../../lib/config.js";
import { createLogger } from "../../lib/core/log.js";
import { createMonitor } from "../../lib/monitor.js";
import { serve } from "./ipc.js";

const clients = createAwsClients();
const secrets = new SecretsManagerSource(clients.secretsManager);
let logBytes = 0;
// JSON lines are built exactly as in the Lambda, then counted instead of written.
const log = createLogger({ sink: (line) => (logBytes += Buffer.byteLength(line) + 1) });

export interface ScalingRun {
  readonly wallMs: number;
  readonly accounts: number;
  readonly ok: number;
  readonly failed: number;
  readonly deferred: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly logBytes: number;
  /** CPU time (user + system) this process spent in the cycle. */
  readonly cpuMs: number;
}

serve(async (message) => {
  if (message.type !== "cycle") throw new Error(`unknown request ${String(message.type)}`);
  const config = loadConfig({
    ...process.env,
    BINANCE_BASE_URL: String(message.baseUrl),
    BINANCE_USDM_BASE_URL: String(message.baseUrl),
    BINANCE_SPOT_BASE_URL: String(message.baseUrl),
    BINANCE_PM_BASE_URL: String(message.baseUrl),
  });
  const monitor = createMonitor(config, clients, log, { secrets });
  logBytes = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const summary = await monitor.run({
    cycleTime: new Date(String(message.cycleTime)),
    deadlineMs: Date.now() + 55_000,
  });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const errors: Record<string, number> = {};
  for (const a of summary.accounts) {
    const kind = a.error?.kind ?? (a.problems[0] ? `problem:${a.problems[0].kind}` : undefined);
    if (kind) errors[kind] = (errors[kind] ?? 0) + 1;
  }
  const run: ScalingRun = {
    wallMs,
    accounts: summary.accounts.length,
    ok: summary.ok,
    failed: summary.failed,
    deferred: summary.deferred,
    errors,
    logBytes,
    cpuMs: (used.user + used.system) / 1000,
  };
  return run;
});

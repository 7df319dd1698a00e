/**
 * Child: one scheduled cycle of a sharded deployment. Each shard is a monitor of its own (its own
 * weight governor, as each shard is its own Lambda invocation under a Step Functions distributed
 * map) whose Binance requests leave from the shard's own loopback address, the stand-in for the
 * shard's static egress IP. Shards run at once; AWS clients and the secret cache are shared here
 * only to keep the child small (they hold no per-shard state that matters to the weight limit).
 */
import { createAwsClients } from "../../lib/aws/clients.js";
import { SecretsManagerSource } from "../../lib/aws/secrets-source.js";
import { type AccountConfig, loadConfig } from "../../lib/config.js";
import { createLogger } from "../../lib/core/log.js";
import { createMonitor } from "../../lib/monitor.js";
import { fetchFromAddress } from "../../sim/bound-fetch.js";
import { serve } from "./ipc.js";

const clients = createAwsClients();
const secrets = new SecretsManagerSource(clients.secretsManager);
const log = createLogger({ sink: () => {} });
const fetchers = new Map<string, typeof fetch>();

export interface ShardResult {
  readonly ip: string;
  readonly accounts: number;
  readonly ok: number;
  readonly deferred: number;
  readonly failed: number;
  readonly wallMs: number;
}

serve(async (message) => {
  if (message.type !== "cycle") throw new Error(`unknown request ${String(message.type)}`);
  const shards = message.shards as { ip: string; accounts: AccountConfig[] }[];
  const cycleTime = new Date(String(message.cycleTime));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(
    shards.map(async (shard): Promise<ShardResult> => {
      const config = loadConfig({
        ...process.env,
        BINANCE_BASE_URL: String(message.baseUrl),
        BINANCE_USDM_BASE_URL: String(message.baseUrl),
        BINANCE_PM_BASE_URL: String(message.baseUrl),
        ACCOUNTS: JSON.stringify(shard.accounts),
      });
      let fetcher = fetchers.get(shard.ip);
      if (!fetcher) {
        fetcher = fetchFromAddress(shard.ip);
        fetchers.set(shard.ip, fetcher);
      }
      const t0 = performance.now();
      const summary = await createMonitor(config, clients, log, { secrets, fetch: fetcher }).run({
        cycleTime,
        deadlineMs: Date.now() + 55_000,
      });
      return {
        ip: shard.ip,
        accounts: shard.accounts.length,
        ok: summary.ok,
        deferred: summary.deferred,
        failed: summary.failed,
        wallMs: performance.now() - t0,
      };
    }),
  );
  const used = process.cpuUsage(cpu);
  return { shards: results, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
});

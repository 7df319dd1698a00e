/**
 * Figure: sharding past one IP's weight limit (docs/scaling.md). Binance limits request weight
 * per IP (2,400 a minute), and every account read costs the same weight, so one egress IP reads a
 * bounded number of accounts a minute. The loopback exchange counts weight per client address;
 * each shard's requests leave from its own 127.0.0.x, the stand-in for a shard's static egress IP.
 *
 * 1. All accounts in one shard: the governor reads what fits and defers the rest, zero 429.
 * 2. The same accounts split into ceil(accounts / per-shard capacity) shards, the capacity taken
 *    from run 1's measured weight per account with 10% headroom: every account read, no IP over.
 */
import type { ShardResult } from "./children/sharding.js";
import { buildChild } from "./support/build.js";
import { startWorker } from "./support/proc.js";
import { startWorld } from "./support/world.js";

export const IP_WEIGHT_LIMIT = 2400;
/** Share of an IP's limit a shard plans to use: the rest absorbs retries and time syncs. */
export const SHARD_HEADROOM = 0.9;

export interface ShardingRun {
  readonly shards: number;
  readonly accounts: number;
  readonly ok: number;
  readonly deferred: number;
  readonly failed: number;
  readonly http429: number;
  /** Peak weight any one client IP used in the minute. */
  readonly peakWeightPerIp: number;
  readonly wallMs: number;
  readonly monitorCpuMs: number;
}

export interface ShardingFigure {
  readonly weightPerAccount: number;
  readonly accountsPerShard: number;
  readonly single: ShardingRun;
  readonly sharded: ShardingRun;
}

async function clearOfMinuteBoundary(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 6_000) await new Promise((r) => setTimeout(r, left + 50));
}

export async function measureSharding(
  options: { accounts?: number; latencyMs?: number } = {},
): Promise<ShardingFigure> {
  const total = options.accounts ?? 1000;
  const latencyMs = options.latencyMs ?? 20;
  const child = await buildChild("sharding");
  const world = await startWorld({ accounts: total });
  const accounts = world.accounts.map((a) => ({ name: a.name, secretId: a.secretId }));
  const worker = await startWorker(child, world.monitorEnv(1, "http://127.0.0.1:9"));
  let minute = 0;
  const run = async (groups: (typeof accounts)[]): Promise<ShardingRun> => {
    await clearOfMinuteBoundary();
    const { exchange, baseUrl } = await world.startExchange({
      accounts: total,
      latencyMs,
      weightLimit: IP_WEIGHT_LIMIT,
    });
    try {
      const shards = groups.map((g, i) => ({ ip: `127.0.0.${i + 2}`, accounts: g }));
      const out = await worker.request<{ shards: ShardResult[]; wallMs: number; cpuMs: number }>(
        { type: "cycle", baseUrl, cycleTime: new Date(Date.UTC(2026, 2, 1) + minute++ * 60_000).toISOString(), shards },
        120_000,
      );
      const sum = (k: "ok" | "deferred" | "failed") => out.shards.reduce((n, s) => n + s[k], 0);
      return {
        shards: groups.length,
        accounts: total,
        ok: sum("ok"),
        deferred: sum("deferred"),
        failed: sum("failed"),
        http429: exchange.requests.filter((r) => r.status === 429).length,
        peakWeightPerIp: Math.max(...shards.map((s) => exchange.usedWeight(s.ip))),
        wallMs: out.wallMs,
        monitorCpuMs: out.cpuMs,
      };
    } finally {
      await exchange.stop();
    }
  };
  try {
    // A first pass reads every secret (cold container); not measured.
    await run([accounts]);
    const single = await run([accounts]);
    const weightPerAccount = single.peakWeightPerIp / Math.max(1, single.ok);
    const accountsPerShard = Math.floor((SHARD_HEADROOM * IP_WEIGHT_LIMIT) / weightPerAccount);
    const groups: (typeof accounts)[] = [];
    for (let i = 0; i < total; i += accountsPerShard) groups.push(accounts.slice(i, i + accountsPerShard));
    const sharded = await run(groups);
    return { weightPerAccount, accountsPerShard, single, sharded };
  } finally {
    await worker.stop();
    await world.stop();
  }
}

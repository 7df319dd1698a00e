/**
 * The monthly cost model priced from the measured figures: 1, 10, 100 and 400 accounts in one
 * stack (400: one IP's Binance weight, infra/stack-limits.ts), and 1,000 and 10,000 in shards
 * behind their own IPs (docs/scaling.md).
 */
import { ACCOUNT_READ_WEIGHT } from "../../lib/binance/client.js";
import {
  ALL_FEATURES,
  awsDurationEstimate,
  DEFAULT_FEATURES,
  monthlyCost,
  NO_OPTIONAL_FEATURES,
  SHARED_SECRET_FEATURES,
  shardedMonthlyCost,
} from "../cost-model.js";
import { IP_WEIGHT_LIMIT, SHARD_HEADROOM } from "../sharding.js";
import type { Measured } from "./results.js";

export type CostRow = ReturnType<typeof monthlyCost>;
export interface CostPoint {
  accounts: number;
  /** cdk.json as shipped: one secret per account. */
  shipped: CostRow;
  /** As shipped, the accounts' keys in one secret. */
  shared: CostRow;
  /** The dearest: a MarginRatio metric per asset, customer-managed topic key, a secret each. */
  all: CostRow;
  lean: CostRow;
  /** As shipped, but with the per-asset EMF log volume measured before the lever. */
  perAssetLogs: CostRow;
  durationMs: number;
  measuredMs: number;
}

/** The measured usage both bills are priced from: log volume, capacity units and stored bytes for 3 assets in margin. */
export function measuredUsage(
  accounts: number,
  measured: NonNullable<Measured["cycle"]>,
  ttlDays: number,
  three: NonNullable<Measured["dynamo"]>["byAssets"][number],
) {
  return {
    activeAssets: 3,
    memoryMb: 256,
    logBytesPerCycle: measured.logBytesFixed + accounts * measured.logBytesPerAccount,
    logLinesPerCycle: measured.logLinesFixed + accounts * measured.logLinesPerAccount,
    writeUnitsPerAccountCycle: three.writeUnitsPerCycle,
    readUnitsPerAccountCycle: three.readUnitsPerCycle,
    storedBytesPerSnapshot: three.storedBytesPerSnapshot,
    ttlDays,
    dayOfHistoryReadUnits: three.dayOfHistoryReadUnits,
  };
}

// Every AWS account gets 3 dashboards free for good; the one this stack adds is normally one of
// them, so the targets are judged with it free and everything else at list price.
export const dashboardFree = (c: CostRow) =>
  c.total - (c.lines.find((l) => l.item.startsWith("CloudWatch dashboard"))?.usd ?? 0);

/** The bill at 1, 10, 100 and 400 accounts in each configuration; empty unless the cost figure was asked for. */
export function monthlyCosts(m: Measured): CostPoint[] {
  const { only, cycle, cyclePerAsset, scaling, dynamo } = m;
  const costs: CostPoint[] = [];
  if (!(only.has("cost") && cycle && scaling && dynamo)) return costs;
  const three = dynamo.byAssets.find((c) => c.activeAssets === 3);
  if (!three) throw new Error("no 3-asset cost figure");
  // The order matters to the report: [0] is 1 account and [2] is 100 (the levers table).
  for (const accounts of [1, 10, 100, 400]) {
    const point = scaling.points.find((p) => p.accounts === accounts);
    const cpuMs = accounts === 1 ? cycle.cpuMs : (point?.monitorCpuMs ?? cycle.cpuMs * accounts);
    const durationMs = awsDurationEstimate({ accounts, concurrency: point?.concurrency ?? 16, cpuMs, memoryMb: 256 });
    const inputs = {
      accounts,
      ...measuredUsage(accounts, cycle, dynamo.ttlDays, three),
      durationMs,
      alarms: 4,
    };
    const old = cyclePerAsset ?? cycle;
    costs.push({
      accounts,
      durationMs,
      measuredMs: accounts === 1 ? cycle.wallMs : (point?.wallMs ?? Number.NaN),
      shipped: monthlyCost({ ...inputs, features: DEFAULT_FEATURES }),
      shared: monthlyCost({ ...inputs, features: SHARED_SECRET_FEATURES }),
      all: monthlyCost({
        ...inputs,
        logBytesPerCycle: old.logBytesFixed + accounts * old.logBytesPerAccount,
        logLinesPerCycle: old.logLinesFixed + accounts * old.logLinesPerAccount,
        features: ALL_FEATURES,
      }),
      lean: monthlyCost({ ...inputs, features: NO_OPTIONAL_FEATURES }),
      perAssetLogs: monthlyCost({
        ...inputs,
        logBytesPerCycle: old.logBytesFixed + accounts * old.logBytesPerAccount,
        logLinesPerCycle: old.logLinesFixed + accounts * old.logLinesPerAccount,
        features: { ...DEFAULT_FEATURES, ratioMetrics: "per-asset" },
      }),
    });
  }
  return costs;
}

export interface ShardedCosts {
  readonly accountsPerShard: number;
  readonly shardDurationMs: number;
  readonly cpuPerAccount: number;
  readonly sharded: ReturnType<typeof shardedMonthlyCost>[];
}

/** The bill past one IP; undefined unless the cost figure was asked for and measured. */
export function shardedCosts(m: Measured): ShardedCosts | undefined {
  const { only, cycle, scaling, sharding, dynamo } = m;
  if (!(only.has("cost") && cycle && scaling && dynamo)) return undefined;
  const three = dynamo.byAssets.find((c) => c.activeAssets === 3);
  const hundred = scaling.points.find((p) => p.accounts === 100);
  const cpuPerAccount = hundred ? hundred.monitorCpuMs / 100 : cycle.cpuMs;
  const accountsPerShard =
    sharding?.accountsPerShard ?? Math.floor((SHARD_HEADROOM * IP_WEIGHT_LIMIT) / ACCOUNT_READ_WEIGHT);
  const shardDurationMs = awsDurationEstimate({
    accounts: accountsPerShard,
    concurrency: 16,
    cpuMs: accountsPerShard * cpuPerAccount,
    memoryMb: 256,
  });
  if (!three) return undefined;
  const sharded: ReturnType<typeof shardedMonthlyCost>[] = [];
  for (const accounts of [1000, 10_000]) {
    sharded.push(
      shardedMonthlyCost({
        accounts,
        accountsPerShard,
        shardDurationMs,
        ...measuredUsage(accounts, cycle, dynamo.ttlDays, three),
      }),
    );
  }
  return { accountsPerShard, shardDurationMs, cpuPerAccount, sharded };
}

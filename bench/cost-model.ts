/**
 * The monthly AWS bill, line by line, from the measured figures: Lambda duration and log bytes
 * from the cycle and scaling benchmarks, DynamoDB units and sizes from the item-size figure, and
 * the stack's settings (infra/: 256 MB arm64, 4 alarms, PITR on, 90-day TTL, 30-day log
 * retention, and the cost switches "ratioMetrics", "dashboard" and "alertTopicKey" in cdk.json, plus
 * whether the accounts' keys share one secret).
 */
import type { RatioMetrics } from "../lib/config.js";
import { GIB, HOURS_PER_MONTH, PRICES } from "./prices.js";

/** The stack's cost switches, by their cdk.json names (context "coinm-guard"). */
export interface Features {
  /** "ratioMetrics": MarginRatio custom metrics: none, one per account, or one per account and asset. */
  readonly ratioMetrics: RatioMetrics;
  /** "dashboard": the margin dashboard (Logs Insights widgets; no metric needed). */
  readonly dashboard: boolean;
  /**
   * "alertTopicKey": "customer-managed" instead of the default "aws-managed". The topic is
   * encrypted either way; only the customer-managed key costs money.
   */
  readonly customerManagedTopicKey: boolean;
  /** Accounts' keys kept as entries of one secret (`"secretName": "coinm-guard/keys#<account>"`). */
  readonly sharedSecret: boolean;
}

/** Every feature on, at its dearest: the configuration before issue 11's levers. */
export const ALL_FEATURES: Features = {
  ratioMetrics: "per-asset",
  dashboard: true,
  customerManagedTopicKey: true,
  sharedSecret: false,
};
/** cdk.json as shipped: alarms, dashboard (from the logs), one secret per account. */
export const DEFAULT_FEATURES: Features = {
  ratioMetrics: "off",
  dashboard: true,
  customerManagedTopicKey: false,
  sharedSecret: false,
};
/** As shipped, with the accounts' keys in one shared secret: the configuration for many accounts. */
export const SHARED_SECRET_FEATURES: Features = { ...DEFAULT_FEATURES, sharedSecret: true };
export const NO_OPTIONAL_FEATURES: Features = {
  ratioMetrics: "off",
  dashboard: false,
  customerManagedTopicKey: false,
  sharedSecret: true,
};

/** The switch that removes or changes a line, as it is written in cdk.json. */
export const SWITCH_SETTING: Readonly<Record<keyof Features, string>> = {
  ratioMetrics: '"ratioMetrics": "off"',
  dashboard: '"dashboard": false',
  customerManagedTopicKey: '"alertTopicKey": "aws-managed"',
  sharedSecret: '"secretName": "<secret>#<account>"',
};

/** HMAC keys (two 64-character strings and the account name) that fit in one 64 KB secret value. */
export const KEYS_PER_SHARED_SECRET = 400;

export interface CostInputs {
  readonly accounts: number;
  readonly activeAssets: number;
  readonly memoryMb: number;
  /** Billed duration of one invocation for this many accounts. */
  readonly durationMs: number;
  /** Bytes written to CloudWatch Logs per cycle by the handler (logs + EMF), platform lines excluded. */
  readonly logBytesPerCycle: number;
  readonly logLinesPerCycle: number;
  readonly writeUnitsPerAccountCycle: number;
  readonly readUnitsPerAccountCycle: number;
  readonly storedBytesPerSnapshot: number;
  readonly ttlDays: number;
  /** One day of one account's history read back per day (history CLI). */
  readonly dayOfHistoryReadUnits: number;
  readonly alarms: number;
  readonly features: Features;
}

/** Assumptions that are not measured here; the doc names each. */
export const ASSUMPTIONS = {
  cyclesPerMonth: HOURS_PER_MONTH * 60,
  /** Lambda recycles environments every few hours: say 6 cold starts a day. */
  coldStartsPerMonth: 6 * 30,
  /** START, END and REPORT lines Lambda writes per invocation (text format), about this many bytes. */
  platformBytesPerInvocation: 260,
  platformLinesPerInvocation: 3,
  /** CloudWatch Logs counts 26 bytes per event on top of the message (quota rule; used as the billing estimate). */
  perEventOverheadBytes: 26,
  /** Alerts published a month (each one SNS Publish and one email). */
  alertsPerMonth: 30,
  /** The dashboard opened this often a month over a one-day range; each open runs its 2 Logs Insights queries. */
  dashboardViewsPerMonth: 30,
};

/**
 * Billed duration in AWS, from what was measured here. Loopback hides the network: from eu-west-1
 * Binance (AWS Tokyo) is ~220 ms away, and at one run a minute every run opens a fresh TLS
 * connection (TCP + TLS 1.3 + request = 3 round trips); later rounds of accounts reuse it. CPU
 * measured on one full core here gets memory/1769 of a vCPU in Lambda.
 */
export const BINANCE_RTT_MS = 220;

export function awsDurationEstimate(input: {
  accounts: number;
  concurrency: number;
  cpuMs: number;
  memoryMb: number;
}): number {
  const rounds = Math.ceil(input.accounts / input.concurrency);
  const vcpu = Math.min(1, input.memoryMb / 1769);
  return (2 + rounds) * BINANCE_RTT_MS + input.cpuMs / vcpu;
}

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly usd: number;
  /** What the AWS always-free tier leaves of it (the account's other usage ignored). */
  readonly usdAfterFreeTier: number;
  /** The cdk.json switch that removes the line, if any. */
  readonly switch?: keyof Features;
}

export interface CostBreakdown {
  readonly accounts: number;
  readonly lines: readonly CostLine[];
  readonly total: number;
  readonly totalAfterFreeTier: number;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

export function monthlyCost(i: CostInputs): CostBreakdown {
  const p = PRICES;
  const a = ASSUMPTIONS;
  const cycles = a.cyclesPerMonth;
  const lines: CostLine[] = [];
  const add = (line: CostLine) =>
    lines.push({ ...line, usd: round(line.usd), usdAfterFreeTier: round(line.usdAfterFreeTier) });

  // Lambda bills duration rounded up to the millisecond.
  const gbSeconds = cycles * (Math.ceil(i.durationMs) / 1000) * (i.memoryMb / 1024);
  add({
    item: "Lambda duration (arm64)",
    detail: `${cycles.toLocaleString("en-US")} runs x ${Math.ceil(i.durationMs)} ms x ${i.memoryMb} MB = ${Math.round(gbSeconds).toLocaleString("en-US")} GB-s`,
    usd: gbSeconds * p.lambda.armGbSecond,
    usdAfterFreeTier: Math.max(0, gbSeconds - p.lambda.freeGbSeconds) * p.lambda.armGbSecond,
  });
  add({
    item: "Lambda requests",
    detail: `${cycles.toLocaleString("en-US")} invocations`,
    usd: (cycles / 1e6) * p.lambda.perMillionRequests,
    usdAfterFreeTier: (Math.max(0, cycles - p.lambda.freeRequests) / 1e6) * p.lambda.perMillionRequests,
  });

  const writes = cycles * i.accounts * i.writeUnitsPerAccountCycle;
  add({
    item: "DynamoDB writes (on-demand)",
    detail: `${i.writeUnitsPerAccountCycle} WRU per account and cycle (snapshot + state)`,
    usd: (writes / 1e6) * p.dynamodb.perMillionWrites,
    usdAfterFreeTier: (writes / 1e6) * p.dynamodb.perMillionWrites,
  });
  // The state is read (consistently) only when a container starts, or after another writer won:
  // warm cycles take it from the container's cache (lib/monitor/state-cache.ts).
  const stateReads = a.coldStartsPerMonth * i.accounts * i.readUnitsPerAccountCycle;
  const reads = stateReads + 30 * i.accounts * i.dayOfHistoryReadUnits;
  add({
    item: "DynamoDB reads (on-demand)",
    detail: `${i.readUnitsPerAccountCycle} RRU per account and cold start (state, consistent; cached while warm) + one day of history read daily`,
    usd: (reads / 1e6) * p.dynamodb.perMillionReads,
    usdAfterFreeTier: (reads / 1e6) * p.dynamodb.perMillionReads,
  });
  const tableGb = (i.accounts * i.ttlDays * 1440 * i.storedBytesPerSnapshot) / GIB;
  add({
    item: "DynamoDB storage",
    detail: `${i.ttlDays} days of snapshots kept (TTL) = ${(tableGb * 1024).toFixed(0)} MB`,
    usd: tableGb * p.dynamodb.storageGbMonth,
    usdAfterFreeTier: Math.max(0, tableGb - p.dynamodb.freeStorageGb) * p.dynamodb.storageGbMonth,
  });
  add({
    item: "DynamoDB PITR",
    detail: `continuous backups of ${(tableGb * 1024).toFixed(0)} MB`,
    usd: tableGb * p.dynamodb.pitrGbMonth,
    usdAfterFreeTier: tableGb * p.dynamodb.pitrGbMonth,
  });

  const secretCount = i.features.sharedSecret ? Math.ceil(i.accounts / KEYS_PER_SHARED_SECRET) : i.accounts;
  // One GetSecretValue per secret and cold start: accounts sharing a secret share the read.
  const secretCalls = a.coldStartsPerMonth * secretCount;
  const secrets = secretCount * p.secretsManager.perSecretMonth + (secretCalls / 10_000) * p.secretsManager.per10kCalls;
  add({
    item: "Secrets Manager",
    detail: `${secretCount} secret(s)${i.features.sharedSecret ? " holding every account's key" : ", one per account"}; ${secretCalls.toLocaleString("en-US")} GetSecretValue (cached per container, ~${a.coldStartsPerMonth} cold starts)`,
    usd: secrets,
    usdAfterFreeTier: secrets,
    switch: "sharedSecret",
  });
  add({
    item: "SNS",
    detail: `~${a.alertsPerMonth} alerts: Publish + email (SMS excluded)`,
    usd: (a.alertsPerMonth / 1e6) * p.sns.perMillionPublishes + (a.alertsPerMonth / 1e5) * p.sns.per100kEmails,
    usdAfterFreeTier: 0,
  });

  const events = i.logLinesPerCycle + a.platformLinesPerInvocation;
  const bytesPerCycle = i.logBytesPerCycle + a.platformBytesPerInvocation + events * a.perEventOverheadBytes;
  const logGb = (cycles * bytesPerCycle) / GIB;
  add({
    item: "CloudWatch Logs ingestion",
    detail: `${Math.round(bytesPerCycle).toLocaleString("en-US")} B per cycle = ${(logGb * 1024).toFixed(0)} MB`,
    usd: logGb * p.cloudwatch.logsIngestGb,
    usdAfterFreeTier: Math.max(0, logGb - p.cloudwatch.freeLogsGb) * p.cloudwatch.logsIngestGb,
  });
  add({
    item: "CloudWatch Logs storage",
    detail: "30-day retention, counted uncompressed (an upper bound)",
    usd: logGb * p.cloudwatch.logsStorageGbMonth,
    usdAfterFreeTier: logGb * p.cloudwatch.logsStorageGbMonth,
  });

  const ratioMetrics =
    i.features.ratioMetrics === "per-asset"
      ? i.accounts * i.activeAssets
      : i.features.ratioMetrics === "worst"
        ? i.accounts
        : 0;
  if (ratioMetrics > 0) {
    add({
      item: `Custom metrics: MarginRatio (${i.features.ratioMetrics})`,
      detail:
        i.features.ratioMetrics === "worst"
          ? `${i.accounts} account(s), one each`
          : `${i.accounts} account(s) x ${i.activeAssets} assets`,
      usd: ratioMetrics * p.cloudwatch.metricMonth,
      usdAfterFreeTier: Math.max(0, ratioMetrics - p.cloudwatch.freeMetrics) * p.cloudwatch.metricMonth,
      switch: "ratioMetrics",
    });
  }
  add({
    item: "CloudWatch alarms",
    detail: `${i.alarms} standard (Errors, Throttles, stopped on Lambda's metrics; schedule dead letters on SQS's): no custom metric`,
    usd: i.alarms * p.cloudwatch.alarmMonth,
    usdAfterFreeTier: Math.max(0, i.alarms - p.cloudwatch.freeAlarms) * p.cloudwatch.alarmMonth,
  });
  if (i.features.dashboard) {
    add({
      item: "CloudWatch dashboard",
      detail: "1 dashboard (free if it is one of the account's first 3)",
      usd: p.cloudwatch.dashboardMonth,
      usdAfterFreeTier: 0,
      switch: "dashboard",
    });
    // Each view runs the two Logs Insights widgets over a day of the function's logs.
    const scannedGb = a.dashboardViewsPerMonth * 2 * (logGb / 30);
    add({
      item: "Logs Insights (dashboard widgets)",
      detail: `${a.dashboardViewsPerMonth} views a month x 2 queries x one day of logs = ${(scannedGb * 1024).toFixed(0)} MB scanned`,
      usd: scannedGb * p.cloudwatch.logsInsightsGbScanned,
      usdAfterFreeTier: scannedGb * p.cloudwatch.logsInsightsGbScanned,
      switch: "dashboard",
    });
  }
  if (i.features.customerManagedTopicKey) {
    add({
      item: "KMS key for the topic",
      detail: "customer-managed key with yearly rotation ($1; each of the first two rotations adds $1)",
      usd: p.kms.keyMonth,
      usdAfterFreeTier: p.kms.keyMonth,
      switch: "customerManagedTopicKey",
    });
  } else {
    add({ item: "SNS topic encryption", detail: "AWS-managed key alias/aws/sns", usd: 0, usdAfterFreeTier: 0 });
  }
  // Alarm changes reach the topic through a relay function: a few invocations a month, in cents' thousandths.
  add({ item: "Alarm relay Lambda", detail: "invoked only when an alarm changes state", usd: 0, usdAfterFreeTier: 0 });
  const total = lines.reduce((n, l) => n + l.usd, 0);
  const totalAfterFreeTier = lines.reduce((n, l) => n + l.usdAfterFreeTier, 0);
  return { accounts: i.accounts, lines, total: round(total), totalAfterFreeTier: round(totalAfterFreeTier) };
}

/**
 * Past one IP (docs/scaling.md): accounts split into shards of `accountsPerShard`, each shard a
 * monitor function in its own subnet behind its own NAT instance and Elastic IP (its own Binance
 * weight budget), fanned out every minute by an Express Step Functions workflow (a Map state over
 * the shards). Per-account lines come from monthlyCost with the keys in shared secrets (one per
 * shard); each shard adds its NAT instance, its public IPv4 address and its three alarms.
 */
export interface ShardedInputs extends Omit<CostInputs, "accounts" | "durationMs" | "features" | "alarms"> {
  readonly accounts: number;
  readonly accountsPerShard: number;
  /** Billed duration of one shard's invocation. */
  readonly shardDurationMs: number;
}

export interface ShardedCost {
  readonly accounts: number;
  readonly shards: number;
  readonly lines: readonly CostLine[];
  readonly total: number;
  readonly perAccount: number;
}

export function shardedMonthlyCost(i: ShardedInputs): ShardedCost {
  const p = PRICES;
  const shards = Math.ceil(i.accounts / i.accountsPerShard);
  const base = monthlyCost({
    ...i,
    durationMs: i.shardDurationMs * shards,
    alarms: 4 * shards,
    features: { ...SHARED_SECRET_FEATURES, sharedSecret: true },
  });
  const lines: CostLine[] = base.lines.map((l) =>
    l.item === "Lambda duration (arm64)"
      ? {
          ...l,
          detail: `${shards} shard(s) x ${ASSUMPTIONS.cyclesPerMonth.toLocaleString("en-US")} runs x ${Math.ceil(i.shardDurationMs)} ms x ${i.memoryMb} MB`,
        }
      : l.item === "Lambda requests"
        ? {
            ...l,
            usd: l.usd * shards,
            detail: `${shards} x ${ASSUMPTIONS.cyclesPerMonth.toLocaleString("en-US")} invocations`,
          }
        : l,
  );
  const hours = HOURS_PER_MONTH;
  const nat = shards * hours * (p.ec2.t4gNanoHour + p.ec2.publicIpv4Hour);
  lines.push({
    item: "NAT instances + Elastic IPs",
    detail: `${shards} x (t4g.nano + public IPv4), one static egress IP per shard`,
    usd: round(nat),
    usdAfterFreeTier: round(nat),
  });
  const executions = ASSUMPTIONS.cyclesPerMonth;
  // The workflow waits for its shards: about the longest shard invocation, at 64 MB.
  const sfn =
    (executions / 1e6) * p.stepFunctions.expressPerMillion +
    executions * (i.shardDurationMs / 1000) * (64 / 1024) * p.stepFunctions.expressGbSecond;
  lines.push({
    item: "Step Functions (Express, Map over shards)",
    detail: `${executions.toLocaleString("en-US")} executions a month, each ~${Math.ceil(i.shardDurationMs / 1000)} s at 64 MB`,
    usd: round(sfn),
    usdAfterFreeTier: round(sfn),
  });
  const total = round(lines.reduce((n, l) => n + l.usd, 0));
  return { accounts: i.accounts, shards, lines, total, perAccount: round(total / i.accounts) };
}

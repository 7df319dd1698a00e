/**
 * Wires the cycle to real adapters. The Lambda handler and the local `run-once` command both
 * build their monitor here, so they run exactly the same code path.
 */

import { DynamoDbStore } from "./aws/dynamodb-store.js";
import type { AwsClients } from "./aws/lazy.js";
import { SecretsManagerSource } from "./aws/secrets-source.js";
import { SnsPublisher } from "./aws/sns-publisher.js";
import { BinanceClient } from "./binance/client.js";
import { WeightGovernor } from "./binance/common/weight-governor.js";
import type { MonitorConfig } from "./config.js";
import type { Logger } from "./core/log.js";
import { type CycleDeps, type CycleInput, type CycleSummary, runCycle } from "./monitor/cycle.js";
import type { AlertPublisher, SecretSource } from "./monitor/ports.js";
import { CachingStateStore } from "./monitor/state-cache.js";

export interface Monitor {
  run(input: CycleInput): Promise<CycleSummary>;
  /** A cycle of only these accounts (the adaptive cadence's re-reads, lib/monitor/cadence.ts). */
  runAccounts(accounts: readonly string[], input: CycleInput): Promise<CycleSummary>;
}

export interface MonitorOverrides {
  readonly fetch?: typeof fetch;
  readonly secrets?: SecretSource;
  readonly publisher?: AlertPublisher;
  readonly now?: () => number;
}

export function createMonitor(
  config: MonitorConfig,
  clients: AwsClients,
  log: Logger,
  overrides: MonitorOverrides = {},
): Monitor {
  // Lives as long as the container, so warm invocations share the IP's weight budget and any ban.
  const governor = new WeightGovernor({
    limit: config.weightLimitPerMinute,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const exchange = new BinanceClient({
    baseUrl: config.binanceBaseUrl,
    spotBaseUrl: config.binanceSpotBaseUrl,
    recvWindowMs: config.recvWindowMs,
    governor,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const store = new DynamoDbStore(clients.dynamodb, config.snapshotTable);
  const deps: CycleDeps = {
    secrets: overrides.secrets ?? new SecretsManagerSource(clients.secretsManager),
    exchange,
    keys: exchange,
    snapshots: store,
    // Lives as long as the container, like the governor: warm cycles skip the state read.
    state: new CachingStateStore(store),
    publisher: overrides.publisher ?? new SnsPublisher(clients.sns, config.alertTopicArn, config.alertLevels),
    log,
    ...(overrides.now ? { now: overrides.now } : {}),
  };
  return {
    run: (input) => runCycle(config, deps, input),
    runAccounts: (names, input) =>
      runCycle({ ...config, accounts: config.accounts.filter((a) => names.includes(a.name)) }, deps, input),
  };
}

/** The one summary line a cycle logs: counts plus, per account, status and any error. */
export function summaryLogFields(summary: CycleSummary): Record<string, unknown> {
  return {
    cycleTime: summary.cycleTime,
    accounts: summary.accounts.length,
    ok: summary.ok,
    failed: summary.failed,
    deferred: summary.deferred,
    alertsSent: summary.alertsSent,
    durationMs: summary.durationMs,
    problems: summary.accounts
      .filter((a) => a.error || a.problems.length > 0)
      .map((a) => ({ account: a.account, status: a.status, error: a.error, problems: a.problems })),
  };
}

/** Accounts whose alert state or alerts could not be persisted: the cycle did not tell the truth. */
export function incompleteAccounts(summary: CycleSummary): string[] {
  return summary.accounts
    .filter((a) => a.problems.some((p) => p.step === "alert-state" || p.step === "write-snapshot"))
    .map((a) => a.account);
}

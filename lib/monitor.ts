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
import { MarkPriceStream, type SocketFactory } from "./binance/stream/connection.js";
import type { MonitorConfig } from "./config.js";
import type { Logger } from "./core/log.js";
import { evaluateAccountLevels } from "./monitor/account-evaluation.js";
import { type CycleDeps, type CycleInput, type CycleSummary, runCycle } from "./monitor/cycle.js";
import { type MarkCheckResult, runMarkCheck } from "./monitor/mark-check.js";
import { type MarkWatchResult, type WatchedMark, watchAccounts } from "./monitor/mark-watch.js";
import { MarketCache } from "./monitor/market-cache.js";
import type { AlertPublisher, SecretSource } from "./monitor/ports.js";
import { MarkHistory } from "./monitor/reach.js";
import { CachingStateStore } from "./monitor/state-cache.js";

export interface Monitor {
  run(input: CycleInput): Promise<CycleSummary>;
  /** A cycle of only these accounts (the adaptive cadence's re-reads, lib/monitor/cadence.ts). */
  runAccounts(accounts: readonly string[], input: CycleInput): Promise<CycleSummary>;
  /**
   * After a scheduled cycle: watch the accounts at risk or within reach until the watch stops,
   * re-reading the at-risk ones and judging every mark of the stream (lib/monitor/mark-watch.ts).
   */
  watch(input: WatchInput): Promise<MarkWatchResult>;
}

export interface WatchInput extends CycleInput {
  readonly first: CycleSummary;
  readonly onReread?: (summary: CycleSummary) => void;
  readonly onMarkCheck?: (result: MarkCheckResult, mark: WatchedMark) => void;
}

export interface MonitorOverrides {
  readonly fetch?: typeof fetch;
  readonly secrets?: SecretSource;
  readonly publisher?: AlertPublisher;
  readonly now?: () => number;
  /** The stream's WebSocket (tests); null: none. @default the runtime's */
  readonly socket?: SocketFactory | null;
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
    usdmBaseUrl: config.binanceUsdmBaseUrl,
    pmBaseUrl: config.binancePmBaseUrl,
    // Portfolio Margin counts its own weight (papi), so PM reads never take COIN-M's budget.
    pmGovernor: new WeightGovernor({
      limit: config.pmWeightLimitPerMinute,
      ...(overrides.now ? { now: overrides.now } : {}),
    }),
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
    usdm: exchange,
    snapshots: store,
    // Lives as long as the container, like the governor: warm cycles skip the state read.
    state: new CachingStateStore(store),
    publisher: overrides.publisher ?? new SnsPublisher(clients.sns, config.alertTopicArn, config.alertLevels),
    log,
    ...(overrides.now ? { now: overrides.now } : {}),
  };
  const runAccounts = (names: readonly string[], input: CycleInput) =>
    runCycle({ ...config, accounts: config.accounts.filter((a) => names.includes(a.name)) }, deps, input);
  // Both live as long as the container: recent marks for the watch rule, contract sizes and brackets.
  const history = new MarkHistory();
  const market = new MarketCache(
    {
      contractSizes: (deadlineMs) => exchange.getContractSizes(deadlineMs),
      brackets: async (name, deadlineMs) => {
        const account = config.accounts.find((a) => a.name === name);
        if (!account) throw new Error(`unknown account ${name}`);
        const credentials = await deps.secrets.getCredentials(account.secretId);
        return exchange.getBrackets(credentials, deadlineMs, log.child({ account: name }));
      },
    },
    log,
  );
  // A connection silent for half a fast poll is replaced: 2.5 s at least (marks come every second),
  // 5 s at most (and with re-reads off).
  const fastPollMs = config.fastPollSeconds * 1000;
  const staleMs = fastPollMs > 0 ? Math.min(5000, Math.max(2500, fastPollMs / 2)) : 5000;
  const openStream = config.markStream
    ? (symbols: readonly string[], onMark: (mark: WatchedMark) => void) =>
        new MarkPriceStream({
          origin: config.binanceStreamUrl,
          symbols,
          onMark,
          log,
          staleMs,
          ...(overrides.socket !== undefined ? { socket: overrides.socket } : {}),
          ...(overrides.now ? { now: overrides.now } : {}),
        })
    : undefined;
  return {
    run: (input) => runCycle(config, deps, input),
    runAccounts,
    watch: (input) =>
      watchAccounts({
        first: input.first,
        cycleTime: input.cycleTime,
        deadlineMs: input.deadlineMs,
        settings: {
          fastPollMs: config.fastPollSeconds * 1000,
          intervalMs: config.scheduleIntervalSeconds !== undefined ? config.scheduleIntervalSeconds * 1000 : undefined,
        },
        reread: runAccounts,
        ...(input.onReread ? { onReread: input.onReread } : {}),
        ...(input.onMarkCheck ? { onMarkCheck: input.onMarkCheck } : {}),
        checkMarks: (account, pools, basedOn, at) => runMarkCheck(config, deps, at, account, pools, basedOn),
        levelsFor: (account, pool) => evaluateAccountLevels(config, account, pool),
        market,
        history,
        ...(openStream ? { openStream } : {}),
        log,
        ...(overrides.now ? { now: overrides.now } : {}),
      }),
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
      .filter((a) => a.error || a.usdmError || a.problems.length > 0)
      .map((a) => ({
        account: a.account,
        status: a.status,
        error: a.error,
        ...(a.usdmError ? { usdmError: a.usdmError } : {}),
        problems: a.problems,
      })),
  };
}

/** Accounts whose alert state or alerts could not be persisted: the cycle did not tell the truth. */
export function incompleteAccounts(summary: CycleSummary): string[] {
  return summary.accounts
    .filter((a) => a.problems.some((p) => p.step === "alert-state" || p.step === "write-snapshot"))
    .map((a) => a.account);
}

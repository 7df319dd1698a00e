/**
 * The fault rig: the integration harness (dynalite, loopback exchange, SNS and Secrets Manager
 * stand-ins) plus a DynamoDB fault proxy in front of dynalite, and monitors wired exactly like
 * `createMonitor` (same adapters, same cycle) but with short Binance backoff and timeouts and
 * SDK clients whose retries back off in milliseconds, so fault tests exercise behaviour without
 * waiting on production timings.
 */
import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type PublishCommandInput, SNSClient, SNSServiceException } from "@aws-sdk/client-sns";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { SdkClients } from "../../../lib/aws/clients.js";
import { DynamoDbStore } from "../../../lib/aws/dynamodb-store.js";
import { SecretsManagerSource } from "../../../lib/aws/secrets-source.js";
import { SnsPublisher } from "../../../lib/aws/sns-publisher.js";
import { BinanceClient, type BinanceClientOptions } from "../../../lib/binance/client.js";
import { WeightGovernor } from "../../../lib/binance/common/weight-governor.js";
import type { MonitorConfig } from "../../../lib/config.js";
import type { Logger } from "../../../lib/core/log.js";
import { type CycleDeps, type CycleSummary, runCycle } from "../../../lib/monitor/cycle.js";
import type {
  AccountSource,
  AlertPublisher,
  AlertStateStore,
  SecretSource,
  SnapshotStore,
} from "../../../lib/monitor/ports.js";
import type { Snapshot } from "../../../lib/monitor/snapshot.js";
import { type RunningDynalite, startDynalite } from "../../../sim/dynalite.js";
import { snsPublishProblem as snsRules } from "../../../sim/sns-rules.js";
import { type Harness, publishedAlerts, startHarness, type TestKey } from "../../support/harness.js";
import { DynamoFaultProxy } from "./dynamo-fault-proxy.js";

/** Attempts every rig SDK client makes per call (the first included), as the SDK's standard mode counts them. */
export const SDK_ATTEMPTS = 3;
const LOOPBACK_CREDENTIALS = { accessKeyId: "loopback", secretAccessKey: "loopback" };

/** Binance client settings for behaviour tests: milliseconds of backoff instead of seconds. */
export const FAST_BINANCE: Partial<BinanceClientOptions> = {
  backoffBaseMs: 5,
  backoffCapMs: 20,
  requestTimeoutMs: 2000,
  maxAttempts: 3,
};

/** One dynalite and one fault proxy per test file; every rig gets its own table behind them. */
export interface FaultBackend {
  readonly dynalite: RunningDynalite;
  readonly proxy: DynamoFaultProxy;
  stop(): Promise<void>;
}

export async function startFaultBackend(): Promise<FaultBackend> {
  const dynalite = await startDynalite();
  const proxy = new DynamoFaultProxy(dynalite.endpoint);
  await proxy.start();
  return {
    dynalite,
    proxy,
    async stop() {
      await proxy.stop();
      await dynalite.stop();
    },
  };
}

export interface RigMonitorOptions {
  readonly env?: Record<string, string>;
  readonly binance?: Partial<Omit<BinanceClientOptions, "baseUrl" | "governor" | "recvWindowMs">>;
  /** Replace one port (the rest stay the real adapters). */
  readonly secrets?: SecretSource;
  readonly exchange?: AccountSource;
  readonly snapshots?: SnapshotStore;
  readonly state?: AlertStateStore;
  readonly publisher?: AlertPublisher;
  readonly log?: Logger;
  /** The weight governor's clock, so a test can let a ban or Retry-After run out without waiting. */
  readonly governorNow?: () => number;
  /** The cycle's wall clock (alert holds, durations), so a test can let a hold run out without waiting. */
  readonly now?: () => number;
}

/** A "container": its own secret cache, weight governor and Binance clock offset, like a warm Lambda. */
export interface RigMonitor {
  readonly config: MonitorConfig;
  readonly deps: CycleDeps;
  readonly governor: WeightGovernor;
  run(cycleTime: Date, deadlineMs?: number): Promise<CycleSummary>;
}

export interface Rig {
  readonly h: Harness;
  readonly proxy: DynamoFaultProxy;
  /** The monitor's SDK clients (DynamoDB through the fault proxy), with millisecond retry backoff. */
  readonly clients: SdkClients;
  /** Every AWS API action the monitor's clients called, as IAM names it ("dynamodb:PutItem"). */
  readonly awsCalls: Set<string>;
  /** Straight to dynalite, never faulted: for reading what was really stored. */
  readonly inspect: DynamoDBClient;
  readonly inspectStore: DynamoDbStore;
  monitor(options?: RigMonitorOptions): RigMonitor;
  snapshots(account: string): Promise<Snapshot[]>;
  /** Every raw item in this rig's table. */
  items(): Promise<Array<Record<string, AttributeValue>>>;
  /** Alerts the SNS stand-in accepted, decoded from the "default" body. */
  alerts(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

function fastRetry() {
  return new ConfiguredRetryStrategy(SDK_ATTEMPTS, (attempt: number) => 2 * attempt);
}

export async function startRig(
  backend: FaultBackend,
  options: {
    keys: readonly TestKey[];
    account: Parameters<typeof startHarness>[0]["account"];
    exchange?: Parameters<typeof startHarness>[0]["exchange"];
  },
): Promise<Rig> {
  const h = await startHarness({
    keys: options.keys,
    account: options.account,
    ...(options.exchange ? { exchange: options.exchange } : {}),
    // The harness (table creation, its own store) also goes through the proxy; rules are armed per test.
    dynamo: { endpoint: backend.proxy.endpoint, stop: async () => {} },
  });
  // Each client gets its own strategy: the SDK keeps a retry quota per strategy instance.
  const common = { region: "eu-west-1", credentials: LOOPBACK_CREDENTIALS };
  const clients: SdkClients = {
    dynamodb: new DynamoDBClient({ ...common, retryStrategy: fastRetry(), endpoint: backend.proxy.endpoint }),
    sns: new SNSClient({ ...common, retryStrategy: fastRetry(), endpoint: h.aws.endpoint }),
    secretsManager: new SecretsManagerClient({ ...common, retryStrategy: fastRetry(), endpoint: h.aws.endpoint }),
  };
  enforceSnsConstraints(clients.sns);
  const awsCalls = new Set<string>();
  recordCalls(clients.dynamodb, "dynamodb", awsCalls);
  recordCalls(clients.sns, "sns", awsCalls);
  recordCalls(clients.secretsManager, "secretsmanager", awsCalls);
  const inspect = new DynamoDBClient({
    region: "eu-west-1",
    credentials: LOOPBACK_CREDENTIALS,
    endpoint: backend.dynalite.endpoint,
  });
  const inspectStore = new DynamoDbStore(inspect, h.tableName);

  const monitor = (opts: RigMonitorOptions = {}): RigMonitor => {
    const config = h.config(opts.env);
    const governor = new WeightGovernor({
      limit: config.weightLimitPerMinute,
      ...(opts.governorNow ? { now: opts.governorNow } : {}),
    });
    const exchange =
      opts.exchange ??
      new BinanceClient({
        baseUrl: config.binanceBaseUrl,
        spotBaseUrl: config.binanceSpotBaseUrl,
        pmBaseUrl: config.binancePmBaseUrl,
        recvWindowMs: config.recvWindowMs,
        governor,
        ...FAST_BINANCE,
        ...opts.binance,
      });
    const store = new DynamoDbStore(clients.dynamodb, config.snapshotTable);
    const deps: CycleDeps = {
      secrets: opts.secrets ?? new SecretsManagerSource(clients.secretsManager),
      exchange,
      // The daily key check runs with the real client (a scripted exchange has no spot API).
      ...(exchange instanceof BinanceClient ? { keys: exchange } : {}),
      snapshots: opts.snapshots ?? store,
      state: opts.state ?? store,
      publisher: opts.publisher ?? new SnsPublisher(clients.sns, config.alertTopicArn, config.alertLevels),
      log: opts.log ?? h.log,
      ...(opts.now ? { now: opts.now } : {}),
    };
    return {
      config,
      deps,
      governor,
      run: (cycleTime, deadlineMs) =>
        runCycle(config, deps, { cycleTime, deadlineMs: deadlineMs ?? (opts.now ?? Date.now)() + 20_000 }),
    };
  };

  return {
    h,
    proxy: backend.proxy,
    clients,
    awsCalls,
    inspect,
    inspectStore,
    monitor,
    async snapshots(account) {
      const out: Snapshot[] = [];
      for await (const s of inspectStore.querySnapshots(account, { fromIso: "0000", toIso: "9999" })) out.push(s);
      return out;
    },
    async items() {
      const out: Array<Record<string, AttributeValue>> = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await inspect.send(
          new ScanCommand({ TableName: h.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        out.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },
    alerts: () => publishedAlerts(h.aws),
    async stop() {
      backend.proxy.clear();
      for (const c of [...Object.values(clients), inspect]) c.destroy();
      await h.stop();
    },
  };
}

/**
 * What SNS itself refuses with InvalidParameter (a permanent failure the SDK does not retry):
 * one rule set (sim/sns-rules.ts) shared with the loopback SNS stand-in, checked here on every
 * Publish the rig's client sends as well.
 */
export function snsPublishProblem(input: PublishCommandInput): string | undefined {
  return snsRules(input);
}

/** Record each command a client sends, before any retry, under its IAM action name. */
function recordCalls(
  client: DynamoDBClient | SNSClient | SecretsManagerClient,
  service: string,
  into: Set<string>,
): void {
  // The three clients' middleware stacks differ only in their input/output unions.
  (client.middlewareStack as SNSClient["middlewareStack"]).add(
    (next, context) => async (args) => {
      into.add(`${service}:${String(context.commandName).replace(/Command$/, "")}`);
      return next(args);
    },
    { step: "initialize", name: "recordCalls" },
  );
}

function enforceSnsConstraints(sns: SNSClient): void {
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      const problem =
        context.commandName === "PublishCommand" ? snsPublishProblem(args.input as PublishCommandInput) : undefined;
      if (problem) {
        throw new SNSServiceException({
          name: "InvalidParameterException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
          message: `Invalid parameter: ${problem}`,
        });
      }
      return next(args);
    },
    { step: "initialize", name: "snsPublishConstraints" },
  );
}

/** `notice@failures` for health alerts and `notice:from->to` for margin alerts, in publish order. */
export function alertTrail(alerts: ReadonlyArray<Record<string, unknown>>): string[] {
  return alerts.map((a) =>
    a.type === "health"
      ? `${String(a.account)} ${String(a.notice)}@${String(a.failures)}`
      : `${String(a.account)} ${String(a.asset)} ${String(a.notice)}:${String(a.previousLevel)}->${String(a.level)}`,
  );
}

/** Log lines as objects (the harness captures them as JSON strings). */
export function logRecords(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

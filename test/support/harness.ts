/**
 * Integration harness: dynalite, the loopback exchange and the loopback SNS / Secrets Manager
 * stand-ins, with real AWS SDK clients pointed at them. Each harness gets its own table.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import type { SdkClients } from "../../lib/aws/clients.js";
import { DynamoDbStore } from "../../lib/aws/dynamodb-store.js";
import { loadConfig, type MonitorConfig } from "../../lib/config.js";
import { createLogger, type Logger } from "../../lib/core/log.js";
import type { CycleSummary } from "../../lib/monitor/cycle.js";
import { createMonitor, type Monitor, type MonitorOverrides } from "../../lib/monitor.js";
import { AwsStandIns } from "../../sim/aws-standins.js";
import { ensureTable, type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { type ExchangeOptions, LoopbackExchange } from "../../sim/exchange/exchange.js";
import type { ExchangeKey } from "../../sim/exchange/signature.js";
import { MarkStreamServer } from "../../sim/mark-stream.js";

export const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:coinm-guard-alerts";
const TEST_CREDENTIALS = { accessKeyId: "loopback", secretAccessKey: "loopback" };

export interface TestKey {
  readonly name: string;
  readonly secretId: string;
  readonly exchangeKey: ExchangeKey;
  /** The JSON stored in the secret. */
  readonly secretValue: string;
}

/** An HMAC key with distinctive, random values. */
export function hmacKey(name: string): TestKey {
  const apiKey = `K${randomBytes(31).toString("hex")}`;
  const apiSecret = `S${randomBytes(31).toString("hex")}`;
  return {
    name,
    secretId: `coinm-guard/${name}`,
    exchangeKey: { type: "hmac", apiKey, apiSecret },
    secretValue: JSON.stringify({ apiKey, apiSecret }),
  };
}

export function asymmetricKey(name: string, type: "rsa" | "ed25519"): TestKey {
  const pair = type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ed25519");
  const apiKey = `K${randomBytes(31).toString("hex")}`;
  return {
    name,
    secretId: `coinm-guard/${name}`,
    exchangeKey: { type, apiKey, publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString() },
    secretValue: JSON.stringify({
      apiKey,
      privateKey: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    }),
  };
}

export interface Harness {
  readonly exchange: LoopbackExchange;
  /** The mark price stream host, publishing the engine's marks (none for scripted bodies). */
  readonly stream: MarkStreamServer;
  readonly aws: AwsStandIns;
  readonly clients: SdkClients;
  readonly store: DynamoDbStore;
  readonly tableName: string;
  readonly baseUrl: string;
  readonly dynamoEndpoint: string;
  readonly logLines: string[];
  readonly log: Logger;
  config(env?: Record<string, string>): MonitorConfig;
  monitor(env?: Record<string, string>, overrides?: MonitorOverrides): Monitor;
  /** Run one cycle at `cycleTime` with a fresh monitor unless one is given. */
  cycle(cycleTime: Date, monitor?: Monitor): Promise<CycleSummary>;
  stop(): Promise<void>;
}

let tableCounter = 0;

export async function startHarness(options: {
  keys: readonly TestKey[];
  account: ExchangeOptions["account"];
  exchange?: Partial<Omit<ExchangeOptions, "keys" | "account">>;
  dynamo?: RunningDynalite;
  /** Time between the stream's marks. @default 1000 */
  streamIntervalMs?: number;
}): Promise<Harness> {
  const exchange = new LoopbackExchange({
    keys: options.keys.map((k) => k.exchangeKey),
    account: options.account,
    ...options.exchange,
  });
  const aws = new AwsStandIns();
  const engine = options.exchange?.engine as { mark?: (symbol: string) => number | undefined } | undefined;
  const stream = new MarkStreamServer({
    marks: (symbol) => engine?.mark?.(symbol),
    intervalMs: options.streamIntervalMs ?? 1000,
  });
  const [baseUrl, awsEndpoint, dynamo, streamUrl] = await Promise.all([
    exchange.start(),
    aws.start(),
    options.dynamo ? Promise.resolve(options.dynamo) : startDynalite(),
    stream.start(),
  ]);
  for (const key of options.keys) aws.putSecret(key.secretId, key.secretValue);
  const common = { region: "eu-west-1", credentials: TEST_CREDENTIALS, maxAttempts: 2 };
  const clients: SdkClients = {
    dynamodb: new DynamoDBClient({ ...common, endpoint: dynamo.endpoint }),
    sns: new SNSClient({ ...common, endpoint: awsEndpoint }),
    secretsManager: new SecretsManagerClient({ ...common, endpoint: awsEndpoint }),
  };
  const tableName = `coinm-guard-test-${process.pid}-${++tableCounter}`;
  await ensureTable(clients.dynamodb, tableName);
  const store = new DynamoDbStore(clients.dynamodb, tableName);
  const logLines: string[] = [];
  const log = createLogger({ level: "debug", sink: (line) => logLines.push(line) });
  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      SNAPSHOT_TABLE: tableName,
      ALERT_TOPIC_ARN: TOPIC_ARN,
      ACCOUNTS: JSON.stringify(options.keys.map((k) => ({ name: k.name, secretId: k.secretId }))),
      BINANCE_BASE_URL: baseUrl,
      BINANCE_USDM_BASE_URL: baseUrl,
      BINANCE_SPOT_BASE_URL: baseUrl,
      BINANCE_STREAM_URL: streamUrl,
      BINANCE_PM_BASE_URL: baseUrl,
      ...env,
    });
  const monitor = (env?: Record<string, string>, overrides?: MonitorOverrides) =>
    createMonitor(config(env), clients, log, overrides);
  return {
    exchange,
    stream,
    aws,
    clients,
    store,
    tableName,
    baseUrl,
    dynamoEndpoint: dynamo.endpoint,
    logLines,
    log,
    config,
    monitor,
    cycle: (cycleTime, m) => (m ?? monitor()).run({ cycleTime, deadlineMs: Date.now() + 20_000 }),
    async stop() {
      for (const c of Object.values(clients)) c.destroy();
      await Promise.all([
        exchange.stop(),
        stream.stop(),
        aws.stop(),
        options.dynamo ? Promise.resolve() : dynamo.stop(),
      ]);
    },
  };
}

/** Decode what the SNS stand-in received into the alert objects (the "default" body). */
export function publishedAlerts(aws: AwsStandIns): Array<Record<string, unknown>> {
  return aws.published.map(
    (p) => JSON.parse((JSON.parse(p.message) as { default: string }).default) as Record<string, unknown>,
  );
}

/** Cycle times one minute apart, as EventBridge would deliver them. */
export function minute(n: number, start = Date.UTC(2026, 10, 24, 12, 0, 0)): Date {
  return new Date(start + n * 60_000);
}

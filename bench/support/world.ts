/**
 * Everything the monitor talks to, on loopback in the bench process: dynalite for DynamoDB, the
 * loopback exchange for Binance, the SNS / Secrets Manager stand-ins. The monitor under test runs
 * in a child process, so these servers never share its event loop (as with the real services).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import type { SdkClients } from "../../lib/aws/clients.js";
import { AwsStandIns } from "../../sim/aws-standins.js";
import { ensureTable, type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { UsdmEngine } from "../../sim/engine/usdm/engine.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { BENCH_USDM_BOOK, type BenchAccount, benchAccount, realisticAccountBody } from "./fixtures.js";

export const BENCH_TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:coinm-guard-alerts";
const LOOPBACK_CREDENTIALS = { accessKeyId: "loopback", secretAccessKey: "loopback" };

export interface World {
  readonly dynamo: RunningDynalite;
  readonly db: DynamoDBClient;
  readonly aws: AwsStandIns;
  readonly tableName: string;
  readonly accounts: readonly BenchAccount[];
  /** A fresh exchange (empty weight window) knowing the first `accounts` keys. */
  startExchange(options: {
    accounts: number;
    latencyMs: number;
    weightLimit?: number;
    activeAssets?: number;
    /** Each account holds BENCH_USDM_BOOK on USD-M. @default false (an empty USD-M book) */
    usdmBook?: boolean;
  }): Promise<{
    exchange: LoopbackExchange;
    baseUrl: string;
  }>;
  /** SDK clients pointed at the loopback services, for an in-process monitor. */
  clients(): SdkClients;
  /** The Lambda's environment for a child monitor of the first `accounts` accounts. */
  monitorEnv(accounts: number, baseUrl: string, extra?: Record<string, string>): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startWorld(options: { accounts: number; tableName?: string }): Promise<World> {
  const accounts = Array.from({ length: options.accounts }, (_, i) => benchAccount(i + 1));
  const aws = new AwsStandIns();
  const [dynamo] = await Promise.all([startDynalite(), aws.start()]);
  for (const a of accounts) aws.putSecret(a.secretId, a.secretValue);
  const db = new DynamoDBClient({ region: "eu-west-1", endpoint: dynamo.endpoint, credentials: LOOPBACK_CREDENTIALS });
  const tableName = options.tableName ?? "coinm-guard-bench";
  await ensureTable(db, tableName);
  const exchanges: LoopbackExchange[] = [];
  return {
    dynamo,
    db,
    aws,
    tableName,
    accounts,
    async startExchange({ accounts: count, latencyMs, weightLimit, activeAssets = 3, usdmBook = false }) {
      const body = realisticAccountBody(activeAssets);
      const keys = accounts.slice(0, count).map((a) => a.key);
      const exchange = new LoopbackExchange({
        keys,
        account: () => body,
        ...(usdmBook ? { usdmEngine: new UsdmEngine(keys.map((k) => [k.apiKey, BENCH_USDM_BOOK] as const)) } : {}),
        latencyMs,
        ...(weightLimit !== undefined ? { weightLimit } : {}),
      });
      exchanges.push(exchange);
      return { exchange, baseUrl: await exchange.start() };
    },
    clients() {
      const common = { region: "eu-west-1", credentials: LOOPBACK_CREDENTIALS };
      return {
        dynamodb: new DynamoDBClient({ ...common, endpoint: dynamo.endpoint }),
        sns: new SNSClient({ ...common, endpoint: aws.endpoint }),
        secretsManager: new SecretsManagerClient({ ...common, endpoint: aws.endpoint }),
      };
    },
    monitorEnv(count, baseUrl, extra = {}) {
      return {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: LOOPBACK_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOOPBACK_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SNS: aws.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        SNAPSHOT_TABLE: tableName,
        ALERT_TOPIC_ARN: BENCH_TOPIC_ARN,
        ACCOUNTS: JSON.stringify(accounts.slice(0, count).map((a) => ({ name: a.name, secretId: a.secretId }))),
        BINANCE_BASE_URL: baseUrl,
        BINANCE_USDM_BASE_URL: baseUrl,
        BINANCE_SPOT_BASE_URL: baseUrl,
        // Scripted bodies carry no marks to stream; a figure that streams turns it on (bench/latency.ts).
        MARK_STREAM: "off",
        BINANCE_PM_BASE_URL: baseUrl,
        ...extra,
      };
    },
    async stop() {
      db.destroy();
      await Promise.all([...exchanges.map((e) => e.stop()), aws.stop(), dynamo.stop()]);
    },
  };
}

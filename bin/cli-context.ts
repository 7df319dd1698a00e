/**
 * What the history / status / put-secret commands need from the outside world, injectable so
 * tests hand in their own streams, clock and clients; and where they read from: the deployed
 * stack (found by its CloudFormation outputs), an explicit --table, or the local demo's store.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { DEFAULT_STACK_NAME, describeAwsError, readStackOutputs, type StackOutputs } from "../lib/aws/stack-outputs.js";
import type { OutStream } from "./output.js";

export interface InStream extends AsyncIterable<Buffer | string> {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding?(encoding: BufferEncoding): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  off(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

export interface CliAwsClients {
  readonly dynamodb: () => DynamoDBClient;
  /** Async: the CloudFormation SDK is loaded only when the stack's outputs are needed. */
  readonly cloudformation: () => Promise<CloudFormationClient>;
  readonly secretsManager: () => SecretsManagerClient;
  /** SNS, for test-alert and status's subscription list; absent in fakes that do not need it. */
  readonly sns?: () => SNSClient;
  /** Close every client created. */
  destroy(): void;
}

export type AwsClientFactory = (options: { region?: string; profile?: string }) => CliAwsClients;

/** The local demo's DynamoDB (dynalite on .demo-data/), opened for reading and closed after. */
export interface DemoStore {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly accounts: readonly string[];
  /** The demo's default cycle interval. */
  readonly intervalMs: number;
  close(): Promise<void>;
}

export interface CliDeps {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: InStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  readonly aws: AwsClientFactory;
  openDemo(): Promise<DemoStore>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
}

/** Lazily created SDK clients on the default credential chain, with --region / --profile. */
export const defaultAwsClients: AwsClientFactory = (options) => {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: 4,
  };
  let dynamodb: DynamoDBClient | undefined;
  let cloudformation: Promise<CloudFormationClient> | undefined;
  let secretsManager: SecretsManagerClient | undefined;
  let sns: SNSClient | undefined;
  return {
    dynamodb: () => (dynamodb ??= new DynamoDBClient(config)),
    cloudformation: () =>
      (cloudformation ??= import("@aws-sdk/client-cloudformation").then((m) => new m.CloudFormationClient(config))),
    secretsManager: () => (secretsManager ??= new SecretsManagerClient(config)),
    sns: () => (sns ??= new SNSClient(config)),
    destroy() {
      sns?.destroy();
      dynamodb?.destroy();
      void cloudformation?.then((c) => c.destroy());
      secretsManager?.destroy();
    },
  };
};

/** Start dynalite on the demo's data folder with loopback credentials; fails helpfully if there is none. */
export async function openDemoStore(): Promise<DemoStore> {
  // Imported lazily: only --demo needs dynalite and the simulator's settings.
  const { DEMO_ACCOUNTS, DEMO_DATA_DIR, DEMO_INTERVAL_MS, DEMO_TABLE, DEMO_REGION, useLoopbackAws } = await import(
    "../sim/demo-store.js"
  );
  if (!existsSync(DEMO_DATA_DIR)) {
    throw new Error(`no demo data in ${DEMO_DATA_DIR}: run \`npm start\` first (from the project folder)`);
  }
  const { startDynalite } = await import("../sim/dynalite.js");
  const dynalite = await startDynalite({ path: DEMO_DATA_DIR });
  useLoopbackAws({ dynamodb: dynalite.endpoint });
  const dynamodb = new DynamoDBClient({ region: DEMO_REGION, maxAttempts: 1 });
  const close = async () => {
    dynamodb.destroy();
    await dynalite.stop();
  };
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: DEMO_TABLE }));
  } catch (err) {
    await close();
    const name = err instanceof Error ? err.name : "";
    const message = err instanceof Error ? err.message : String(err);
    if (name === "ResourceNotFoundException")
      throw new Error("the demo has not written any snapshots yet: run `npm start` first");
    if (/lock/i.test(message))
      throw new Error("the demo's data is in use: wait for `npm start` to finish, then try again");
    throw new Error(`cannot open the demo's data: ${message.split("\n")[0]}`);
  }
  return { dynamodb, tableName: DEMO_TABLE, accounts: DEMO_ACCOUNTS, intervalMs: DEMO_INTERVAL_MS, close };
}

export function defaultCliDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => new Date(),
    aws: defaultAwsClients,
    openDemo: openDemoStore,
    writeFile: (path, data) => writeFile(path, data),
  };
}

/** Options every AWS-reading command accepts, for node:util parseArgs. */
export const TARGET_OPTIONS = {
  stack: { type: "string" },
  table: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  demo: { type: "boolean" },
} as const;

export interface TargetValues {
  readonly stack?: string | undefined;
  readonly table?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly demo?: boolean | undefined;
}

export const TARGET_HELP = `Where to read (default: the deployed stack's outputs):
  --stack NAME      CloudFormation stack to read outputs from (default: ${DEFAULT_STACK_NAME})
  --table NAME      DynamoDB table, instead of the stack's SnapshotTableName output
  --region REGION   AWS region (default: the SDK's: AWS_REGION, profile)
  --profile NAME    AWS profile from ~/.aws (default: the SDK's credential chain)
  --demo            read the local demo's data (run \`npm start\` first)`;

/** An open place to read snapshots from. */
export interface Target {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly demo: DemoStore | undefined;
  /** The stack's outputs, read once on first use; throws with a one-line reason. */
  stack(): Promise<StackOutputs>;
  close(): Promise<void>;
}

/** Conflicting target options, for the command to report as a usage error. */
export function targetUsageProblem(values: TargetValues): string | undefined {
  if (values.demo && (values.table || values.stack || values.region || values.profile)) {
    return "--demo reads the local demo's data; it cannot be combined with --table, --stack, --region or --profile";
  }
  return undefined;
}

export async function openTarget(values: TargetValues, deps: CliDeps): Promise<Target> {
  if (values.demo) {
    const demo = await deps.openDemo();
    return {
      dynamodb: demo.dynamodb,
      tableName: demo.tableName,
      demo,
      stack: () => Promise.reject(new Error("--demo has no stack")),
      close: () => demo.close(),
    };
  }
  const clients = deps.aws({
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  });
  const stackName = values.stack ?? DEFAULT_STACK_NAME;
  let outputs: Promise<StackOutputs> | undefined;
  const stack = () => (outputs ??= clients.cloudformation().then((cfn) => readStackOutputs(cfn, stackName)));
  try {
    let tableName = values.table;
    if (!tableName) {
      const out = await stack();
      tableName = out.snapshotTableName;
      if (!tableName) throw new Error(`stack "${stackName}" has no SnapshotTableName output; pass --table`);
    }
    return {
      dynamodb: clients.dynamodb(),
      tableName,
      demo: undefined,
      stack,
      close: async () => clients.destroy(),
    };
  } catch (err) {
    clients.destroy();
    throw err;
  }
}

/** Re-word an AWS error from reading the table for a person, naming the table. */
export function tableError(err: unknown, tableName: string): Error {
  const name = err instanceof Error ? err.name : "";
  if (name === "ResourceNotFoundException") {
    return new Error(`table "${tableName}" not found in this region (check --region / --table / --stack)`, {
      cause: err,
    });
  }
  return new Error(`cannot read table "${tableName}": ${describeAwsError(err)}`, { cause: err });
}

/**
 * The monitor Lambda with the project's function defaults, plus bind helpers. Each helper grants
 * the function access to one resource AND sets the environment variable naming it, in one call,
 * so a permission and the variable that uses it cannot drift apart.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat, SourceMapMode } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { type MonitorSettings, settingsEnvironment } from "../environment.js";
import type { AccountSecret } from "./account-secrets.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * ESM bundles have no `require`; esbuild turns a bundled CommonJS dependency's require() into a
 * stub that throws at run time. Defining it up front keeps such a dependency working.
 */
const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

export interface MonitorFunctionProps {
  /** Monitor behaviour, passed as environment variables the core reads. */
  readonly settings: MonitorSettings;
  /**
   * Memory, which also sets the CPU share. 256 MB leaves headroom for TLS and JSON across many
   * accounts and is still well inside the free tier at one run a minute (ARM64).
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Run time limit. Below the 1-minute schedule so runs rarely overlap; the core stops reading
   * accounts 4 s before it (see functions/monitor.ts) to leave time for state writes and alerts.
   * @default Duration.seconds(50)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * How long Lambda keeps trying to start an asynchronous (scheduled) invocation it could not
   * start yet, e.g. under throttling. After one schedule interval the event is superseded.
   * @default Duration.minutes(1)
   */
  readonly maxEventAge?: Duration;
  /**
   * Handler source file.
   * @default functions/monitor.ts in this repository
   */
  readonly entry?: string;
}

export class MonitorFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly bound = new Set<string>();

  constructor(scope: Construct, id: string, props: MonitorFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs are for debugging and expire anyway; the monitor's history lives in the table.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of Lambda's default, which attaches the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:CreateLogGroup etc. on every log group in the account).
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "coinm-guard monitor: reads its secrets, writes its table, publishes to its topic",
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, "Function", {
      description: "coinm-guard: reads Binance COIN-M margin, stores snapshots, sends alerts",
      entry: props.entry ?? join(REPO_ROOT, "functions", "monitor.ts"),
      handler: "handler",
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(50),
      role: this.role,
      logGroup: this.logGroup,
      // No reservedConcurrentExecutions: new accounts have too little concurrency to reserve any,
      // and overlapping runs are safe because the core's state writes are conditional.
      //
      // No async retries: a failed run is retried by the next scheduled run a minute later, on
      // fresh data. Lambda's default (2 retries, up to minutes later) would replay an old cycle
      // time on top of the runs that follow it.
      retryAttempts: 0,
      maxEventAge: props.maxEventAge ?? Duration.minutes(1),
      environment: {
        // Stack traces point at the TypeScript source through the bundled source map.
        NODE_OPTIONS: "--enable-source-maps",
        ...settingsEnvironment(props.settings),
      },
      bundling: {
        // esbuild from node_modules, never Docker: synth must work offline on a plain machine.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        // Mappings are enough for stack traces; embedding the sources would double the asset.
        sourcesContent: false,
        banner: REQUIRE_BANNER,
        // The Node.js runtime ships AWS SDK v3; bundling it would add megabytes for nothing.
        externalModules: ["@aws-sdk/*"],
      },
    });
  }

  /** Table for snapshots and alert state: item reads and writes only, no scans or deletes. */
  bindSnapshotTable(table: ITable): void {
    this.bind("SNAPSHOT_TABLE", table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "SnapshotTable",
        effect: Effect.ALLOW,
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
        resources: [table.tableArn],
      }),
    );
  }

  /** Alert topic: publish only, plus the key operations SNS performs for the publisher if encrypted. */
  bindAlertTopic(topic: ITopic, key: IKey | undefined): void {
    this.bind("ALERT_TOPIC_ARN", topic.topicArn);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "AlertTopic",
        effect: Effect.ALLOW,
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
      }),
    );
    if (key) {
      // SNS calls KMS with the publisher's credentials. The key is dedicated to this topic, so
      // the grant is scoped by the key ARN; no kms:ViaService condition, because a wrong guess
      // there would fail every Publish and silence all alerts.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: "AlertTopicKey",
          effect: Effect.ALLOW,
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [key.keyArn],
        }),
      );
    }
  }

  /** Account secrets: GetSecretValue on exactly these secrets (not DescribeSecret, not List). */
  bindAccountSecrets(secrets: readonly AccountSecret[]): void {
    const stack = Stack.of(this);
    this.bind("ACCOUNTS", stack.toJsonString(secrets.map((s) => ({ name: s.name, secretId: s.secretId }))));
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "AccountSecrets",
        effect: Effect.ALLOW,
        actions: ["secretsmanager:GetSecretValue"],
        resources: secrets.map((s) => s.policyResource),
      }),
    );
    const keys = [...new Set(secrets.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])))];
    if (keys.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: "AccountSecretKeys",
          effect: Effect.ALLOW,
          actions: ["kms:Decrypt"],
          resources: keys,
          conditions: { StringEquals: { "kms:ViaService": `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
  }

  private bind(variable: string, value: string): void {
    if (this.bound.has(variable)) throw new Error(`${variable} is already bound; bind each resource once`);
    this.bound.add(variable);
    this.function.addEnvironment(variable, value);
  }
}

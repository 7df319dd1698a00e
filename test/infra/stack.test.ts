/**
 * The stack as `cdk synth` builds it from a config with every kind of account secret and both
 * kinds of subscriber, with the Lambda really bundled by esbuild. One synth for the whole file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Capture, Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { marginLogQueries, marginRatioSearch } from "../../infra/constructs/margin-dashboard.js";
import { loadConfig } from "../../lib/config.js";
import {
  type Json,
  joinToString,
  logicalIdStartingWith,
  onlyLogicalId,
  roleStatements,
  type Synth,
  statementsOfRole,
  synth,
} from "./support.js";

const ACCOUNT = "123456789012";
const ALT_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const THIRD_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:binance/third-AbC123`;

let s: Synth;
let t: Template;
let ids: Record<
  "fn" | "role" | "logs" | "relay" | "relayRole" | "relayLogs" | "table" | "topic" | "queue" | "rule" | "mainSecret",
  string
>;

beforeAll(() => {
  s = synth(
    {
      accounts: [
        { name: "main", createSecret: true },
        { name: "alt", secretName: "binance/alt", secretKmsKeyArn: ALT_KEY },
        { name: "third", secretArn: THIRD_ARN },
      ],
      emails: ["ops@example.com", "me@example.org"],
      phoneNumbers: ["+447700900123"],
    },
    { account: ACCOUNT, bundle: true },
  );
  t = s.template;
  ids = {
    fn: logicalIdStartingWith(t, "AWS::Lambda::Function", "MonitorFunction"),
    role: logicalIdStartingWith(t, "AWS::IAM::Role", "MonitorRole"),
    logs: logicalIdStartingWith(t, "AWS::Logs::LogGroup", "MonitorLogs"),
    relay: logicalIdStartingWith(t, "AWS::Lambda::Function", "AlarmRelayFunction"),
    relayRole: logicalIdStartingWith(t, "AWS::IAM::Role", "AlarmRelayRole"),
    relayLogs: logicalIdStartingWith(t, "AWS::Logs::LogGroup", "AlarmRelayLogs"),
    table: onlyLogicalId(t, "AWS::DynamoDB::Table"),
    topic: onlyLogicalId(t, "AWS::SNS::Topic"),
    queue: onlyLogicalId(t, "AWS::SQS::Queue"),
    rule: onlyLogicalId(t, "AWS::Events::Rule"),
    mainSecret: onlyLogicalId(t, "AWS::SecretsManager::Secret"),
  };
});

/** Asset directory of a function, from the S3 key (the asset hash) in its Code property. */
function bundleDir(functionId: string): string {
  const out = s.app.synth().directory;
  const code = (t.toJSON().Resources[functionId] as { Properties: { Code: { S3Key: string } } }).Properties.Code;
  const hash = code.S3Key.replace(/\.zip$/, "");
  const dir = join(out, `asset.${hash}`);
  if (!statSync(dir).isDirectory()) throw new Error(`no asset directory for ${functionId}`);
  return dir;
}

const ref = (id: string) => ({ Ref: id });
const alarmIds = () => Object.keys(t.findResources("AWS::CloudWatch::Alarm"));
const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

describe("stack", () => {
  it("deploys to the configured region and the CDK_DEFAULT_ACCOUNT account under the configured name", () => {
    expect(s.stack.stackName).toBe("CoinmGuard");
    expect(s.stack.region).toBe("eu-west-1");
    expect(s.stack.account).toBe(ACCOUNT);
  });
});

describe("Lambda function", () => {
  it("is Node.js 24 on ARM64 with 256 MB, a timeout of one schedule interval and no reserved concurrency", () => {
    t.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      MemorySize: 256,
      // An at-risk invocation re-reads until shortly before the next run (lib/monitor/cadence.ts).
      Timeout: 60,
      Role: arnOf(ids.role),
      LoggingConfig: { LogGroup: ref(ids.logs) },
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it("gets every variable the core reads, resources by reference", () => {
    t.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: {
          SNAPSHOT_TABLE: ref(ids.table),
          ALERT_TOPIC_ARN: ref(ids.topic),
          // The account list is a file in the asset (below), not a variable: 4 KB holds ~30 accounts.
          ACCOUNTS: Match.absent(),
          ACCOUNTS_FILE: "accounts.json",
          ALERT_LEVELS: JSON.stringify([
            { name: "warning", ratio: 0.5 },
            { name: "critical", ratio: 0.8 },
          ]),
          HYSTERESIS: "0.05",
          RENOTIFY_MINUTES: "60",
          SNAPSHOT_TTL_DAYS: "90",
          RATIO_METRICS: "off",
          LOG_LEVEL: "info",
          FAST_POLL_SECONDS: "10",
          SCHEDULE_INTERVAL_SECONDS: "60",
          NODE_OPTIONS: "--enable-source-maps",
          BINANCE_BASE_URL: Match.absent(),
        },
      },
    });
  });

  it("reads its accounts from accounts.json in its asset, through the core's loader", () => {
    const dir = bundleDir(ids.fn);
    // Created secret by its name (its ARN is known only after deploy), imported-by-name by name,
    // imported-by-ARN by that ARN.
    const expected = [
      { name: "main", secretId: "CoinmGuard/main" },
      { name: "alt", secretId: "binance/alt" },
      { name: "third", secretId: THIRD_ARN },
    ];
    expect(JSON.parse(readFileSync(join(dir, "accounts.json"), "utf8"))).toEqual(expected);
    expect(s.stack.monitor.accountList).toEqual(expected);
    const config = loadConfig({
      ACCOUNTS_FILE: "accounts.json",
      LAMBDA_TASK_ROOT: dir,
      SNAPSHOT_TABLE: "t",
      ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
    });
    expect(config.accounts).toEqual(expected);
  });

  it("does not retry failed async runs and drops events older than one interval", () => {
    t.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(ids.fn),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it("logs to its own log group with the configured retention", () => {
    t.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: "/aws/lambda/CoinmGuard-monitor",
      RetentionInDays: 30,
    });
  });
});

describe("least privilege", () => {
  it("uses a role with no managed policies", () => {
    t.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } }],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it("grants the monitor exactly these statements, each on exact resources", () => {
    const statements = statementsOfRole(t, ids.role);
    expect(statements).toEqual([
      {
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Effect: "Allow",
        // The log group's Arn attribute is "...:log-group:NAME:*", i.e. its streams only.
        Resource: arnOf(ids.logs),
      },
      {
        Sid: "SnapshotTable",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Effect: "Allow",
        Resource: arnOf(ids.table),
      },
      // The topic's AWS-managed key admits this account's principals through SNS: no KMS grant.
      { Sid: "AlertTopic", Action: "sns:Publish", Effect: "Allow", Resource: ref(ids.topic) },
      {
        Sid: "AccountSecrets",
        Action: "secretsmanager:GetSecretValue",
        Effect: "Allow",
        Resource: [
          // Name + "-" + exactly six characters: this secret, not "binance/alt-other".
          `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:binance/alt-??????`,
          THIRD_ARN,
          ref(ids.mainSecret),
        ],
      },
      {
        Sid: "AccountSecretKeys",
        Action: "kms:Decrypt",
        Effect: "Allow",
        Resource: ALT_KEY,
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
      },
    ]);
  });

  it("grants the account secrets in a customer-managed policy of the monitor role only, attached before it runs", () => {
    // Managed, not inline: a role's inline policies hold 10,240 characters, ~110 exact ARNs (test/infra/scale.test.ts).
    const policies = t.findResources("AWS::IAM::ManagedPolicy");
    expect(Object.values(policies).map((p) => (p as { Properties: { Roles: Json[] } }).Properties.Roles)).toEqual([
      [ref(ids.role)],
    ]);
    const dependsOn = (t.toJSON().Resources[ids.fn] as { DependsOn: string[] }).DependsOn;
    expect(dependsOn).toEqual(expect.arrayContaining(Object.keys(policies)));
  });

  it("grants the alarm relay only its logs and publishing to the topic", () => {
    expect(statementsOfRole(t, ids.relayRole)).toEqual([
      { Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Effect: "Allow", Resource: arnOf(ids.relayLogs) },
      { Sid: "AlertTopic", Action: "sns:Publish", Effect: "Allow", Resource: ref(ids.topic) },
    ]);
  });

  it("has no wildcard resource or action anywhere in the functions' policies", () => {
    for (const statement of roleStatements(t)) {
      const resources = [statement.Resource].flat().map((r) => (typeof r === "string" ? r : joinToString(r)));
      for (const r of resources) expect(r).not.toContain("*");
      for (const a of [statement.Action].flat()) expect(a).not.toContain("*");
    }
  });
});

describe("schedule", () => {
  it("invokes the function with the event unchanged, retries delivery, and dead-letters what fails", () => {
    t.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [
        {
          Arn: arnOf(ids.fn),
          Input: Match.absent(),
          InputPath: Match.absent(),
          InputTransformer: Match.absent(),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: arnOf(ids.queue) },
        },
      ],
    });
    t.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: arnOf(ids.fn),
      Principal: "events.amazonaws.com",
      SourceArn: arnOf(ids.rule),
    });
  });

  it("has an encrypted, TLS-only dead-letter queue that only this rule may write to", () => {
    t.hasResourceProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    t.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [ref(ids.queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "sqs:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Action: "sqs:SendMessage",
            Principal: { Service: "events.amazonaws.com" },
            Condition: { ArnEquals: { "aws:SourceArn": arnOf(ids.rule) } },
          }),
        ]),
      },
    });
  });
});

describe("snapshot table", () => {
  it("has the core's keys and TTL attribute, on demand", () => {
    t.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      TableName: Match.absent(),
    });
  });

  it("survives mistakes: PITR, deletion protection, and retained on delete and replace", () => {
    t.hasResource("AWS::DynamoDB::Table", {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });
});

describe("account secrets", () => {
  it("creates only the secret asked for, empty, named after the stack, and retained", () => {
    t.hasResource("AWS::SecretsManager::Secret", {
      Properties: Match.objectLike({
        Name: "CoinmGuard/main",
        SecretString: Match.absent(),
        GenerateSecretString: Match.absent(),
      }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });
});

describe("alert topic", () => {
  it("is encrypted with SNS's AWS-managed key, at no key cost, and signs with SHA256", () => {
    t.hasResourceProperties("AWS::SNS::Topic", {
      KmsMasterKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/aws/sns`,
      SignatureVersion: "2",
    });
    t.resourceCountIs("AWS::KMS::Key", 0);
  });

  it("refuses non-TLS publishing and admits no service principal (alarms go through the relay)", () => {
    t.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [ref(ids.topic)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ],
      },
    });
  });

  it("subscribes each configured email (everything) and phone number (critical and what closes it)", () => {
    const subscriptions = Object.values(t.findResources("AWS::SNS::Subscription")).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    expect(subscriptions).toEqual(
      expect.arrayContaining([
        { Protocol: "email", Endpoint: "ops@example.com", TopicArn: ref(ids.topic) },
        { Protocol: "email", Endpoint: "me@example.org", TopicArn: ref(ids.topic) },
        {
          Protocol: "sms",
          Endpoint: "+447700900123",
          TopicArn: ref(ids.topic),
          FilterPolicy: { routeRank: [{ numeric: [">=", 2] }] },
          FilterPolicyScope: "MessageAttributes",
        },
      ]),
    );
    expect(subscriptions).toHaveLength(3);
  });
});

describe("monitor-the-monitor alarms", () => {
  const actions = () => ({ AlarmActions: [arnOf(ids.relay)], OKActions: [arnOf(ids.relay)] });

  it("fires on any function error in 5 minutes, notifying the topic on alarm and on recovery", () => {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "CoinmGuard-monitor-errors",
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: ref(ids.fn) }],
      Statistic: "Sum",
      Period: 300,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      ...actions(),
    });
  });

  it("fires on throttling", () => {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "CoinmGuard-monitor-throttled",
      Namespace: "AWS/Lambda",
      MetricName: "Throttles",
      Dimensions: [{ Name: "FunctionName", Value: ref(ids.fn) }],
      Threshold: 1,
      ...actions(),
    });
  });

  it("fires when the function has not run in 5 minutes, from Lambda's own metric, treating silence as failure", () => {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "CoinmGuard-monitor-stopped",
      // Lambda's Invocations: free, where a custom Heartbeat metric cost $0.30 a month.
      Namespace: "AWS/Lambda",
      MetricName: "Invocations",
      Dimensions: [{ Name: "FunctionName", Value: ref(ids.fn) }],
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
      ...actions(),
    });
  });

  it("fires when a scheduled event lands in the schedule's dead-letter queue", () => {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "CoinmGuard-schedule-undelivered",
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [ids.queue, "QueueName"] } }],
      Statistic: "Maximum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      ...actions(),
    });
    // The queue is the rule target's dead-letter queue, not some other queue.
    t.hasResourceProperties("AWS::Events::Rule", {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: arnOf(ids.queue) } })],
    });
  });

  it("uses no custom metric at all with the shipped settings", () => {
    const alarms = Object.values(t.findResources("AWS::CloudWatch::Alarm")).map(
      (r) => (r as { Properties: Record<string, Json> }).Properties,
    );
    // Lambda's own metrics, and SQS's for the schedule's dead-letter queue: all free.
    expect(alarms.map((a) => a.Namespace).sort()).toEqual(["AWS/Lambda", "AWS/Lambda", "AWS/Lambda", "AWS/SQS"]);
  });

  it("lets exactly these four alarms invoke the relay, which publishes to the topic", () => {
    const permissions = Object.values(t.findResources("AWS::Lambda::Permission"))
      .map((r) => (r as { Properties: Record<string, Json> }).Properties)
      .filter((p) => p.Principal === "lambda.alarms.cloudwatch.amazonaws.com");
    expect(permissions.map((p) => p.SourceArn)).toEqual(expect.arrayContaining(alarmIds().map(arnOf)));
    expect(permissions).toHaveLength(4);
    for (const p of permissions)
      expect(p).toMatchObject({ Action: "lambda:InvokeFunction", FunctionName: arnOf(ids.relay) });
    t.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Environment: { Variables: { ALERT_TOPIC_ARN: ref(ids.topic), NODE_OPTIONS: "--enable-source-maps" } },
    });
  });

  it("keeps the alarm bill to four standard alarms", () => {
    expect(Object.keys(t.findResources("AWS::CloudWatch::Alarm")).sort()).toHaveLength(4);
  });
});

describe("dashboard", () => {
  type Widget = { type: string; properties: Record<string, Json> };
  function widgets(template = t): Widget[] {
    const body = new Capture();
    template.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardBody: body });
    return (JSON.parse(joinToString(body.asObject())) as { widgets: Widget[] }).widgets;
  }

  it("plots the ratios from the monitor's own log group with Logs Insights, with no metric graph by default", () => {
    t.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardName: "CoinmGuard-margin-eu-west-1" });
    const all = widgets();
    const logs = all.filter((w) => w.type === "log");
    expect(logs).toHaveLength(2);
    const queries = marginLogQueries(60);
    for (const w of logs) {
      // SOURCE '<log group>' | query: the function's log group, referenced, not a literal name.
      expect(String(w.properties.query)).toMatch(/^SOURCE '\$\{MonitorLogs\w+\}' \| fields ratio/);
    }
    expect(String(logs[0]?.properties.query)).toContain(queries.worst.join("\n| "));
    expect(logs[0]?.properties.view).toBe("timeSeries");
    expect(String(logs[0]?.properties.title)).toContain("warning 50%, critical 80%");
    expect(String(logs[1]?.properties.query)).toContain("by account, pool");
    expect(logs[1]?.properties.view).toBe("table");
    // Health from Lambda's metrics only: nothing from the CoinmGuard namespace.
    expect(JSON.stringify(all)).not.toContain('CoinmGuard","Heartbeat');
    expect(JSON.stringify(all)).not.toContain("SEARCH(");
  });

  it("adds a MarginRatio metric graph with the level lines when the metrics are switched on", () => {
    const worst = synth({ ratioMetrics: "worst" }).template;
    const graph = widgets(worst).find((w) => JSON.stringify(w).includes("SEARCH("))?.properties as {
      metrics?: unknown[][];
      annotations?: { horizontal: { value: number }[] };
    };
    expect(graph?.metrics).toEqual([[{ expression: marginRatioSearch(60, "worst"), period: 60 }]]);
    expect(marginRatioSearch(60, "worst")).toBe(
      `SEARCH('{CoinmGuard,Account} MetricName="MarginRatio"', 'Maximum', 60)`,
    );
    expect(marginRatioSearch(60, "per-asset")).toBe(
      `SEARCH('{CoinmGuard,Account,Asset} MetricName="MarginRatio"', 'Maximum', 60)`,
    );
    expect(graph?.annotations?.horizontal.map((a) => a.value)).toEqual([0.5, 0.8, 1]);
  });
});

describe("outputs the CLI reads", () => {
  it("are present under their exact keys", () => {
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([
      "AccountList",
      "AccountSecrets",
      "AlertLevels",
      "AlertTopicArn",
      "DashboardUrl",
      "DistanceLevels",
      "MonitorFunctionName",
      "ScheduleExpression",
      "SnapshotTableName",
    ]);
    expect(outputs.MonitorFunctionName?.Value).toEqual(ref(ids.fn));
    // The function's accounts.json as text, for run-once --stack: no reference in it.
    expect(JSON.parse(String(outputs.AccountList?.Value))).toEqual(s.stack.monitor.accountList);
    expect(outputs.SnapshotTableName?.Value).toEqual(ref(ids.table));
    expect(outputs.AlertTopicArn?.Value).toEqual(ref(ids.topic));
    expect(outputs.ScheduleExpression?.Value).toBe("rate(1 minute)");
    expect(JSON.parse(String(outputs.AlertLevels?.Value))).toEqual([
      { name: "warning", ratio: 0.5 },
      { name: "critical", ratio: 0.8 },
    ]);
    expect(JSON.parse(String(outputs.DistanceLevels?.Value))).toEqual([
      { name: "warning", distance: 0.1 },
      { name: "critical", distance: 0.03 },
    ]);
    expect(JSON.parse(joinToString(outputs.AccountSecrets?.Value))).toEqual({
      main: `\${${ids.mainSecret}}`,
      alt: "binance/alt",
      third: THIRD_ARN,
    });
    expect(joinToString(outputs.DashboardUrl?.Value)).toMatch(
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#dashboards\/dashboard\/\$\{Dashboard/,
    );
  });
});

describe("Lambda bundles (local esbuild)", () => {
  it("monitor: a small minified ESM module with a source map and the AWS SDK left to the runtime", () => {
    const dir = bundleDir(ids.fn);
    expect(readdirSync(dir).sort()).toEqual(["accounts.json", "index.mjs", "index.mjs.map"]);
    const code = readFileSync(join(dir, "index.mjs"), "utf8");
    // Our own code only: 110 KB with USD-M, Portfolio Margin and the mark price stream (issue 20
    // added 15 KB); an SDK bundled in would be 570 KB+ (docs/performance.md, budget 250 KB).
    expect(code.length).toBeLessThan(150_000);
    expect(code.startsWith("import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);")).toBe(
      true,
    );
    // Left to the runtime, and loaded on first use (lib/aws/lazy.ts): a dynamic import of the
    // package, never its code in the bundle.
    expect(code).toMatch(/import\("@aws-sdk\/client-dynamodb"\)/);
    expect(code).not.toMatch(/from"@aws-sdk\//);
    expect(code).not.toMatch(/DynamoDBClient=class|class DynamoDBClient/);
    expect(code).toMatch(/export\{[\w$]+ as handler\}/);
    // Linked, not just written: --enable-source-maps follows this comment and nothing else.
    expect(code.trimEnd().endsWith("//# sourceMappingURL=index.mjs.map")).toBe(true);
    const map = JSON.parse(readFileSync(join(dir, "index.mjs.map"), "utf8")) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });

  it("alarm relay: SNS only, none of the monitor's Binance or DynamoDB code", () => {
    const code = readFileSync(join(bundleDir(ids.relay), "index.mjs"), "utf8");
    expect(code).toMatch(/from"@aws-sdk\/client-sns"/);
    expect(code).not.toMatch(/client-dynamodb|client-secrets-manager|dapi\/v1/);
    expect(code.length).toBeLessThan(20_000);
  });
});

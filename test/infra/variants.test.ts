/**
 * The config switches change the stack the way the config says: the topic key, metrics
 * and dashboard off, a slower schedule, a renamed stack, a US region with a proxy. Bundling is
 * skipped here; the asset is checked in stack.test.ts.
 */
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { type Json, joinToString, onlyLogicalId, roleStatements, type Synth, synth } from "./support.js";

describe('alertTopicKey: "customer-managed"', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({ alertTopicKey: "customer-managed" });
  });

  it("creates a rotating key, deleted with the stack after 7 days, and encrypts the topic with it", () => {
    const keyId = onlyLogicalId(s.template, "AWS::KMS::Key");
    s.template.hasResource("AWS::KMS::Key", {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 },
      DeletionPolicy: "Delete",
    });
    s.template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] } });
  });

  it("lets both publishers (monitor and alarm relay) use the key, and no service principal", () => {
    const keyId = onlyLogicalId(s.template, "AWS::KMS::Key");
    const keyStatements = roleStatements(s.template).filter((st) => st.Sid === "AlertTopicKey");
    expect(keyStatements).toHaveLength(2);
    for (const st of keyStatements) {
      expect(st).toEqual({
        Sid: "AlertTopicKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: { "Fn::GetAtt": [keyId, "Arn"] },
      });
    }
    const policy = JSON.stringify(s.template.findResources("AWS::KMS::Key"));
    expect(policy).not.toContain("cloudwatch.amazonaws.com");
  });
});

describe("the default AWS-managed topic key", () => {
  it("grants no KMS permission to either function", () => {
    const actions = roleStatements(synth({}).template).flatMap((st) => [st.Action].flat());
    expect(actions.filter((a) => String(a).startsWith("kms:"))).toEqual([]);
  });
});

describe('ratioMetrics: "per-asset" (formerly true)', () => {
  it("tells the function to emit them; the alarms still use Lambda's own metrics", () => {
    const s = synth({ ratioMetrics: "per-asset" });
    s.template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ RATIO_METRICS: "per-asset" }) },
    });
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Invocations", Namespace: "AWS/Lambda" });
  });
});

describe("dashboard: false", () => {
  it("builds no dashboard or DashboardUrl, and keeps the alarms", () => {
    const s = synth({ dashboard: false });
    s.template.resourceCountIs("AWS::CloudWatch::Dashboard", 0);
    expect(Object.keys(s.template.toJSON().Outputs)).not.toContain("DashboardUrl");
    s.template.resourceCountIs("AWS::CloudWatch::Alarm", 4);
  });
});

describe("schedule rate(5 minutes)", () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({ schedule: "rate(5 minutes)" });
  });

  it("widens the heartbeat window to two runs and the event lifetime to one interval", () => {
    s.template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(5 minutes)",
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 } })],
    });
    s.template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Invocations", Period: 600 });
    // Re-reads of an at-risk account may fill the interval; the env tells the core how long it is.
    s.template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 300,
      Environment: { Variables: Match.objectLike({ SCHEDULE_INTERVAL_SECONDS: "300", FAST_POLL_SECONDS: "10" }) },
    });
    expect(s.template.toJSON().Outputs.ScheduleExpression.Value).toBe("rate(5 minutes)");
  });
});

describe("a renamed stack and custom settings", () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({
      stackName: "MarginWatch",
      region: "ap-northeast-1",
      alertLevels: [{ name: "danger", ratio: 0.7 }],
      hysteresis: 0.1,
      renotifyMinutes: 15,
      snapshotTtlDays: 30,
      logRetentionDays: 90,
      logLevel: "debug",
    });
  });

  it("names the stack, secrets and alarms after it and deploys to its region", () => {
    expect(s.stack.stackName).toBe("MarginWatch");
    expect(s.stack.region).toBe("ap-northeast-1");
    s.template.hasResourceProperties("AWS::SecretsManager::Secret", { Name: "MarginWatch/main" });
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "MarginWatch-monitor-stopped" });
    s.template.hasResourceProperties("AWS::Logs::LogGroup", { LogGroupName: "/aws/lambda/MarginWatch-monitor" });
    s.template.hasResourceProperties("AWS::CloudWatch::Dashboard", {
      DashboardName: "MarginWatch-margin-ap-northeast-1",
    });
  });

  it("passes the settings to the function", () => {
    s.template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          ALERT_LEVELS: '[{"name":"danger","ratio":0.7}]',
          HYSTERESIS: "0.1",
          RENOTIFY_MINUTES: "15",
          SNAPSHOT_TTL_DAYS: "30",
          LOG_LEVEL: "debug",
        }),
      },
    });
    s.template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 90 });
  });

  it("names the configured alert levels on the ratio chart", () => {
    const body = JSON.stringify(s.template.findResources("AWS::CloudWatch::Dashboard"));
    expect(body).toContain("levels: danger 70%; 1 = liquidation");
  });
});

describe("a US region behind a proxy", () => {
  it("deploys there and passes the proxy URLs (futures and spot)", () => {
    const s = synth({
      region: "us-east-2",
      allowUsRegion: true,
      binanceBaseUrl: "https://proxy.example.net:8443",
      binanceSpotBaseUrl: "https://spot-proxy.example.net:8443",
    });
    expect(s.stack.region).toBe("us-east-2");
    s.template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          BINANCE_BASE_URL: "https://proxy.example.net:8443",
          BINANCE_SPOT_BASE_URL: "https://spot-proxy.example.net:8443",
        }),
      },
    });
  });
});

describe("invalid config", () => {
  it("stops the synth before any resource is built", () => {
    expect(() => synth({ region: "us-east-1" })).toThrow(/region: "us-east-1" is a US region/);
  });
});

describe("several accounts' keys in one shared secret", () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({
      accounts: [
        { name: "alpha", secretName: "coinm-guard/keys#alpha" },
        { name: "beta", secretName: "coinm-guard/keys#beta" },
        { name: "solo", createSecret: true },
      ],
    });
  });

  it("passes each account its entry and grants GetSecretValue on the shared secret once", () => {
    const accounts = s.stack.monitor.accountList;
    expect(accounts.slice(0, 2)).toEqual([
      { name: "alpha", secretId: "coinm-guard/keys#alpha" },
      { name: "beta", secretId: "coinm-guard/keys#beta" },
    ]);
    const secretStatement = roleStatements(s.template).find((st) => st.Sid === "AccountSecrets");
    const resources = [secretStatement?.Resource].flat().map((r) => joinToString(r as Json));
    expect(resources.filter((r) => r.includes("coinm-guard/keys"))).toEqual([
      expect.stringMatching(/:secret:coinm-guard\/keys-\?\?\?\?\?\?$/),
    ]);
    expect(resources).toHaveLength(2);
    s.template.resourceCountIs("AWS::SecretsManager::Secret", 1);
  });

  it("rejects a malformed selector, naming the account's setting", () => {
    expect(() => synth({ accounts: [{ name: "a", secretName: "coinm-guard/keys#" }] })).toThrow(
      /accounts\[0\]\.secretName: .*the key after "#"/,
    );
  });
});

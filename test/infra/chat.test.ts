/**
 * The stack with chat channels: one relay function subscribed to the topic with the most
 * inclusive channel's filter, reading exactly its channels' secrets, with a dead-letter queue
 * whose alarm goes through the alarm relay. A distinctive token placed where a careless user
 * would put it never reaches the template or synth output.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { DeployConfigError } from "../../infra/config/index.js";
import { joinToString, logicalIdStartingWith, onlyLogicalId, type Synth, statementsOfRole, synth } from "./support.js";

const ACCOUNT = "123456789012";
const SLACK_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:coinm-guard/slack-AbC123`;
const CHAT = [
  { name: "tg", platform: "telegram", chatId: "-1001234567890", secretName: "coinm-guard/telegram" },
  { name: "ops", platform: "slack", secretArn: SLACK_ARN, minSeverity: "warning" },
  { name: "desk", platform: "discord", secretName: "coinm-guard/discord", minSeverity: "critical" },
];

let s: Synth;
let t: Template;
beforeAll(() => {
  s = synth(
    { emails: [], phoneNumbers: ["+447700900123"], smsMinSeverity: "warning", chat: CHAT },
    { account: ACCOUNT },
  );
  t = s.template;
});

const fnId = () => logicalIdStartingWith(t, "AWS::Lambda::Function", "ChatRelayFunction");

describe("chat relay function", () => {
  it("gets the channels (secret references, never values) and its dead-letter queue in its environment", () => {
    const fn = t.findResources("AWS::Lambda::Function")[fnId()] as { Properties: Record<string, unknown> };
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.parse(joinToString(env.CHAT_CHANNELS))).toEqual([
      {
        name: "tg",
        platform: "telegram",
        chatId: "-1001234567890",
        minSeverity: "ok",
        secretId: "coinm-guard/telegram",
      },
      { name: "ops", platform: "slack", minSeverity: "warning", secretId: SLACK_ARN },
      { name: "desk", platform: "discord", minSeverity: "critical", secretId: "coinm-guard/discord" },
    ]);
    expect(env.DEAD_LETTER_QUEUE_URL).toBeDefined();
    expect(fn.Properties).toMatchObject({ Runtime: "nodejs24.x", MemorySize: 128, Timeout: 60 });
  });

  it("reads exactly its channels' secrets: the ARN as given, a name with SM's six-character suffix", () => {
    const roleId = logicalIdStartingWith(t, "AWS::IAM::Role", "ChatRelayRole");
    const statements = statementsOfRole(t, roleId);
    const secrets = statements.find((st) => st.Sid === "ChatSecrets");
    expect(secrets?.Action).toBe("secretsmanager:GetSecretValue");
    const resources = ((secrets?.Resource ?? []) as unknown[]).map(joinToString).sort();
    expect(resources).toEqual([
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:coinm-guard/discord-??????`,
      SLACK_ARN,
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:coinm-guard/telegram-??????`,
    ]);
    // Nothing else of the stack: no table, no topic publish, no account (Binance) secrets.
    const actions = statements.flatMap((st) => [st.Action].flat()).sort();
    expect(actions).toEqual([
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "secretsmanager:GetSecretValue",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:SendMessage",
    ]);
  });

  it("retries failed events twice, then parks them in an encrypted dead-letter queue kept 14 days", () => {
    const queues = Object.keys(t.findResources("AWS::SQS::Queue")).filter((id) => id.startsWith("ChatRelay"));
    expect(queues).toHaveLength(1);
    t.hasResourceProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    t.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: fnId() },
      MaximumRetryAttempts: 2,
    });
  });

  it("alarms through the alarm relay as soon as one message is undelivered, and again when clear", () => {
    const relay = logicalIdStartingWith(t, "AWS::Lambda::Function", "AlarmRelayFunction");
    t.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "CoinmGuard-chat-undelivered",
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Statistic: "Maximum",
      Period: 60,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [{ "Fn::GetAtt": [relay, "Arn"] }],
      OKActions: [{ "Fn::GetAtt": [relay, "Arn"] }],
    });
  });
});

describe("subscriptions", () => {
  it("the relay takes what its most inclusive channel wants (tg: everything, so no filter); SMS at warning", () => {
    const subs = Object.values(t.findResources("AWS::SNS::Subscription")).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    const topic = { Ref: onlyLogicalId(t, "AWS::SNS::Topic") };
    expect(subs).toEqual(
      expect.arrayContaining([
        { Protocol: "lambda", Endpoint: { "Fn::GetAtt": [fnId(), "Arn"] }, TopicArn: topic },
        {
          Protocol: "sms",
          Endpoint: "+447700900123",
          TopicArn: topic,
          FilterPolicy: { routeRank: [{ numeric: [">=", 1] }] },
          FilterPolicyScope: "MessageAttributes",
        },
      ]),
    );
    expect(subs).toHaveLength(2);
  });

  it("with only critical channels, the relay's subscription filters on SNS's side", () => {
    const only = synth({ chat: [CHAT[2]] }).template;
    const lambda = Object.values(only.findResources("AWS::SNS::Subscription"))
      .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
      .find((p) => p.Protocol === "lambda");
    expect(lambda).toMatchObject({
      FilterPolicy: { routeRank: [{ numeric: [">=", 2] }] },
      FilterPolicyScope: "MessageAttributes",
    });
  });

  it("a stack without chat channels has no relay function or chat queue", () => {
    const plain = synth().template;
    expect(Object.keys(plain.findResources("AWS::Lambda::Function")).some((id) => id.startsWith("ChatRelay"))).toBe(
      false,
    );
  });
});

describe("security review", () => {
  it("cdk-nag's AwsSolutions pack finds nothing unacknowledged with chat channels", () => {
    const report = new AwsSolutionsChecks().validateScope(synth({ chat: CHAT }, { securityChecks: false }).app);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    ).toEqual([]);
  });
});

describe("tokens stay out of the template", () => {
  it("a token pasted into cdk.json is refused at synth, and its value is not repeated", () => {
    const token = "7111111111:AAdistinctive-token-value-0123456789";
    let error: unknown;
    try {
      synth({ chat: [{ ...CHAT[0], botToken: token }] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DeployConfigError);
    expect(String((error as Error).message)).toMatch(/chat\[0\]\.botToken: unknown setting/);
    expect(String((error as Error).message)).not.toContain(token);
  });

  it("the synthesized template names secrets, never a token or a webhook URL", () => {
    const json = JSON.stringify(t.toJSON());
    expect(json).not.toMatch(/hooks\.slack\.com|discord(app)?\.com\/api\/webhooks|api\.telegram\.org\/bot/);
    expect(json).toContain("coinm-guard/telegram");
  });
});

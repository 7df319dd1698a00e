/**
 * `test-alert` and the subscriber list `status` prints, through the real SNS client against the
 * SNS stand-in: the test message carries real routing attributes, SNS's filter policies decide
 * who gets it, and unconfirmed emails and SMS-sandbox numbers are flagged.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliAwsClients, CliDeps, Target } from "../../bin/cli-context.js";
import { createTestAlertCommand } from "../../bin/commands/test-alert.js";
import { deploymentSection, formatAccountLevels, subscriptionsSection } from "../../bin/status-deployment.js";
import { filterPolicyFor } from "../../lib/alerts/attributes.js";
import { AwsStandIns } from "../../sim/aws-standins.js";
import { CaptureStream, run } from "./support/harness.js";

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:CoinmGuard-AlertsTopic";
const RELAY = "arn:aws:lambda:eu-west-1:123456789012:function:CoinmGuard-chat-relay";
const aws = new AwsStandIns();
let sns: SNSClient;

beforeAll(async () => {
  await aws.start();
  sns = new SNSClient({
    endpoint: aws.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "loopback", secretAccessKey: "loopback" },
  });
  // What a default deploy creates: email everything, SMS critical, the chat relay everything.
  aws.subscribe({ topicArn: TOPIC, protocol: "email", endpoint: "ops@example.com" });
  aws.subscribe({ topicArn: TOPIC, protocol: "email", endpoint: "late@example.com", confirmed: false });
  aws.subscribe({
    topicArn: TOPIC,
    protocol: "sms",
    endpoint: "+447700900123",
    filterPolicy: filterPolicyFor("critical"),
  });
  aws.subscribe({ topicArn: TOPIC, protocol: "lambda", endpoint: RELAY });
});
afterAll(async () => {
  sns.destroy();
  await aws.stop();
});
beforeEach(() => {
  aws.published.length = 0;
  aws.inSmsSandbox = false;
  aws.sandboxNumbers.clear();
});

function deps(): CliDeps & { stdout: CaptureStream; stderr: CaptureStream } {
  const clients: CliAwsClients = {
    dynamodb: () => {
      throw new Error("not used");
    },
    cloudformation: () => Promise.reject(new Error("no stack in this test")),
    secretsManager: () => {
      throw new Error("not used");
    },
    sns: () => sns,
    destroy() {},
  };
  return {
    stdout: new CaptureStream(),
    stderr: new CaptureStream(),
    stdin: { [Symbol.asyncIterator]: async function* () {}, on() {}, off() {} },
    env: {},
    now: () => new Date("2026-11-27T12:00:00.000Z"),
    aws: () => clients,
    openDemo: () => Promise.reject(new Error("no demo")),
    writeFile: async () => {},
  };
}

const out = (d: { stdout: CaptureStream }) => d.stdout.chunks.join("");

describe("coinm-guard test-alert", () => {
  it("publishes a marked warning by default: email and chat get it, SMS does not", async () => {
    const d = deps();
    const result = await run(createTestAlertCommand(d), ["--topic-arn", TOPIC], d);
    expect(result.code).toBe(0);
    const [sent] = aws.published;
    expect(sent?.subject).toBe("coinm-guard TEST alert (WARNING): delivery check, no action needed");
    expect(sent?.messageAttributes).toMatchObject({
      kind: { DataType: "String", StringValue: "test" },
      severity: { DataType: "String", StringValue: "warning" },
      test: { DataType: "String", StringValue: "true" },
      routeRank: { DataType: "Number", StringValue: "1" },
    });
    expect(sent?.deliveredTo).toEqual(["ops@example.com", RELAY]);
    const bodies = JSON.parse(sent?.message ?? "{}") as Record<string, string>;
    expect(bodies.email).toContain("This is a TEST message");
    expect(JSON.parse(bodies.default ?? "{}")).toMatchObject({ type: "test", severity: "warning" });
    expect(out(d)).toContain("sms    +447700900123: filtered out (critical and up)");
    expect(out(d)).toContain("email  late@example.com: WILL NOT receive it: not confirmed");
  });

  it("--severity critical reaches SMS too", async () => {
    const d = deps();
    expect((await run(createTestAlertCommand(d), ["--topic-arn", TOPIC, "--severity", "critical"], d)).code).toBe(0);
    expect(aws.published[0]?.deliveredTo).toEqual(["ops@example.com", "+447700900123", RELAY]);
    expect(out(d)).toContain("sms    +447700900123: should receive it");
  });

  it("refuses an unknown severity as a usage error", async () => {
    const d = deps();
    expect((await run(createTestAlertCommand(d), ["--topic-arn", TOPIC, "--severity", "loud"], d)).code).toBe(2);
    expect(aws.published).toEqual([]);
  });
});

describe("status: subscriptions", () => {
  const target = (): Target => ({
    dynamodb: undefined as never,
    tableName: "t",
    demo: undefined,
    stack: async () => ({ stackName: "CoinmGuard", alertTopicArn: TOPIC }),
    close: async () => {},
  });

  it("lists each subscriber with what it receives, flagging an unconfirmed email and a sandboxed number", async () => {
    aws.inSmsSandbox = true;
    aws.sandboxNumbers.set("+447700900999", "Verified");
    const text = await subscriptionsSection({}, target(), deps());
    expect(text.trim().split("\n")).toEqual([
      "Subscriptions:",
      "  email  ops@example.com  (everything)",
      "  email  late@example.com  (?)  ! not confirmed: click the link in the email from AWS Notifications (or re-deploy to resend it)",
      '  sms    +447700900123  (critical and up)  ! SMS sandbox: this number is not verified, so SNS drops every text to it (docs/deploy.md, "SMS")',
      `  lambda ${RELAY}  (everything)`,
      "  SMS sandbox: ON - only verified numbers receive texts",
    ]);
  });

  it("a verified number out of the sandbox is not flagged", async () => {
    const text = await subscriptionsSection({}, target(), deps());
    expect(text).toContain("  sms    +447700900123  (critical and up)\n");
    expect(text).not.toContain("SMS sandbox");
  });
});

describe("status: accounts with their own levels", () => {
  const levels = {
    hot: {
      alertLevels: [
        { name: "warning", ratio: 0.7 },
        { name: "critical", ratio: 0.9 },
      ],
      assets: { BTCUSD_PERP: { distanceLevels: [{ name: "critical", distance: 0.01 }] } },
    },
  };

  it("lists each account's own thresholds and its per-asset ones", () => {
    expect(formatAccountLevels(levels)).toEqual([
      "Own alert levels (ratio; distance to liquidation), other accounts use the stack's:",
      "  hot: warning 70%, critical 90%",
      "    BTCUSD_PERP: distance critical 1%",
    ]);
    expect(formatAccountLevels({})).toEqual([]);
  });

  it("prints them before the subscriptions, from the stack's AccountLevels output", async () => {
    const text = await deploymentSection(
      {},
      {
        dynamodb: undefined as never,
        tableName: "t",
        demo: undefined,
        stack: async () => ({ stackName: "CoinmGuard", alertTopicArn: TOPIC, accountLevels: levels }),
        close: async () => {},
      },
      deps(),
    );
    expect(text).toMatch(/^\nOwn alert levels .*\n {2}hot: warning 70%, critical 90%\n.*\n\nSubscriptions:\n/s);
  });
});

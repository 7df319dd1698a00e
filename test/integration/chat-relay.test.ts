/**
 * The chat relay end to end: alerts published through the real SNS client to the SNS stand-in
 * (attributes checked and filtered as SNS does), handed to the relay's Lambda handler as SNS
 * delivers them, and posted with the real fetch to stand-ins that check what Telegram, Slack,
 * Discord and a webhook check. Secrets come from the Secrets Manager stand-in; failures go to the
 * SQS stand-in (the dead-letter queue). Tokens are distinctive so a leak anywhere is found.
 */
import { randomBytes } from "node:crypto";
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { filterPolicyFor } from "../../lib/alerts/attributes.js";
import type { Alert } from "../../lib/alerts/messages.js";
import { SnsPublisher } from "../../lib/aws/sns-publisher.js";
import type { ChatChannel } from "../../lib/chat/channels.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { lambdaRecord } from "../../sim/aws-messages.js";
import { AwsStandIns } from "../../sim/aws-standins.js";
import { parseMarkdownV2 } from "../../sim/chat-rules.js";
import { ChatStandIns } from "../../sim/chat-standins.js";
import { TOPIC_ARN } from "../support/harness.js";

const hex = (n: number) => randomBytes(n).toString("hex");
const TG_TOKEN = `7${"1".repeat(9)}:AA${hex(17)}`;
const WRONG_TG_TOKEN = `7${"2".repeat(9)}:AA${hex(17)}`;
const SLACK_PATH = `T0LOOP0001/B0LOOP0002/${hex(12)}`;
const DISCORD = { id: "112233445566778899", token: hex(30) };
const HOOK_SECRET = `shh-${hex(16)}`;
const CHAT_ID = "-1001234567890";
const RELAY_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:CoinmGuard-chat-relay";
const QUEUE_PATH = "/123456789012/CoinmGuard-chat-dlq";

const aws = new AwsStandIns();
const chat = new ChatStandIns({
  telegram: { token: TG_TOKEN, chats: [CHAT_ID] },
  slack: { path: SLACK_PATH },
  discord: DISCORD,
  webhook: { path: "/hooks/coinm", header: "X-Token", secret: HOOK_SECRET },
});

const channels: Array<Omit<ChatChannel, "minSeverity"> & { minSeverity?: string }> = [
  { name: "tg", platform: "telegram", chatId: CHAT_ID, secretId: "chat/tg" },
  { name: "ops", platform: "slack", secretId: "chat/slack", minSeverity: "warning" },
  { name: "desk", platform: "discord", secretId: "chat/discord", minSeverity: "critical" },
  { name: "pager", platform: "webhook", secretId: "chat/hook", secretHeader: "X-Token" },
  { name: "tg-wrong", platform: "telegram", chatId: CHAT_ID, secretId: "chat/tg-wrong", minSeverity: "critical" },
];

let handler: typeof import("../../functions/chat-relay.js").handler;
let publisher: SnsPublisher;
let sns: SNSClient;
const logs: string[] = [];
const ENV = [
  "CHAT_CHANNELS",
  "DEAD_LETTER_QUEUE_URL",
  "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  "AWS_ENDPOINT_URL_SQS",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
];

beforeAll(async () => {
  await aws.start();
  await chat.start();
  // Secrets hold the platforms' real hosts, as users store them; the test wiring routes those
  // hosts to the stand-ins (the shipped check refuses loopback URLs).
  const urls = chat.platformUrls();
  vi.stubGlobal("fetch", chat.routingFetch());
  aws.putSecret("chat/tg", JSON.stringify({ botToken: TG_TOKEN }));
  aws.putSecret("chat/tg-wrong", JSON.stringify({ botToken: WRONG_TG_TOKEN }));
  aws.putSecret("chat/slack", JSON.stringify({ webhookUrl: urls.slack }));
  aws.putSecret("chat/discord", JSON.stringify({ webhookUrl: urls.discord }));
  aws.putSecret("chat/hook", JSON.stringify({ url: urls.webhook, sharedSecret: HOOK_SECRET }));
  // The stack subscribes the relay with the most inclusive channel's filter ("ok": none).
  aws.subscribe({ topicArn: TOPIC_ARN, protocol: "lambda", endpoint: RELAY_ARN, filterPolicy: filterPolicyFor("ok") });
  Object.assign(process.env, {
    CHAT_CHANNELS: JSON.stringify(channels),
    DEAD_LETTER_QUEUE_URL: `${aws.endpoint}${QUEUE_PATH}`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "loopback",
    AWS_SECRET_ACCESS_KEY: "loopback",
  });
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    logs.push(String(chunk));
    return true;
  });
  ({ handler } = await import("../../functions/chat-relay.js"));
  sns = new SNSClient({
    endpoint: aws.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "loopback", secretAccessKey: "loopback" },
  });
  publisher = new SnsPublisher(sns, TOPIC_ARN, DEFAULT_ALERT_LEVELS);
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  sns.destroy();
  await chat.stop();
  await aws.stop();
  for (const v of ENV) delete process.env[v];
});

beforeEach(() => {
  chat.received.length = 0;
  chat.refused.length = 0;
  aws.sentToQueues.length = 0;
  aws.published.length = 0;
  logs.length = 0;
});

const context = { getRemainingTimeInMillis: () => 60_000 };

/** Publish through SNS, then deliver to the relay as Lambda's SNS event, if the filter admits it. */
async function publishAndRelay(alert: Alert) {
  await publisher.publish(alert);
  const sent = aws.published.at(-1);
  if (!sent?.deliveredTo.includes(RELAY_ARN)) return undefined;
  // As SNS delivers it: the "lambda" body, and no attributes (the message is JSON-structured).
  const record = lambdaRecord(sent, "m-1");
  return handler({ Records: [record] }, context);
}

const margin = (level: string, previousLevel: string, notice: "escalated" | "recovered" = "escalated"): Alert => ({
  type: "margin",
  id: `id-${level}`,
  // Dots, dashes and underscores: MarkdownV2 reserves all three.
  account: "main.acct-1_x",
  pool: "BTC",
  poolLabel: "BTC cross",
  poolKind: "cross",
  asset: "BTC",
  notice,
  level,
  previousLevel,
  ratio: level === "critical" ? 0.83 : 0.52,
  distance: 0.12,
  ratioLevel: level,
  distanceLevel: "ok",
  requirement: "0.83",
  collateral: "1.00",
  nearest: { symbol: "BTCUSD_PERP", side: "long", markPrice: "60000.1", liquidationPrice: "52800.0" },
  at: "2026-11-27T12:00:00.000Z",
});

const by = (platform: string) => chat.received.filter((r) => r.platform === platform);
const logRecords = () =>
  logs
    .flatMap((l) => l.split("\n"))
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const SECRETS = [TG_TOKEN, WRONG_TG_TOKEN, SLACK_PATH.split("/")[2] as string, DISCORD.token, HOOK_SECRET];

describe("each platform's message, accepted by its stand-in", () => {
  it("a critical escalation reaches all four platforms, formatted for each", async () => {
    await publishAndRelay(margin("critical", "warning"));

    const [tg] = by("telegram");
    expect(tg?.path).toBe(`/bot${TG_TOKEN}/sendMessage`);
    expect(tg?.body).toMatchObject({ chat_id: CHAT_ID, parse_mode: "MarkdownV2" });
    const shown = parseMarkdownV2(String(tg?.body.text));
    expect(shown.ok && shown.plain).toMatch(
      /^\[CRITICAL\] coinm-guard: main\.acct-1_x BTC cross rose to CRITICAL \(was warning\), ratio 83\.0%/,
    );
    // The whole email text, pool and distance lines included, escaped so Telegram shows it as is.
    expect(shown.ok && shown.plain).toContain("Distance to liquidation: 12.00% = |mark 60000.1 - liquidation 52800.0|");

    const [slack] = by("slack");
    const blocks = slack?.body.blocks as Array<{ type: string; text?: { text: string } }>;
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "context"]);
    expect(blocks[0]?.text?.text).toMatch(/^\[CRITICAL\] coinm-guard: main\.acct-1_x BTC/);
    expect(slack?.body.text).toMatch(/^coinm-guard: main\.acct-1_x/);

    const [discord] = by("discord");
    const embed = ((discord?.body.embeds ?? []) as Array<Record<string, unknown>>)[0];
    expect(embed).toMatchObject({ color: 0xc62828, title: expect.stringMatching(/^\[CRITICAL\] /) });
    expect(embed?.fields).toEqual([
      { name: "Severity", value: "critical", inline: true },
      { name: "Account", value: "main.acct-1_x", inline: true },
      { name: "Kind", value: "margin escalated", inline: true },
    ]);
    expect(discord?.body.allowed_mentions).toEqual({ parse: [] });

    const [hook] = by("webhook");
    expect(hook?.headers["x-token"]).toBe(HOOK_SECRET);
    expect(hook?.body).toMatchObject({
      source: "coinm-guard",
      severity: "critical",
      account: "main.acct-1_x",
      kind: "margin",
      notice: "escalated",
      test: false,
      alert: { type: "margin", level: "critical", asset: "BTC" },
    });
  });

  it("each channel's minimum severity holds: a warning skips the critical-only channels", async () => {
    await publishAndRelay(margin("warning", "ok"));
    expect(chat.received.map((r) => r.platform).sort()).toEqual(["slack", "telegram", "webhook"]);
    expect(chat.refused).toEqual([]);
  });

  it("a recovery from critical reaches the critical-only channel that got the critical alert", async () => {
    await publishAndRelay(margin("ok", "critical", "recovered"));
    expect(by("discord")).toHaveLength(1);
    const [tg] = by("telegram");
    expect(String(tg?.body.text)).toContain("recovered to OK");
  });
});

describe("rate limits", () => {
  it("waits as long as a 429 asks (Telegram's retry_after, Slack's Retry-After) and then delivers once", async () => {
    chat.rateLimit("telegram", 1);
    chat.rateLimit("slack", 1);
    const started = Date.now();
    await publishAndRelay(margin("warning", "ok"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(chat.refused.map((r) => `${r.platform} ${r.status}`).sort()).toEqual(["slack 429", "telegram 429"]);
    expect(by("telegram")).toHaveLength(1);
    expect(by("slack")).toHaveLength(1);
    expect(aws.sentToQueues).toEqual([]);
  });
});

describe("a chat channel whose token is wrong", () => {
  it("fails once and clearly, parks the message in the dead-letter queue, and the others still get it", async () => {
    // Critical: every channel, the broken one included, is due to receive it.
    const outcome = await publishAndRelay(margin("critical", "ok"));
    expect(outcome).toEqual([{ delivered: ["tg", "ops", "desk", "pager"], failed: ["tg-wrong"], filtered: [] }]);
    expect(by("telegram")).toHaveLength(1);
    expect(chat.received).toHaveLength(4);

    // One refusal, no retries: a wrong token does not get better.
    expect(chat.refused).toEqual([
      { platform: "telegram", status: 401, reason: expect.stringContaining("Unauthorized") },
    ]);
    const failures = logRecords().filter((r) => r.message === "chat delivery failed");
    expect(failures).toEqual([
      expect.objectContaining({
        level: "error",
        channel: "tg-wrong",
        platform: "telegram",
        kind: "chat-delivery",
        status: 401,
        error: "refused (HTTP 401 Unauthorized)",
      }),
    ]);

    // The dead-letter queue (whose alarm tells the user) holds the message for that channel only.
    expect(aws.sentToQueues).toHaveLength(1);
    const letter = JSON.parse(aws.sentToQueues[0]?.body ?? "{}") as Record<string, unknown>;
    expect(aws.sentToQueues[0]?.queueUrl).toBe(`${aws.endpoint}${QUEUE_PATH}`);
    expect(letter).toMatchObject({
      channel: "tg-wrong",
      platform: "telegram",
      error: { kind: "chat-delivery", status: 401 },
      attributes: { severity: "critical", account: "main.acct-1_x" },
    });
    expect(JSON.parse(String(letter.message))).toMatchObject({ type: "margin", level: "critical" });
  });

  it("a secret that is not what the platform needs fails that channel alone, naming the field", async () => {
    aws.putSecret("chat/tg-wrong", JSON.stringify({ token: WRONG_TG_TOKEN }));
    try {
      await publishAndRelay(margin("critical", "warning"));
    } finally {
      aws.putSecret("chat/tg-wrong", JSON.stringify({ botToken: WRONG_TG_TOKEN }));
    }
    expect(chat.received).toHaveLength(4);
    const failures = logRecords().filter((r) => r.message === "chat delivery failed");
    // A warm container reuses a secret it read; this one was only ever refused, so it is re-read.
    expect(failures).toEqual([
      expect.objectContaining({ channel: "tg-wrong", kind: "chat-secret", error: expect.stringMatching(/"botToken"/) }),
    ]);
  });
});

describe("when the dead-letter queue cannot take a failure", () => {
  it("the invocation fails, so Lambda retries it and then keeps the whole event", async () => {
    aws.failNextQueueSend({ status: 403, code: "AccessDenied", message: "denied" });
    await expect(publishAndRelay(margin("critical", "ok"))).rejects.toThrow();
    // The healthy channels were still delivered before the failure surfaced.
    expect(chat.received).toHaveLength(4);
  });
});

describe("secrets", () => {
  it("no token, webhook URL or shared secret appears in the logs or the dead-letter queue", async () => {
    await publishAndRelay(margin("critical", "ok"));
    await publishAndRelay(margin("ok", "critical", "recovered"));
    const everything = [...logs, ...aws.sentToQueues.map((m) => m.body)].join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  });
});

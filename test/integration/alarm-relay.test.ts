import type { CloudWatchAlarmEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AlarmEventError, parseAlarmEvent, renderAlarm } from "../../lib/alerts/alarm-notice.js";
import { AwsStandIns } from "../../sim/aws-standins.js";
import { TOPIC_ARN } from "../support/harness.js";
import { lambdaContext } from "../support/lambda-context.js";

/** The shape CloudWatch sends to a Lambda alarm action. */
const event = (state: string, previous: string) => ({
  source: "aws.cloudwatch",
  alarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:CoinmGuard-monitor-stopped",
  accountId: "123456789012",
  time: "2026-11-24T12:05:00.000+0000",
  region: "eu-west-1",
  alarmData: {
    alarmName: "CoinmGuard-monitor-stopped",
    state: {
      value: state,
      reason: "Threshold Crossed: no datapoints were received",
      timestamp: "2026-11-24T12:05:00.000+0000",
    },
    previousState: { value: previous, reason: "", timestamp: "2026-11-24T11:00:00.000+0000" },
    configuration: { description: "No coinm-guard cycle has completed in 5 minutes: margins are NOT being watched." },
  },
});

describe("alarm notices", () => {
  it("parses CloudWatch's alarm-action event and renders it for email and SMS", () => {
    const alarm = parseAlarmEvent(event("ALARM", "OK"));
    expect(alarm).toMatchObject({ alarmName: "CoinmGuard-monitor-stopped", state: "ALARM", previousState: "OK" });
    const r = renderAlarm(alarm);
    expect(r.subject).toBe("coinm-guard ALARM: CoinmGuard-monitor-stopped");
    expect(r.email).toContain("margins are NOT being watched");
    expect(r.sms.length).toBeLessThanOrEqual(140);
    expect(renderAlarm(parseAlarmEvent(event("OK", "ALARM"))).sms).toBe(
      "coinm-guard: CoinmGuard-monitor-stopped back to OK",
    );
  });

  it("keeps a long alarm name within SNS's subject limit and one GSM SMS segment", () => {
    const long = event("ALARM", "OK");
    long.alarmData.alarmName = `CoinmGuard-${"x".repeat(200)}`;
    const r = renderAlarm(parseAlarmEvent(long));
    expect(r.subject.length).toBeLessThanOrEqual(99);
    expect(r.sms.length).toBeLessThanOrEqual(140);
    expect(`${r.subject}${r.sms}`).toMatch(/^[\x20-\x7e]*$/);
  });

  it.each([undefined, {}, { alarmData: { alarmName: "x" } }, "text"])("rejects %j with a typed error", (bad) => {
    expect(() => parseAlarmEvent(bad)).toThrow(AlarmEventError);
  });
});

describe("alarm relay handler through the real SNS client", () => {
  const aws = new AwsStandIns();
  let relayHandler: typeof import("../../functions/alarm-relay.js").handler;
  // The fixture has what parseAlarmEvent reads, not every field of the type.
  const handler = (e: ReturnType<typeof event>, requestId?: string) =>
    relayHandler(e as unknown as CloudWatchAlarmEvent, lambdaContext(requestId ? { requestId } : {}));

  beforeAll(async () => {
    await aws.start();
    process.env.ALERT_TOPIC_ARN = TOPIC_ARN;
    process.env.AWS_ENDPOINT_URL_SNS = aws.endpoint;
    process.env.AWS_REGION = "eu-west-1";
    process.env.AWS_ACCESS_KEY_ID = "loopback";
    process.env.AWS_SECRET_ACCESS_KEY = "loopback";
    ({ handler: relayHandler } = await import("../../functions/alarm-relay.js"));
  });
  afterAll(async () => {
    await aws.stop();
    for (const v of [
      "ALERT_TOPIC_ARN",
      "AWS_ENDPOINT_URL_SNS",
      "AWS_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ]) {
      delete process.env[v];
    }
  });

  it("publishes the alarm to the topic with email and SMS bodies, logging with the request id", async () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await expect(handler(event("ALARM", "OK"), "relay-request-1")).resolves.toEqual({
        relayed: "CoinmGuard-monitor-stopped",
        state: "ALARM",
      });
    } finally {
      write.mockRestore();
    }
    const logged = written.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([expect.objectContaining({ message: "alarm relayed", requestId: "relay-request-1" })]);
    expect(aws.published).toHaveLength(1);
    const sent = aws.published[0];
    expect(sent).toMatchObject({
      topicArn: TOPIC_ARN,
      subject: "coinm-guard ALARM: CoinmGuard-monitor-stopped",
      messageStructure: "json",
    });
    const bodies = JSON.parse(sent?.message ?? "{}") as { sms: string; email: string; default: string };
    expect(bodies.sms).toBe("coinm-guard ALARM CoinmGuard-monitor-stopped: the monitor itself needs attention");
    expect(JSON.parse(bodies.default)).toMatchObject({ type: "alarm", state: "ALARM" });
  });

  it("fails (so Lambda retries) when SNS refuses", async () => {
    aws.failNextPublish({ status: 400, code: "AuthorizationError" }, 10);
    await expect(handler(event("OK", "ALARM"))).rejects.toThrow();
  });
});

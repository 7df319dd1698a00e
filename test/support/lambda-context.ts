/** A Lambda invocation context as the Node.js runtime passes it, for calling handlers in tests. */
import type { Context, ScheduledEvent } from "aws-lambda";

export function lambdaContext(
  options: { requestId?: string; remainingMs?: number; functionName?: string } = {},
): Context {
  const functionName = options.functionName ?? "CoinmGuard-MonitorFunction";
  const deadline = Date.now() + (options.remainingMs ?? 50_000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: options.requestId ?? "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/27/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** EventBridge's "Scheduled Event" for the rule's time, as the schedule delivers it. */
export function scheduledEvent(time: Date): ScheduledEvent {
  return {
    version: "0",
    id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "123456789012",
    time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "eu-west-1",
    resources: ["arn:aws:events:eu-west-1:123456789012:rule/CoinmGuard-Schedule"],
    detail: {},
  };
}

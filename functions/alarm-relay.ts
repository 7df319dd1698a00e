/**
 * Lambda handler invoked by the stack's CloudWatch alarms (alarm and OK actions): publishes the
 * state change to the alert topic. Deliberately independent of the monitor's configuration, so a
 * broken monitor configuration cannot also silence the alarm that reports it.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import type { CloudWatchAlarmEvent, Context } from "aws-lambda";
import { parseAlarmEvent, renderAlarm } from "../lib/alerts/alarm-notice.js";
import { alarmAttributes } from "../lib/alerts/attributes.js";
import { SnsPublisher } from "../lib/aws/sns-publisher.js";
import { ConfigError, errorLogFields } from "../lib/core/errors.js";
import { createLogger, withLogFields } from "../lib/core/log.js";

const log = createLogger();
const topicArn = process.env.ALERT_TOPIC_ARN?.trim();
const publisher = topicArn ? new SnsPublisher(new SNSClient({ maxAttempts: 5 }), topicArn) : undefined;

/** The event is still checked field by field (parseAlarmEvent): the type says what CloudWatch promises, not what arrives. */
export const handler = (event: CloudWatchAlarmEvent, context: Context) =>
  withLogFields({ requestId: context.awsRequestId }, () => relay(event));

async function relay(event: unknown) {
  if (!publisher) throw new ConfigError("ALERT_TOPIC_ARN", "is required but not set");
  try {
    const alarm = parseAlarmEvent(event);
    await publisher.publishRendered(
      renderAlarm(alarm),
      JSON.stringify({ type: "alarm", ...alarm }),
      alarmAttributes(alarm),
    );
    log.info("alarm relayed", { alarm: alarm.alarmName, state: alarm.state });
    return { relayed: alarm.alarmName, state: alarm.state };
  } catch (err) {
    // Thrown on: Lambda's async retries (twice) then give the alarm another chance to get through.
    log.error("alarm relay failed", errorLogFields(err));
    throw err;
  }
}

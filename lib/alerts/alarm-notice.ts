/**
 * CloudWatch alarm notices. The stack's monitor-the-monitor alarms invoke a small relay function
 * (Lambda alarm action) instead of publishing to SNS themselves: CloudWatch cannot publish to a
 * topic encrypted with the free AWS-managed SNS key, and a customer-managed key costs $1/month.
 */

import { GuardError } from "../core/errors.js";
import { type RenderedAlert, SMS_MAX, SUBJECT_MAX, truncate } from "./messages.js";

/** The part of CloudWatch's Lambda alarm-action event the relay uses, checked at the boundary. */
export interface AlarmEvent {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly state: string;
  readonly previousState?: string;
  readonly reason: string;
  readonly description?: string;
  readonly time: string;
  readonly region?: string;
}

export class AlarmEventError extends GuardError {
  readonly kind = "alarm-event";
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export function parseAlarmEvent(event: unknown): AlarmEvent {
  const e = obj(event);
  const data = obj(e?.alarmData);
  const state = obj(data?.state);
  const alarmName = str(data?.alarmName);
  const value = str(state?.value);
  if (!e || !data || !alarmName || !value) {
    throw new AlarmEventError(
      "not a CloudWatch alarm event: alarmData.alarmName and alarmData.state.value are required",
    );
  }
  const previous = str(obj(data.previousState)?.value);
  const description = str(obj(data.configuration)?.description);
  const region = str(e.region);
  return {
    alarmName,
    alarmArn: str(e.alarmArn) ?? "",
    state: value,
    reason: str(state?.reason) ?? "",
    time: str(state?.timestamp) ?? str(e.time) ?? new Date().toISOString(),
    ...(previous ? { previousState: previous } : {}),
    ...(description ? { description } : {}),
    ...(region ? { region } : {}),
  };
}

/** Subject, email and SMS for an alarm state change; "OK" reads as the all-clear. */
export function renderAlarm(alarm: AlarmEvent): RenderedAlert {
  const cleared = alarm.state === "OK";
  const head = cleared ? `OK: ${alarm.alarmName}` : `${alarm.state}: ${alarm.alarmName}`;
  const subject = truncate(`coinm-guard ${head}`, SUBJECT_MAX);
  const email = [
    cleared
      ? `The alarm ${alarm.alarmName} is back to OK.`
      : `The alarm ${alarm.alarmName} is in state ${alarm.state}.`,
    alarm.description ?? "",
    `Reason: ${alarm.reason}`,
    `Previous state: ${alarm.previousState ?? "unknown"}`,
    `At: ${alarm.time}`,
  ]
    .filter((line) => line !== "")
    .join("\n");
  const sms = cleared
    ? `coinm-guard: ${alarm.alarmName} back to OK`
    : `coinm-guard ALARM ${alarm.alarmName}: the monitor itself needs attention`;
  return { subject, email, sms: truncate(sms, SMS_MAX) };
}

/**
 * The SNS message attributes every alert carries, and the subscription filter policies that
 * route on them. The one place that names attributes and severities: the publisher
 * (lib/aws/sns-publisher.ts), the chat relay's per-channel filter (functions/chat-relay.ts) and
 * the stack's subscription filter policies (infra/constructs/alert-topic.ts) all read it, so the
 * names a filter matches cannot drift from the names a message carries.
 *
 * Routing works on one number, `routeRank`: the higher of the alert's own severity and, for a
 * recovery, the severity of the alert it closes. A subscriber with a minimum severity S receives
 * every message with routeRank >= rank(S), so "recovered from critical to ok" reaches the SMS
 * subscriber who was woken by the critical alert, and "recovered from warning to ok" does not.
 */

import type { AlertLevel } from "../risk/levels.js";
import { OK_LEVEL } from "../risk/levels.js";
import type { AlarmEvent } from "./alarm-notice.js";
import type { Alert } from "./messages.js";

/** Severities in order; the index is the rank filter policies compare. */
export const SEVERITIES = ["ok", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** Attribute names as published. SNS allows 10 attributes a message; these are 7. */
export const ATTRIBUTE = {
  account: "account",
  /** What raised it: "margin", "health", "key", "alarm", "test" (and new alert types as they come). */
  kind: "kind",
  /** The change: escalated, recovered, reminder, unreachable, restored, ALARM, OK, test... */
  notice: "notice",
  severity: "severity",
  /** On a recovery only: the severity of the alert it closes. */
  closes: "closes",
  /** Number: max(rank(severity), rank(closes)); what every filter policy compares. */
  routeRank: "routeRank",
  /** "true" on messages from `coinm-guard test-alert`. */
  test: "test",
} as const;

/** What an alert says about itself, before it is written as SNS attributes. */
export interface AlertAttributes {
  readonly account: string;
  readonly kind: string;
  readonly notice: string;
  readonly severity: Severity;
  readonly closes?: Severity;
  readonly test?: boolean;
}

/** The account value of messages about the monitor itself (CloudWatch alarms, tests). */
export const STACK_ACCOUNT = "*";

/**
 * Severity of a margin level: "ok" is ok, the highest configured level is critical, every level
 * below it a warning. A level no longer configured (the config changed while it was held) counts
 * as critical: over-alerting once beats a silent recovery.
 */
export function levelSeverity(level: string, levels: readonly AlertLevel[]): Severity {
  if (level === OK_LEVEL) return "ok";
  const i = levels.findIndex((l) => l.name === level);
  if (i < 0 || i === levels.length - 1) return "critical";
  return "warning";
}

/**
 * Attributes of a monitor alert. Add a case here when an alert type is added; the `never` check
 * makes the compiler point at this switch.
 */
export function alertAttributes(alert: Alert, levels: readonly AlertLevel[]): AlertAttributes {
  switch (alert.type) {
    case "margin": {
      const severity = levelSeverity(alert.level, levels);
      const closes = alert.notice === "recovered" ? levelSeverity(alert.previousLevel, levels) : undefined;
      return {
        account: alert.account,
        kind: alert.type,
        notice: alert.notice,
        severity,
        ...(closes ? { closes } : {}),
      };
    }
    case "health":
      // "Cannot read account" is critical: nothing watches the margin until it is restored.
      return alert.notice === "unreachable"
        ? { account: alert.account, kind: alert.type, notice: alert.notice, severity: "critical" }
        : { account: alert.account, kind: alert.type, notice: alert.notice, severity: "ok", closes: "critical" };
    case "key":
      // A key that can move funds is worth waking someone once; "fixed" reaches the same people.
      return alert.notice === "unsafe"
        ? { account: alert.account, kind: alert.type, notice: alert.notice, severity: "critical" }
        : { account: alert.account, kind: alert.type, notice: alert.notice, severity: "ok", closes: "critical" };
    default: {
      const unknown: never = alert;
      // A type this code does not know yet still reaches everyone rather than no one.
      const a = unknown as { type?: unknown; account?: unknown };
      return {
        account: String(a.account ?? STACK_ACCOUNT),
        kind: String(a.type),
        notice: "unknown",
        severity: "critical",
      };
    }
  }
}

function alarmStateSeverity(state: string | undefined): Severity {
  if (state === "OK") return "ok";
  // No data from the monitor's own metrics is worth a look, not a wake-up.
  if (state === "INSUFFICIENT_DATA") return "warning";
  return "critical";
}

/** Attributes of a CloudWatch alarm state change (the monitor watching itself). */
export function alarmAttributes(alarm: AlarmEvent): AlertAttributes {
  const severity = alarmStateSeverity(alarm.state);
  const base = { account: STACK_ACCOUNT, kind: "alarm", notice: alarm.state, severity };
  if (severity !== "ok") return base;
  // The all-clear reaches whoever got the alarm; an unknown previous state counts as the worst.
  const previous = alarm.previousState === undefined ? "ALARM" : alarm.previousState;
  const closes = alarmStateSeverity(previous);
  return closes === "ok" ? base : { ...base, closes };
}

/** Attributes of a `coinm-guard test-alert` message at the chosen severity. */
export function testAttributes(severity: Severity): AlertAttributes {
  return { account: STACK_ACCOUNT, kind: "test", notice: "test", severity, test: true };
}

export function routeRank(attributes: Pick<AlertAttributes, "severity" | "closes">): number {
  return Math.max(
    severityRank(attributes.severity),
    attributes.closes === undefined ? 0 : severityRank(attributes.closes),
  );
}

/** SNS's MessageAttributeValue, as the Publish API takes it. */
export interface SnsAttributeValue {
  readonly DataType: "String" | "Number";
  readonly StringValue: string;
}

export function toMessageAttributes(attributes: AlertAttributes): Record<string, SnsAttributeValue> {
  const s = (value: string): SnsAttributeValue => ({ DataType: "String", StringValue: value });
  return {
    [ATTRIBUTE.account]: s(attributes.account),
    [ATTRIBUTE.kind]: s(attributes.kind),
    [ATTRIBUTE.notice]: s(attributes.notice),
    [ATTRIBUTE.severity]: s(attributes.severity),
    ...(attributes.closes ? { [ATTRIBUTE.closes]: s(attributes.closes) } : {}),
    [ATTRIBUTE.routeRank]: { DataType: "Number", StringValue: String(routeRank(attributes)) },
    ...(attributes.test ? { [ATTRIBUTE.test]: s("true") } : {}),
  };
}

/**
 * Read attributes back from a delivered SNS record ({Type, Value} per name, as Lambda receives
 * them). Returns undefined when the message does not carry them (published by something else).
 */
export function fromDeliveredAttributes(
  raw: Readonly<Record<string, { readonly Type?: string; readonly Value?: string } | undefined>> | undefined,
): AlertAttributes | undefined {
  const value = (name: string) => raw?.[name]?.Value;
  const severity = value(ATTRIBUTE.severity);
  const account = value(ATTRIBUTE.account);
  const kind = value(ATTRIBUTE.kind);
  if (!isSeverity(severity) || account === undefined || kind === undefined) return undefined;
  const closes = value(ATTRIBUTE.closes);
  return {
    account,
    kind,
    notice: value(ATTRIBUTE.notice) ?? "",
    severity,
    ...(isSeverity(closes) ? { closes } : {}),
    ...(value(ATTRIBUTE.test) === "true" ? { test: true } : {}),
  };
}

/**
 * The body Lambda subscribers (the chat relay) receive: SNS delivers no message attributes with
 * a JSON-structured message, so they travel in the body as well.
 */
export interface LambdaEnvelope {
  readonly attributes: AlertAttributes;
  /** The "default" body: the alert as JSON. */
  readonly body: string;
}

/** Read a LambdaEnvelope; undefined when the text is not one (an older or foreign message). */
export function parseLambdaEnvelope(text: string): LambdaEnvelope | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const { attributes, body } = raw as { attributes?: Record<string, unknown>; body?: unknown };
  if (typeof body !== "string" || typeof attributes !== "object" || attributes === null) return undefined;
  const { account, kind, notice, severity, closes, test } = attributes;
  if (typeof account !== "string" || typeof kind !== "string" || !isSeverity(severity)) return undefined;
  return {
    body,
    attributes: {
      account,
      kind,
      notice: typeof notice === "string" ? notice : "",
      severity,
      ...(isSeverity(closes) ? { closes } : {}),
      ...(test === true ? { test: true } : {}),
    },
  };
}

/** Does a subscriber whose minimum is `min` receive a message with these attributes? */
export function reaches(attributes: AlertAttributes | undefined, min: Severity): boolean {
  // A message without attributes is not ours to drop: everyone gets it.
  if (attributes === undefined) return true;
  return routeRank(attributes) >= severityRank(min);
}

/** An SNS filter policy (scope MessageAttributes), as JSON. */
export type FilterPolicy = Readonly<Record<string, readonly unknown[]>>;

/**
 * The filter policy for a subscriber whose minimum severity is `min`; undefined for "ok", which
 * takes everything, messages without attributes included (no filter at all).
 */
export function filterPolicyFor(min: Severity): FilterPolicy | undefined {
  const rank = severityRank(min);
  if (rank === 0) return undefined;
  return { [ATTRIBUTE.routeRank]: [{ numeric: [">=", rank] }] };
}

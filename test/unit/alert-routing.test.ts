/**
 * Routing by severity: the attributes each alert is published with, evaluated against the
 * subscription filter policies with SNS's own matching rules (sim/sns-filter.ts), for every
 * alert kind and change. The default deploy's table in docs/deploy.md is this test's expectation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AlarmEvent } from "../../lib/alerts/alarm-notice.js";
import {
  type AlertAttributes,
  alarmAttributes,
  alertAttributes,
  filterPolicyFor,
  fromDeliveredAttributes,
  parseLambdaEnvelope,
  reaches,
  SEVERITIES,
  type Severity,
  testAttributes,
  toMessageAttributes,
} from "../../lib/alerts/attributes.js";
import type { Alert } from "../../lib/alerts/messages.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { matchesFilterPolicy, UnsupportedFilterError } from "../../sim/sns-filter.js";
import { snsPublishProblem } from "../../sim/sns-rules.js";
import { anyAlert } from "../support/arbitraries.js";

const AT = "2026-11-27T12:00:00.000Z";
const margin = (notice: "escalated" | "recovered" | "reminder", previousLevel: string, level: string): Alert => ({
  type: "margin",
  id: "id",
  account: "main",
  pool: "BTC",
  poolLabel: "BTC cross",
  poolKind: "cross",
  asset: "BTC",
  notice,
  level,
  previousLevel,
  ratio: 0.5,
  distance: 0.2,
  ratioLevel: level,
  distanceLevel: "ok",
  requirement: "1",
  collateral: "2",
  at: AT,
});
const health = (notice: "unreachable" | "restored"): Alert => ({
  type: "health",
  id: "id",
  account: "main",
  notice,
  failures: 3,
  at: AT,
});
const alarm = (state: string, previousState?: string): AlarmEvent => ({
  alarmName: "CoinmGuard-monitor-stopped",
  alarmArn: "",
  state,
  reason: "",
  time: AT,
  ...(previousState ? { previousState } : {}),
});

/** Receives the message under the default subscriptions: email everything, SMS critical, chat everything. */
function defaultRecipients(attributes: AlertAttributes): string {
  const published = toMessageAttributes(attributes);
  const email = matchesFilterPolicy(filterPolicyFor("ok"), published);
  const sms = matchesFilterPolicy(filterPolicyFor("critical"), published);
  const chat = matchesFilterPolicy(filterPolicyFor("ok"), published);
  return [email && "email", sms && "sms", chat && "chat"].filter(Boolean).join("+");
}

const levels = DEFAULT_ALERT_LEVELS;

describe("what a default deploy sends where", () => {
  it.each([
    ["margin ok -> warning", alertAttributes(margin("escalated", "ok", "warning"), levels), "email+chat"],
    ["margin warning reminder", alertAttributes(margin("reminder", "warning", "warning"), levels), "email+chat"],
    ["margin warning -> ok", alertAttributes(margin("recovered", "warning", "ok"), levels), "email+chat"],
    ["margin ok -> critical", alertAttributes(margin("escalated", "ok", "critical"), levels), "email+sms+chat"],
    [
      "margin warning -> critical",
      alertAttributes(margin("escalated", "warning", "critical"), levels),
      "email+sms+chat",
    ],
    ["margin critical reminder", alertAttributes(margin("reminder", "critical", "critical"), levels), "email+sms+chat"],
    [
      "margin critical -> warning",
      alertAttributes(margin("recovered", "critical", "warning"), levels),
      "email+sms+chat",
    ],
    ["margin critical -> ok", alertAttributes(margin("recovered", "critical", "ok"), levels), "email+sms+chat"],
    ["cannot read account", alertAttributes(health("unreachable"), levels), "email+sms+chat"],
    ["monitoring restored", alertAttributes(health("restored"), levels), "email+sms+chat"],
    ["alarm ALARM", alarmAttributes(alarm("ALARM", "OK")), "email+sms+chat"],
    ["alarm OK after ALARM", alarmAttributes(alarm("OK", "ALARM")), "email+sms+chat"],
    ["alarm INSUFFICIENT_DATA", alarmAttributes(alarm("INSUFFICIENT_DATA", "OK")), "email+chat"],
    ["alarm OK after INSUFFICIENT_DATA", alarmAttributes(alarm("OK", "INSUFFICIENT_DATA")), "email+chat"],
    ["test-alert (default warning)", testAttributes("warning"), "email+chat"],
    ["test-alert --severity critical", testAttributes("critical"), "email+sms+chat"],
  ])("%s -> %s", (_name, attributes, expected) => {
    expect(defaultRecipients(attributes)).toBe(expected);
  });

  it("publishes ok < warning < critical, with cannot-read as critical and recoveries naming what they close", () => {
    expect(alertAttributes(margin("escalated", "ok", "critical"), levels)).toEqual({
      account: "main",
      kind: "margin",
      notice: "escalated",
      severity: "critical",
    });
    expect(toMessageAttributes(alertAttributes(margin("recovered", "critical", "ok"), levels))).toEqual({
      account: { DataType: "String", StringValue: "main" },
      kind: { DataType: "String", StringValue: "margin" },
      notice: { DataType: "String", StringValue: "recovered" },
      severity: { DataType: "String", StringValue: "ok" },
      closes: { DataType: "String", StringValue: "critical" },
      routeRank: { DataType: "Number", StringValue: "2" },
    });
    expect(alertAttributes(health("unreachable"), levels).severity).toBe("critical");
  });

  it("maps custom level names by position: the top level is critical, the ones below warnings", () => {
    const three = [
      { name: "watch", ratio: 0.3 },
      { name: "danger", ratio: 0.6 },
      { name: "liquidation-near", ratio: 0.85 },
    ];
    const sev = (level: string) => alertAttributes(margin("escalated", "ok", level), three).severity;
    expect([sev("watch"), sev("danger"), sev("liquidation-near")]).toEqual(["warning", "warning", "critical"]);
    // A level removed from the config while held: treated as the worst rather than dropped.
    expect(sev("gone")).toBe("critical");
  });
});

describe("per-channel minimum severity", () => {
  const cases: Array<[string, AlertAttributes]> = [
    ["warning", alertAttributes(margin("escalated", "ok", "warning"), levels)],
    ["critical", alertAttributes(margin("escalated", "warning", "critical"), levels)],
    ["warning->ok", alertAttributes(margin("recovered", "warning", "ok"), levels)],
    ["critical->ok", alertAttributes(margin("recovered", "critical", "ok"), levels)],
  ];

  it("smsMinSeverity warning: SMS also gets warnings and the recoveries that close them", () => {
    const policy = filterPolicyFor("warning");
    expect(cases.map(([n, a]) => [n, matchesFilterPolicy(policy, toMessageAttributes(a))])).toEqual([
      ["warning", true],
      ["critical", true],
      ["warning->ok", true],
      ["critical->ok", true],
    ]);
  });

  it("emailMinSeverity critical: email gets only what SMS gets by default", () => {
    const policy = filterPolicyFor("critical");
    expect(cases.map(([n, a]) => [n, matchesFilterPolicy(policy, toMessageAttributes(a))])).toEqual([
      ["warning", false],
      ["critical", true],
      ["warning->ok", false],
      ["critical->ok", true],
    ]);
  });

  it("the relay's per-channel filter agrees with SNS's filter policy for every alert and minimum", () => {
    fc.assert(
      fc.property(anyAlert, fc.constantFrom(...SEVERITIES), (a, min: Severity) => {
        const attributes = alertAttributes(a, levels);
        const published = toMessageAttributes(attributes);
        // As Lambda receives them: {Type, Value}.
        const delivered = fromDeliveredAttributes(
          Object.fromEntries(
            Object.entries(published).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }]),
          ),
        );
        expect(delivered).toEqual(attributes);
        expect(reaches(delivered, min)).toBe(matchesFilterPolicy(filterPolicyFor(min), published));
      }),
      { numRuns: 300 },
    );
  });

  it("the chat relay's envelope carries the same attributes (SNS drops them from JSON-structured messages)", () => {
    fc.assert(
      fc.property(anyAlert, (a) => {
        const attributes = alertAttributes(a, levels);
        const body = JSON.stringify(a);
        expect(parseLambdaEnvelope(JSON.stringify({ attributes, body }))).toEqual({ attributes, body });
      }),
      { numRuns: 200 },
    );
    expect(parseLambdaEnvelope(JSON.stringify({ type: "margin" }))).toBeUndefined();
    expect(parseLambdaEnvelope("not json")).toBeUndefined();
  });

  it("every published attribute set passes SNS's Publish checks", () => {
    fc.assert(
      fc.property(anyAlert, (a) => {
        const input = { Message: "x", MessageAttributes: toMessageAttributes(alertAttributes(a, levels)) };
        expect(snsPublishProblem(input)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("a message without attributes reaches everyone (it is not ours to drop)", () => {
    expect(reaches(undefined, "critical")).toBe(true);
    expect(matchesFilterPolicy(filterPolicyFor("ok"), {})).toBe(true);
  });
});

describe("the filter-policy evaluator follows SNS's rules", () => {
  const s = (v: string) => ({ DataType: "String", StringValue: v });
  const n = (v: number) => ({ DataType: "Number", StringValue: String(v) });

  it("exact strings, OR within a key, AND across keys", () => {
    const policy = { kind: ["margin", "health"], severity: ["critical"] };
    expect(matchesFilterPolicy(policy, { kind: s("margin"), severity: s("critical") })).toBe(true);
    expect(matchesFilterPolicy(policy, { kind: s("alarm"), severity: s("critical") })).toBe(false);
    expect(matchesFilterPolicy(policy, { kind: s("margin"), severity: s("warning") })).toBe(false);
  });

  it("a key whose attribute is missing fails, unless the condition is exists: false", () => {
    expect(matchesFilterPolicy({ routeRank: [{ numeric: [">=", 1] }] }, {})).toBe(false);
    expect(matchesFilterPolicy({ test: [{ exists: false }] }, {})).toBe(true);
    expect(matchesFilterPolicy({ test: [{ exists: false }] }, { test: s("true") })).toBe(false);
  });

  it("numeric ranges match Number attributes only", () => {
    const policy = { routeRank: [{ numeric: [">", 0, "<=", 2] }] };
    expect(matchesFilterPolicy(policy, { routeRank: n(2) })).toBe(true);
    expect(matchesFilterPolicy(policy, { routeRank: n(0) })).toBe(false);
    expect(matchesFilterPolicy(policy, { routeRank: s("2") })).toBe(false);
    expect(matchesFilterPolicy({ routeRank: [2] }, { routeRank: n(2) })).toBe(true);
    expect(matchesFilterPolicy({ routeRank: ["2"] }, { routeRank: n(2) })).toBe(false);
  });

  it("anything-but needs the attribute and excludes the listed values", () => {
    const policy = { kind: [{ "anything-but": ["test", "alarm"] }] };
    expect(matchesFilterPolicy(policy, { kind: s("margin") })).toBe(true);
    expect(matchesFilterPolicy(policy, { kind: s("test") })).toBe(false);
    expect(matchesFilterPolicy(policy, {})).toBe(false);
    expect(matchesFilterPolicy({ routeRank: [{ "anything-but": 0 }] }, { routeRank: n(1) })).toBe(true);
  });

  it("refuses an operator it does not implement instead of guessing", () => {
    expect(() => matchesFilterPolicy({ ip: [{ cidr: "10.0.0.0/8" }] }, { ip: s("10.0.0.1") })).toThrow(
      UnsupportedFilterError,
    );
  });
});

describe("SNS's message attribute checks (stand-in and rig)", () => {
  it.each([
    [{ "AWS.x": { DataType: "String", StringValue: "a" } }, /reserved prefix/],
    [{ a: { DataType: "String", StringValue: "" } }, /non-empty value/],
    [{ a: { DataType: "Number", StringValue: "two" } }, /type Number has an invalid value/],
    [{ a: { DataType: "Text", StringValue: "x" } }, /invalid data type/],
    [{ "a..b": { DataType: "String", StringValue: "x" } }, /name "a..b" is invalid/],
    [
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "x" }])),
      /more than 10/,
    ],
  ])("refuses %j", (attributes, problem) => {
    expect(snsPublishProblem({ Message: "x", MessageAttributes: attributes })).toMatch(problem);
  });
});

/**
 * SNS refuses some Publish calls for good (InvalidParameter, not retried): a subject of 100
 * characters or more among them. Such an alert would stay in the outbox forever and every
 * alert behind it would wait, so the rendering must never produce one. The rig's SNS client
 * enforces SNS's documented constraints (see snsPublishProblem in support/rig.ts).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Alert, renderAlert } from "../../lib/alerts.js";
import { ACCOUNT_PATH } from "../../lib/binance/client.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { hmacKey, minute } from "../support/harness.js";
import { alertTrail, type FaultBackend, snsPublishProblem, startFaultBackend, startRig } from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

/** The longest names config accepts (64 characters), plus shorter ones. */
const name = fc.oneof(
  fc.constantFrom("a".repeat(64), `Z${"9".repeat(63)}`, "main"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
);

describe("alerts SNS will accept", () => {
  it("a 64-character account name: escalation, outage and restore all go out", async () => {
    // Prepare
    const key = hmacKey("x".repeat(64));
    let ratio = 0.85;
    const rig = await startRig(backend, { keys: [key], account: () => accountBody([btcAtRatio(ratio)]) });
    try {
      const monitor = rig.monitor();
      // Act: escalate, lose the account (451: alert at once), get it back at a lower level.
      await monitor.run(minute(0));
      rig.h.exchange.injectFault(
        { kind: "status", status: 451, body: "{}" },
        { apiKey: key.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 10 },
      );
      await monitor.run(minute(1));
      rig.h.exchange.clearFaults();
      ratio = 0.2;
      const last = await monitor.run(minute(2));
      await monitor.run(minute(3));
      // Assess
      const who = "x".repeat(64);
      expect(alertTrail(rig.alerts())).toEqual([
        `${who} BTC escalated:ok->critical`,
        `${who} unreachable@1`,
        `${who} restored@1`,
        `${who} BTC recovered:critical->ok`,
      ]);
      expect(last.accounts[0]?.problems).toEqual([]);
      expect((await rig.inspectStore.loadState(who)).outbox).toEqual({});
    } finally {
      await rig.stop();
    }
  });

  it("every rendered alert passes SNS's Publish checks, and its SMS stays one plain-text segment", () => {
    const alert: fc.Arbitrary<Alert> = fc.oneof(
      fc.record({
        type: fc.constant("margin" as const),
        id: fc.constant("id"),
        account: name,
        asset: fc.stringMatching(/^[A-Z0-9]{1,20}$/),
        notice: fc.constantFrom("escalated" as const, "recovered" as const, "reminder" as const),
        level: name,
        previousLevel: fc.oneof(name, fc.constant("ok")),
        ratio: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: null }),
        maintMargin: fc.constant("123456.12345678"),
        marginBalance: fc.constant("-0.00000001"),
        at: fc.constant("2026-11-24T12:00:00.000Z"),
      }),
      fc.record({
        type: fc.constant("health" as const),
        id: fc.constant("id"),
        account: name,
        notice: fc.constantFrom("unreachable" as const, "restored" as const),
        failures: fc.nat(),
        errorKind: fc.constantFrom("binance-auth", "binance-restricted-location", "secret", "weight-deferred"),
        reason: fc.string({ maxLength: 300 }),
        at: fc.constant("2026-11-24T12:00:00.000Z"),
      }),
    );
    fc.assert(
      fc.property(alert, (a) => {
        const r = renderAlert(a);
        const message = JSON.stringify({ default: JSON.stringify(a), email: r.email, sms: r.sms });
        expect(
          snsPublishProblem({ TopicArn: "arn:x", Subject: r.subject, Message: message, MessageStructure: "json" }),
        ).toBeUndefined();
        // A non-GSM character (such as "…") makes the SMS UCS-2: 70 characters a segment, not 140+.
        expect(r.sms).toMatch(/^[\x20-\x7e]{1,140}$/);
        expect(r.subject).toMatch(/^[\x20-\x7e]+$/);
      }),
      { numRuns: 500 },
    );
  });
});

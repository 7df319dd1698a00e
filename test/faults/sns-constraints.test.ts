/**
 * SNS refuses some Publish calls for good (InvalidParameter, not retried): a subject of 100
 * characters or more among them. Such an alert would stay in the outbox forever and every
 * alert behind it would wait, so the rendering must never produce one. The rig's SNS client
 * enforces SNS's documented constraints (see snsPublishProblem in support/rig.ts).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderAlert } from "../../lib/alerts/messages.js";
import { ACCOUNT_PATH } from "../../lib/binance/client.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { anyAlert } from "../support/arbitraries.js";
import { hmacKey, minute } from "../support/harness.js";
import { alertTrail, type FaultBackend, snsPublishProblem, startFaultBackend, startRig } from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

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
    fc.assert(
      fc.property(anyAlert, (a) => {
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

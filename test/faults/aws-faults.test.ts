/**
 * AWS faults at the cycle level: Secrets Manager throttled, missing or malformed; DynamoDB
 * throttling (through a proxy, so the SDK's own retries run) and conditional-check failures;
 * SNS publish failing. The rule throughout: a snapshot that was read is written even when a
 * later step fails, an alert that could not be published is retried on the next cycle, and
 * nothing is sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_PATH } from "../../lib/binance/client.js";
import type { CycleSummary } from "../../lib/monitor/cycle.js";
import { incompleteAccounts } from "../../lib/monitor.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { asymmetricKey, hmacKey, minute } from "../support/harness.js";
import { alertTrail, type FaultBackend, type Rig, SDK_ATTEMPTS, startFaultBackend, startRig } from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

const main = hmacKey("main");
let ratio = 0.3;

async function mainRig(): Promise<Rig> {
  ratio = 0.3;
  return startRig(backend, { keys: [main], account: () => accountBody([btcAtRatio(ratio)]) });
}

const first = (s: CycleSummary) => {
  const a = s.accounts[0];
  if (!a) throw new Error("no account in the summary");
  return a;
};
const steps = (s: CycleSummary) => first(s).problems.map((p) => `${p.step}:${p.kind}`);
const onTable = (rig: Rig) => (info: { table: string | undefined }) => info.table === rig.h.tableName;
const throttle = { status: 400, code: "ThrottlingException", message: "Rate exceeded" } as const;

describe("Secrets Manager faults", () => {
  it("a throttled read is retried by the SDK and the cycle succeeds", async () => {
    const rig = await mainRig();
    try {
      rig.h.aws.failNextSecretRead(throttle, SDK_ATTEMPTS - 1);
      const s = await rig.monitor().run(minute(0));
      expect(first(s)).toMatchObject({ status: "ok", snapshotWritten: true });
      expect(rig.alerts()).toEqual([]);
    } finally {
      await rig.stop();
    }
  });

  it("throttling past the SDK's retries is transient: no alert until the 3rd failed cycle", async () => {
    const rig = await mainRig();
    try {
      const monitor = rig.monitor();
      const kinds: string[] = [];
      const trails: string[][] = [];
      for (let i = 0; i < 4; i++) {
        rig.h.aws.failNextSecretRead(throttle, SDK_ATTEMPTS);
        const s = await monitor.run(minute(i));
        kinds.push(`${first(s).status}:${first(s).error?.kind}`);
        trails.push(alertTrail(rig.alerts()));
      }
      const restored = await monitor.run(minute(4));
      expect(kinds).toEqual(Array(4).fill("failed:secret"));
      expect(trails).toEqual([[], [], ["main unreachable@3"], ["main unreachable@3"]]);
      expect(rig.alerts()[0]).toMatchObject({ errorKind: "secret", reason: expect.stringMatching(/throttling/) });
      expect(first(restored)).toMatchObject({ status: "ok", snapshotWritten: true });
      expect(alertTrail(rig.alerts())).toEqual(["main unreachable@3", "main restored@4"]);
    } finally {
      await rig.stop();
    }
  });

  const ed = asymmetricKey("ed", "ed25519");
  const unreadable: Array<[string, (rig: Rig) => void, RegExp]> = [
    ["the secret does not exist", (rig) => rig.h.aws.secrets.delete(main.secretId), /does not exist/],
    [
      "the monitor may not read it (AccessDenied)",
      // Not retried by the SDK: one refusal per cycle.
      (rig) =>
        rig.h.aws.failNextSecretRead({ status: 400, code: "AccessDeniedException", message: "not authorized" }, 2),
      /not allowed to read it/,
    ],
    ["the secret has no value yet", (rig) => rig.h.aws.putSecret(main.secretId, " "), /has no value yet/],
    ["the value is not JSON", (rig) => rig.h.aws.putSecret(main.secretId, "apiKey=abc"), /is not JSON/],
    [
      "the private key is not a PEM",
      (rig) =>
        rig.h.aws.putSecret(
          main.secretId,
          JSON.stringify({
            apiKey: ed.exchangeKey.apiKey,
            privateKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----",
          }),
        ),
      /not a readable PEM/,
    ],
    [
      "the value has both apiSecret and privateKey",
      (rig) => rig.h.aws.putSecret(main.secretId, JSON.stringify({ ...JSON.parse(main.secretValue), privateKey: "x" })),
      /exactly one of/,
    ],
  ];
  it.each(unreadable)("%s: alerts on the first cycle, once, and says why", async (_name, breakIt, reason) => {
    const rig = await mainRig();
    try {
      breakIt(rig);
      const monitor = rig.monitor();
      const a = await monitor.run(minute(0));
      const b = await monitor.run(minute(1));
      expect(first(a)).toMatchObject({ status: "failed", error: { kind: "secret" }, snapshotWritten: false });
      expect(first(b)).toMatchObject({ status: "failed" });
      expect(alertTrail(rig.alerts())).toEqual(["main unreachable@1"]);
      expect(rig.alerts()[0]).toMatchObject({ errorKind: "secret", reason: expect.stringMatching(reason) });
      expect(rig.h.exchange.requests).toHaveLength(0);
    } finally {
      await rig.stop();
    }
  });

  it("a revoked key is reported as such even when the re-read of the secret is throttled", async () => {
    const rig = await mainRig();
    try {
      const monitor = rig.monitor();
      await monitor.run(minute(0)); // the key is now cached in this container
      rig.h.exchange.injectFault(
        { kind: "status", status: 401, body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}' },
        { apiKey: main.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 100 },
      );
      rig.h.aws.failNextSecretRead(throttle, SDK_ATTEMPTS);
      const s = await monitor.run(minute(1));
      // Assess: the person must act on the key, so the alert goes out now and names the real cause.
      expect(first(s)).toMatchObject({ status: "failed", error: { kind: "binance-auth" } });
      expect(alertTrail(rig.alerts())).toEqual(["main unreachable@1"]);
      expect(rig.alerts()[0]).toMatchObject({ errorKind: "binance-auth" });
    } finally {
      await rig.stop();
    }
  });
});

describe("DynamoDB faults (ProvisionedThroughputExceeded through the real SDK client)", () => {
  it("a throttled snapshot write is retried by the SDK: one snapshot, one alert", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.6;
      rig.proxy.fail(
        "PutItem",
        "ProvisionedThroughputExceededException",
        SDK_ATTEMPTS - 1,
        (i) => onTable(rig)(i) && i.sk?.startsWith("SNAP#") === true,
      );
      const s = await rig.monitor().run(minute(0));
      expect(first(s)).toMatchObject({ status: "ok", snapshotWritten: true, problems: [] });
      expect(
        rig.proxy.seen.filter((r) => r.table === rig.h.tableName && r.sk?.startsWith("SNAP#") && r.failedWith),
      ).toHaveLength(SDK_ATTEMPTS - 1);
      expect(await rig.snapshots("main")).toHaveLength(1);
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->warning"]);
    } finally {
      await rig.stop();
    }
  });

  it("a snapshot write throttled past the SDK's retries still lets the alert out; a duplicate delivery writes the snapshot once", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.85;
      rig.proxy.fail(
        "PutItem",
        "ProvisionedThroughputExceededException",
        SDK_ATTEMPTS,
        (i) => onTable(rig)(i) && i.sk?.startsWith("SNAP#") === true,
      );
      const s = await rig.monitor().run(minute(0));
      // Assess: the read and the alert happened; the invocation reports itself incomplete (Lambda retries it).
      expect(first(s)).toMatchObject({ status: "ok", snapshotWritten: false });
      expect(steps(s)).toEqual(["write-snapshot:ProvisionedThroughputExceededException"]);
      expect(incompleteAccounts(s)).toEqual(["main"]);
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->critical"]);
      expect(await rig.snapshots("main")).toHaveLength(0);

      // Act: the same scheduled time again, in another container. The stack turns Lambda's own
      // retries off (retryAttempts 0), so this is an EventBridge duplicate or a manual
      // `run-once --cycle-time`; without one, that minute's snapshot stays missing.
      const again = await rig.monitor().run(minute(0));
      expect(first(again)).toMatchObject({ status: "ok", snapshotWritten: true, problems: [] });
      expect((await rig.snapshots("main")).map((x) => x.takenAt)).toEqual([minute(0).toISOString()]);
      expect(rig.alerts()).toHaveLength(1);
    } finally {
      await rig.stop();
    }
  });

  it.each([
    ["reading the alert state (GetItem)", "GetItem", "the same time delivered again"],
    ["writing the alert state (PutItem)", "PutItem", "the same time delivered again"],
    ["reading the alert state (GetItem)", "GetItem", "only the next scheduled cycle"],
    ["writing the alert state (PutItem)", "PutItem", "only the next scheduled cycle"],
  ] as const)(
    "%s throttled past retries: the snapshot is still written; with %s, the escalation goes out once",
    async (_name, operation, then) => {
      const rig = await mainRig();
      try {
        ratio = 0.85;
        rig.proxy.fail(
          operation,
          "ProvisionedThroughputExceededException",
          SDK_ATTEMPTS,
          (i) => onTable(rig)(i) && i.sk === "STATE",
        );
        const s = await rig.monitor().run(minute(0));
        expect(first(s)).toMatchObject({ status: "ok", snapshotWritten: true, alertsSent: [] });
        expect(steps(s)).toEqual(["alert-state:ProvisionedThroughputExceededException"]);
        expect(incompleteAccounts(s)).toEqual(["main"]);
        expect(rig.alerts()).toEqual([]);
        expect(await rig.snapshots("main")).toHaveLength(1);

        // A duplicate delivery (EventBridge is at-least-once) or `run-once --cycle-time` re-applies
        // the same minute; the deployed stack does not retry a failed run (retryAttempts 0), so
        // otherwise the next minute decides again on fresh data.
        const redelivered = then === "the same time delivered again";
        if (redelivered)
          expect(first(await rig.monitor().run(minute(0)))).toMatchObject({
            snapshotWritten: "duplicate",
            problems: [],
          });
        await rig.monitor().run(minute(1));
        await rig.monitor().run(minute(2));
        expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->critical"]);
        expect(rig.alerts()[0]?.at).toBe(minute(redelivered ? 0 : 1).toISOString());
        expect(await rig.inspectStore.loadState("main")).toMatchObject({
          lastCycleAt: minute(2).toISOString(),
          outbox: {},
        });
      } finally {
        await rig.stop();
      }
    },
  );

  it("a throttled acknowledgement is retried by the SDK: the alert is sent once", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.6;
      rig.proxy.fail("UpdateItem", "ProvisionedThroughputExceededException", SDK_ATTEMPTS - 1, onTable(rig));
      const monitor = rig.monitor();
      const s = await monitor.run(minute(0));
      await monitor.run(minute(1));
      await monitor.run(minute(2));
      expect(first(s)).toMatchObject({ problems: [] });
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->warning"]);
      expect((await rig.inspectStore.loadState("main")).outbox).toEqual({});
    } finally {
      await rig.stop();
    }
  });

  it("an acknowledgement lost past retries: held until the invocation's hold runs out, then sent once more (at-least-once)", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.6;
      rig.proxy.fail("UpdateItem", "ProvisionedThroughputExceededException", SDK_ATTEMPTS, onTable(rig));
      const s = await rig.monitor().run(minute(0));
      // Published, but the outbox could not be told: the invocation reports itself incomplete.
      expect(steps(s)).toEqual(["alert-state:ProvisionedThroughputExceededException"]);
      expect(incompleteAccounts(s)).toEqual(["main"]);
      expect(Object.keys((await rig.inspectStore.loadState("main")).outbox)).toHaveLength(1);
      // An overlapping invocation while the first one could still be publishing leaves it alone.
      await rig.monitor().run(minute(1));
      expect(rig.alerts()).toHaveLength(1);
      // Once the hold has run out (the first invocation is long dead), the next cycle sends it again.
      const later = () => Date.now() + 5 * 60_000;
      await rig.monitor({ now: later }).run(minute(2));
      await rig.monitor({ now: later }).run(minute(3));
      // SNS cannot deduplicate for email/SMS: a lost acknowledgement costs one repeat, never a miss.
      const id = `${minute(0).toISOString()}#main#BTC#escalated`;
      expect(rig.alerts().map((a) => a.id)).toEqual([id, id]);
      expect((await rig.inspectStore.loadState("main")).outbox).toEqual({});
    } finally {
      await rig.stop();
    }
  });

  it("an invocation that dies while publishing: its alert waits for the hold, then goes out once", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.85;
      // Prepare: this "container" claims the alert and then never returns from Publish (killed by the timeout).
      const stuck = rig.monitor({ publisher: { publish: () => new Promise<void>(() => {}) } });
      void stuck.run(minute(0), Date.now() + 1000);
      await expect.poll(async () => Object.keys((await rig.inspectStore.loadState("main")).outbox).length).toBe(1);
      // Act: the next cycle comes while the hold is on, then one after it has run out.
      await rig.monitor().run(minute(1));
      const during = rig.alerts().length;
      await rig.monitor({ now: () => Date.now() + 60_000 }).run(minute(2));
      // Assess
      expect(during).toBe(0);
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->critical"]);
      expect(rig.alerts()[0]?.id).toBe(`${minute(0).toISOString()}#main#BTC#escalated`);
      expect((await rig.inspectStore.loadState("main")).outbox).toEqual({});
    } finally {
      await rig.stop();
    }
  });

  it("a conditional-check failure on the state write re-reads and re-decides: one alert", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.85;
      rig.proxy.fail("PutItem", "ConditionalCheckFailedException", 2, (i) => onTable(rig)(i) && i.sk === "STATE");
      const s = await rig.monitor().run(minute(0));
      expect(first(s)).toMatchObject({ status: "ok", snapshotWritten: true, problems: [] });
      expect(rig.h.logLines.filter((l) => l.includes("alert state changed concurrently"))).toHaveLength(2);
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->critical"]);
    } finally {
      await rig.stop();
    }
  });

  it("a state write that keeps conflicting gives up and reports it; the next cycle alerts once", async () => {
    const rig = await mainRig();
    try {
      ratio = 0.85;
      rig.proxy.fail("PutItem", "ConditionalCheckFailedException", 5, (i) => onTable(rig)(i) && i.sk === "STATE");
      const s = await rig.monitor().run(minute(0));
      expect(steps(s)).toEqual(["alert-state:state-conflict"]);
      expect(incompleteAccounts(s)).toEqual(["main"]);
      expect(rig.alerts()).toEqual([]);
      await rig.monitor().run(minute(1));
      await rig.monitor().run(minute(2));
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->critical"]);
      expect(rig.alerts()[0]?.at).toBe(minute(1).toISOString());
    } finally {
      await rig.stop();
    }
  });
});

describe("SNS faults", () => {
  const snsThrottle = { status: 400, code: "Throttling", message: "Rate exceeded" } as const;

  it("publish failing for two cycles: the alert goes out on the third, once; snapshots are all written", async () => {
    const rig = await mainRig();
    try {
      const monitor = rig.monitor();
      await monitor.run(minute(0));
      ratio = 0.85;
      rig.h.aws.failNextPublish(snsThrottle, 2 * SDK_ATTEMPTS);
      const a = await monitor.run(minute(1));
      const b = await monitor.run(minute(2));
      const c = await monitor.run(minute(3));
      await monitor.run(minute(4));
      expect([a, b, c].map((s) => `${first(s).alertsSent.length}/${first(s).alertsPending}`)).toEqual([
        "0/1",
        "0/1",
        "1/0",
      ]);
      expect(steps(a)).toEqual(["publish:publish"]);
      expect(incompleteAccounts(a)).toEqual([]);
      expect(rig.alerts().map((x) => x.id)).toEqual([`${minute(1).toISOString()}#main#BTC#escalated`]);
      expect(await rig.snapshots("main")).toHaveLength(5);
      expect((await rig.inspectStore.loadState("main")).outbox).toEqual({});
    } finally {
      await rig.stop();
    }
  });

  it("a retried escalation is delivered before the recovery that follows it", async () => {
    const rig = await mainRig();
    try {
      const monitor = rig.monitor();
      await monitor.run(minute(0));
      ratio = 0.85;
      rig.h.aws.failNextPublish(snsThrottle, SDK_ATTEMPTS);
      await monitor.run(minute(1)); // escalation pending
      ratio = 0.2;
      rig.h.aws.failNextPublish(snsThrottle, SDK_ATTEMPTS); // SNS still failing for the first publish of this cycle
      await monitor.run(minute(2)); // the recovery is decided now
      await monitor.run(minute(3));
      await monitor.run(minute(4));
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->critical", "main BTC recovered:critical->ok"]);
      expect((await rig.inspectStore.loadState("main")).outbox).toEqual({});
    } finally {
      await rig.stop();
    }
  });

  it("an unreadable account while SNS is down: the health alert is kept and sent when SNS is back", async () => {
    const rig = await mainRig();
    try {
      const monitor = rig.monitor();
      rig.h.exchange.injectFault(
        { kind: "status", status: 451, body: '{"code":0,"msg":"restricted location"}' },
        { apiKey: main.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 100 },
      );
      rig.h.aws.failNextPublish({ status: 500, code: "InternalError" }, SDK_ATTEMPTS);
      const a = await monitor.run(minute(0));
      const b = await monitor.run(minute(1));
      expect(first(a)).toMatchObject({ status: "failed", alertsPending: 1 });
      expect(first(b).alertsSent.map((x) => x.notice)).toEqual(["unreachable"]);
      await monitor.run(minute(2));
      expect(alertTrail(rig.alerts())).toEqual(["main unreachable@1"]);
    } finally {
      await rig.stop();
    }
  });
});

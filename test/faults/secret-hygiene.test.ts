/**
 * Security: distinctive API keys, HMAC secrets and private-key PEMs go through full cycles and
 * every error path the loopback servers can produce, and none of them, nor a signed query
 * string, may appear in anything the monitor leaves behind: log lines, cycle summaries and
 * metrics, errors thrown by its adapters (with their causes), DynamoDB items, SNS messages.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ACCOUNT_PATH } from "../../lib/binance/client.js";
import type { CycleSummary } from "../../lib/monitor/cycle.js";
import { cycleMetrics } from "../../lib/monitor/metrics.js";
import { summaryLogFields } from "../../lib/monitor.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import type { Fault } from "../../sim/exchange/faults.js";
import { asymmetricKey, minute, type TestKey, TOPIC_ARN } from "../support/harness.js";
import { lambdaContext, scheduledEvent } from "../support/lambda-context.js";
import { type FaultBackend, type Rig, SDK_ATTEMPTS, startFaultBackend, startRig } from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

function canaryHmac(name: string): TestKey {
  const apiKey = `CanaryApiKey${randomBytes(24).toString("hex")}`;
  const apiSecret = `CanaryApiSecret${randomBytes(24).toString("hex")}`;
  return {
    name,
    secretId: `coinm-guard/${name}`,
    exchangeKey: { type: "hmac", apiKey, apiSecret },
    secretValue: JSON.stringify({ apiKey, apiSecret }),
  };
}

/** Every string that must never leave the monitor, for one key. */
function needles(key: TestKey): string[] {
  const out = [key.exchangeKey.apiKey];
  if (key.exchangeKey.type === "hmac") out.push(key.exchangeKey.apiSecret);
  const pem = (JSON.parse(key.secretValue) as { privateKey?: string }).privateKey;
  if (pem) {
    const body = pem.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));
    // Whole base64 lines: the shared ASN.1 prefix of a line alone says nothing about the key.
    out.push(body.join(""), ...body.filter((l) => l.length >= 40));
  }
  return out;
}

/** Wrap an adapter so every error it throws is kept for inspection, then rethrown unchanged. */
function recording<T extends object>(port: T, thrown: unknown[]): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          thrown.push(err);
          throw err;
        }
      };
    },
  });
}

function errorText(err: unknown): string {
  return `${String(err)}\n${err instanceof Error ? err.stack : ""}\n${inspect(err, { depth: 10 })}`;
}

describe("secrets never leave the monitor", () => {
  it("through full cycles and every error path: logs, summaries, errors, items and alerts are clean", async () => {
    // Prepare: one account per path, HMAC and Ed25519 (and one RSA) keys.
    const ok = canaryHmac("hmac-ok");
    const edOk = asymmetricKey("ed-ok", "ed25519");
    const rsaOk = asymmetricKey("rsa-ok", "rsa");
    const sig = canaryHmac("hmac-1022");
    const revoked = asymmetricKey("ed-2015", "ed25519");
    const echo = canaryHmac("hmac-echo");
    const echoEd = asymmetricKey("ed-echo", "ed25519");
    const html = canaryHmac("hmac-html");
    const reset = asymmetricKey("ed-reset", "ed25519");
    const hang = canaryHmac("hmac-hang");
    const badBody = asymmetricKey("ed-badbody", "ed25519");
    const notJson = canaryHmac("secret-not-json");
    const badPem = asymmetricKey("secret-bad-pem", "ed25519");
    const badApiKey = canaryHmac("secret-bad-apikey");
    const throttled = canaryHmac("secret-throttled");
    const keys = [
      ok,
      edOk,
      rsaOk,
      sig,
      revoked,
      echo,
      echoEd,
      html,
      reset,
      hang,
      badBody,
      notJson,
      badPem,
      badApiKey,
      throttled,
    ];
    const rig: Rig = await startRig(backend, { keys, account: () => accountBody([btcAtRatio(0.62)]) });
    try {
      const { exchange, aws } = rig.h;
      const fault = (key: TestKey, f: Fault) =>
        exchange.injectFault(f, { apiKey: key.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 1000 });
      const echoed = (key: TestKey) =>
        `X-MBX-APIKEY ${key.exchangeKey.apiKey} rejected for /dapi/v1/account?recvWindow=5000&timestamp=1&signature=${"ab".repeat(32)}`;
      fault(sig, {
        kind: "status",
        status: 400,
        body: '{"code":-1022,"msg":"Signature for this request is not valid."}',
      });
      fault(revoked, {
        kind: "status",
        status: 401,
        body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}',
      });
      // Upstreams (or proxies in front of them) that echo the request back in their error text.
      fault(echo, { kind: "status", status: 400, body: JSON.stringify({ code: -1100, msg: echoed(echo) }) });
      fault(echoEd, { kind: "status", status: 503, body: JSON.stringify({ code: -1001, msg: echoed(echoEd) }) });
      fault(html, { kind: "status", status: 502, body: `<html><body>Bad gateway for ${echoed(html)}</body></html>` });
      fault(reset, { kind: "reset" });
      fault(hang, { kind: "hang", ms: 2000 });
      fault(badBody, {
        kind: "body",
        body: JSON.stringify({
          assets: [{ asset: "BTC", walletBalance: revoked.exchangeKey.apiKey, marginBalance: "1", maintMargin: "1" }],
        }),
      });
      aws.putSecret(
        notJson.secretId,
        `apiKey=${notJson.exchangeKey.apiKey}&apiSecret=${(notJson.exchangeKey as { apiSecret: string }).apiSecret}`,
      );
      const pem = (JSON.parse(badPem.secretValue) as { privateKey: string }).privateKey;
      aws.putSecret(
        badPem.secretId,
        JSON.stringify({ apiKey: badPem.exchangeKey.apiKey, privateKey: pem.slice(0, pem.length - 60) }),
      );
      aws.putSecret(
        badApiKey.secretId,
        JSON.stringify({
          apiKey: `${badApiKey.exchangeKey.apiKey}-!`,
          apiSecret: (badApiKey.exchangeKey as { apiSecret: string }).apiSecret,
        }),
      );

      const thrown: unknown[] = [];
      const summaries: CycleSummary[] = [];
      const container = (env: Record<string, string> = {}) => {
        const m = rig.monitor({ env, binance: { requestTimeoutMs: 300, maxAttempts: 2 } });
        const exchangePort = recording(m.deps.exchange, thrown);
        const secrets = recording(m.deps.secrets, thrown);
        const state = recording(m.deps.state, thrown);
        const snapshots = recording(m.deps.snapshots, thrown);
        const publisher = recording(m.deps.publisher, thrown);
        return rig.monitor({ env, exchange: exchangePort, secrets, state, snapshots, publisher });
      };

      // Act: a plain cycle; SNS failing while reminders are due; DynamoDB throttled; Secrets
      // Manager throttled, then refusing; a skewed clock; a last plain cycle.
      summaries.push(await container().run(minute(0)));
      aws.failNextPublish({ status: 500, code: "InternalError", message: "publish failed" }, 20 * SDK_ATTEMPTS);
      summaries.push(await container({ RENOTIFY_MINUTES: "1" }).run(minute(1)));
      rig.proxy.fail("PutItem", "ProvisionedThroughputExceededException", 1000, (i) => i.table === rig.h.tableName);
      summaries.push(await container().run(minute(2)));
      rig.proxy.clear();
      // Stand-in faults are consumed per request: one read per account in a new container (x SDK attempts if retried).
      aws.failNextSecretRead(
        { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
        keys.length * SDK_ATTEMPTS,
      );
      summaries.push(await container().run(minute(3)));
      aws.failNextSecretRead({ status: 400, code: "AccessDeniedException", message: "denied" }, keys.length);
      summaries.push(await container().run(minute(4)));
      exchange.clockOffsetMs = -3000;
      summaries.push(await container({ RECV_WINDOW_MS: "1000" }).run(minute(5)));
      exchange.clockOffsetMs = 0;
      summaries.push(await container().run(minute(6)));

      // Assess: the paths were really taken...
      const kinds = new Set(
        summaries.flatMap((s) => s.accounts.flatMap((a) => [a.error?.kind, ...a.problems.map((p) => p.kind)])),
      );
      for (const kind of [
        "binance-signature",
        "binance-auth",
        "binance-request",
        "binance-unavailable",
        "binance-bad-response",
        "secret",
        "ProvisionedThroughputExceededException",
        "publish",
      ]) {
        expect(kinds).toContain(kind);
      }
      expect(
        summaries[0]?.accounts
          .filter((a) => a.status === "ok")
          .map((a) => a.account)
          .sort(),
      ).toEqual(["ed-ok", "hmac-ok", "rsa-ok", "secret-throttled"]);
      expect(thrown.length).toBeGreaterThan(20);
      expect(rig.alerts().length).toBeGreaterThan(5);
      expect(rig.h.logLines.some((l) => l.includes("clock resynced"))).toBe(true);

      // ...and nothing secret came out of any of them.
      const haystacks: Record<string, string> = {
        logs: rig.h.logLines.join("\n"),
        summaries: JSON.stringify(summaries),
        summaryLines: JSON.stringify(summaries.map(summaryLogFields)),
        metrics: JSON.stringify(summaries.map((s) => cycleMetrics(s, { ratioMetrics: "per-asset", timestamp: 0 }))),
        thrown: thrown.map(errorText).join("\n"),
        items: JSON.stringify(await rig.items()),
        sns: JSON.stringify(rig.h.aws.published),
      };
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.length, where).toBeGreaterThan(0);
        for (const key of keys)
          for (const needle of needles(key))
            expect(text, `${where} leaks a secret of ${key.name}`).not.toContain(needle);
        expect(text, `${where} leaks a signed query`).not.toContain("signature=");
      }
    } finally {
      await rig.stop();
    }
  });

  it("through the Lambda handler itself: its stdout (logs, metrics, summary) and the error it throws are clean", async () => {
    // Prepare: the handler reads its configuration and AWS endpoints from the environment at import.
    const ok = canaryHmac("ok");
    const ed = asymmetricKey("ed", "ed25519");
    const echo = canaryHmac("echo");
    const revoked = asymmetricKey("revoked", "ed25519");
    const conflicted = canaryHmac("conflicted");
    const keys = [ok, ed, echo, revoked, conflicted];
    const rig = await startRig(backend, { keys, account: () => accountBody([btcAtRatio(0.9)]) });
    const saved = { ...process.env };
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    try {
      const { exchange, aws } = rig.h;
      exchange.injectFault(
        {
          kind: "status",
          status: 400,
          body: JSON.stringify({
            code: -1100,
            msg: `bad X-MBX-APIKEY ${echo.exchangeKey.apiKey} in ?timestamp=1&signature=${"cd".repeat(32)}`,
          }),
        },
        { apiKey: echo.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 10 },
      );
      exchange.injectFault(
        { kind: "status", status: 401, body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}' },
        { apiKey: revoked.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 10 },
      );
      const pem = (JSON.parse(ed.secretValue) as { privateKey: string }).privateKey;
      aws.putSecret(ed.secretId, JSON.stringify({ apiKey: ed.exchangeKey.apiKey, privateKey: pem.slice(0, 70) }));
      // One account's state write keeps conflicting, so the invocation fails (and trips the Errors alarm).
      rig.proxy.fail(
        "PutItem",
        "ConditionalCheckFailedException",
        5,
        (i) => i.table === rig.h.tableName && i.pk === "ACCT#conflicted" && i.sk === "STATE",
      );
      for (const name of Object.keys(process.env)) if (name.startsWith("AWS_")) delete process.env[name];
      Object.assign(process.env, {
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "loopback",
        AWS_SECRET_ACCESS_KEY: "loopback",
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: rig.proxy.endpoint,
        SNAPSHOT_TABLE: rig.h.tableName,
        ALERT_TOPIC_ARN: TOPIC_ARN,
        ACCOUNTS: JSON.stringify(keys.map((k) => ({ name: k.name, secretId: k.secretId }))),
        BINANCE_BASE_URL: rig.h.baseUrl,
        BINANCE_USDM_BASE_URL: rig.h.baseUrl,
        BINANCE_STREAM_URL: rig.h.stream.endpoint,
        BINANCE_SPOT_BASE_URL: rig.h.baseUrl,
        BINANCE_PM_BASE_URL: rig.h.baseUrl,
        LOG_LEVEL: "debug",
        // Metrics on, so their lines are searched too; no re-reads (the "ok" account escalates).
        RATIO_METRICS: "per-asset",
        FAST_POLL_SECONDS: "0",
      });
      vi.resetModules();
      const { handler } = await import("../../functions/monitor.js");
      const REQUEST_ID = "9f3c2a1e-5d4b-4c3a-8e2f-1a2b3c4d5e6f";

      // Act
      let thrown: unknown;
      try {
        await handler(scheduledEvent(minute(0)), lambdaContext({ requestId: REQUEST_ID, remainingMs: 20_000 }));
      } catch (err) {
        thrown = err;
      }
      write.mockRestore();

      // Assess: the handler did run every path and failed the invocation as designed...
      expect(thrown).toMatchObject({ kind: "cycle-incomplete" });
      const lines = written
        .join("")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.message === "cycle complete")).toMatchObject({ ok: 2, failed: 3 });
      // Every log line (not the EMF metric documents) carries the invocation's request id, the monitor's own included.
      const logLines = lines.filter((l) => l.message !== undefined);
      expect(logLines.length).toBeGreaterThan(5);
      for (const l of logLines) expect(l.requestId, String(l.message)).toBe(REQUEST_ID);
      expect(lines.some((l) => l._aws !== undefined)).toBe(true);
      // "ok" escalates; the broken PEM and the revoked key need a person at once; the echo is transient.
      expect(
        rig
          .alerts()
          .map((a) => `${String(a.account)}:${String(a.notice)}`)
          .sort(),
      ).toEqual(["ed:unreachable", "ok:escalated", "revoked:unreachable"]);
      // ...and said nothing secret while doing so.
      const haystacks = {
        stdout: written.join(""),
        thrown: errorText(thrown),
        sns: JSON.stringify(aws.published),
        items: JSON.stringify(await rig.items()),
      };
      for (const [where, text] of Object.entries(haystacks)) {
        for (const key of keys)
          for (const needle of needles(key))
            expect(text, `${where} leaks a secret of ${key.name}`).not.toContain(needle);
        expect(text, `${where} leaks a signed query`).not.toContain("signature=");
      }
    } finally {
      write.mockRestore();
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      await rig.stop();
    }
  });
});

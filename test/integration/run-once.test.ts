import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { type Harness, hmacKey, publishedAlerts, startHarness, TOPIC_ARN } from "../support/harness.js";

const run = promisify(execFile);
const main = hmacKey("main");
const missing = hmacKey("missing");
let ratio = 0.3;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ keys: [main], account: () => accountBody([btcAtRatio(ratio)]) });
});
afterAll(() => h.stop());

/** `npm run guard -- run-once` as a user runs it: a child process with only environment variables. */
async function runOnce(
  accounts: object[],
  cycleTime: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "loopback",
    AWS_SECRET_ACCESS_KEY: "loopback",
    // The generic variable serves SNS and Secrets Manager; the service-specific one wins for DynamoDB.
    AWS_ENDPOINT_URL: h.aws.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: h.dynamoEndpoint,
    SNAPSHOT_TABLE: h.tableName,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    ACCOUNTS: JSON.stringify(accounts),
    BINANCE_BASE_URL: h.baseUrl,
    BINANCE_SPOT_BASE_URL: h.baseUrl,
  };
  try {
    const out = await run(process.execPath, ["--import", "tsx", "bin/cli.ts", "run-once", "--cycle-time", cycleTime], {
      env,
    });
    return { code: 0, ...out };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("run-once (the Lambda's cycle from the command line)", () => {
  it("writes a snapshot and publishes exactly the alert the policy implies", async () => {
    ratio = 0.3;
    const first = await runOnce([{ name: "main", secretId: main.secretId }], "2026-11-24T12:00:00Z");
    expect(first.code).toBe(0);
    ratio = 0.62;
    const second = await runOnce([{ name: "main", secretId: main.secretId }], "2026-11-24T12:01:00Z");
    expect(second.code).toBe(0);

    const summary = JSON.parse(second.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(summary).toMatchObject({ message: "cycle complete", ok: 1, failed: 0, alertsSent: 1 });
    expect(publishedAlerts(h.aws).map((a) => `${a.account} ${a.asset} ${a.notice} ${a.level}`)).toEqual([
      "main BTC escalated warning",
    ]);
    const latest = await h.store.latestSnapshot("main");
    expect(latest).toMatchObject({
      takenAt: "2026-11-24T12:01:00.000Z",
      assets: [{ asset: "BTC", marginRatio: 0.62, level: "warning" }],
    });
    for (const line of second.stdout.trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("exits non-zero and names the account when one cannot be read", async () => {
    const out = await runOnce(
      [
        { name: "main", secretId: main.secretId },
        { name: "missing", secretId: missing.secretId },
      ],
      "2026-11-24T12:02:00Z",
    );
    expect(out.code).toBe(1);
    const errorLine = out.stdout.split("\n").find((l) => l.includes('"cannot read account"'));
    expect(JSON.parse(errorLine ?? "{}")).toMatchObject({ account: "missing", kind: "secret", level: "error" });
    expect(out.stdout).not.toContain((main.exchangeKey as { apiSecret: string }).apiSecret);
  });

  it("exits 1 with a message naming the bad variable when the config is invalid", async () => {
    const out = await runOnce([], "2026-11-24T12:03:00Z");
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("ACCOUNTS: must be a non-empty JSON array");
  });
});

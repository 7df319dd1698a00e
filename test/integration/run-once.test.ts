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

/** The AWS part of a user's shell: loopback endpoints, and no ~/.aws files or instance metadata to fall back on. */
function awsEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "loopback",
    AWS_SECRET_ACCESS_KEY: "loopback",
    // The generic variable serves SNS, Secrets Manager, Lambda and CloudFormation; the service-specific one wins for DynamoDB.
    AWS_ENDPOINT_URL: h.aws.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: h.dynamoEndpoint,
  };
}

function monitorEnv(accounts: object[]): Record<string, string> {
  return {
    SNAPSHOT_TABLE: h.tableName,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    ACCOUNTS: JSON.stringify(accounts),
    BINANCE_BASE_URL: h.baseUrl,
    BINANCE_USDM_BASE_URL: h.baseUrl,
    BINANCE_STREAM_URL: h.stream.endpoint,
    BINANCE_SPOT_BASE_URL: h.baseUrl,
    BINANCE_PM_BASE_URL: h.baseUrl,
  };
}

/** `npm run guard -- run-once` as a user runs it: a child process with only environment variables. */
async function runOnce(
  accounts: object[],
  cycleTime: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runOnceWith({ ...awsEnv(), ...monitorEnv(accounts) }, ["--cycle-time", cycleTime]);
}

async function runOnceWith(
  env: Record<string, string | undefined>,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, ["--import", "tsx", "bin/cli.ts", "run-once", ...args], {
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

  it("reports every bad variable at once, LOG_LEVEL and ALERT_TOPIC_ARN included, before any AWS call", async () => {
    const out = await runOnceWith(
      {
        ...awsEnv(),
        ...monitorEnv([{ name: "main", secretId: main.secretId }]),
        SNAPSHOT_TABLE: "",
        ALERT_TOPIC_ARN: "coinm-guard-alerts",
        HYSTERESIS: "5%",
        LOG_LEVEL: "verbose",
      },
      ["--cycle-time", "2026-11-24T12:04:00Z"],
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    const lines = out.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("coinm-guard run-once: 4 configuration problems:");
    expect(lines.slice(1, 5)).toEqual([
      "  - SNAPSHOT_TABLE: is required but not set",
      '  - ALERT_TOPIC_ARN: is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME): "coinm-guard-alerts"',
      '  - HYSTERESIS: must be a number, got "5%"',
      '  - LOG_LEVEL: must be one of debug, info, warn, error, got "verbose"',
    ]);
  });

  it("says in one line that the region is missing, or the credentials", async () => {
    const env = { ...awsEnv(), ...monitorEnv([{ name: "main", secretId: main.secretId }]) };
    const noRegion = await runOnceWith({ ...env, AWS_REGION: undefined }, []);
    expect(noRegion).toMatchObject({ code: 1, stdout: "" });
    expect(noRegion.stderr).toBe("coinm-guard run-once: no AWS region set (pass --region or set AWS_REGION)\n");
    const noCredentials = await runOnceWith(
      { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      [],
    );
    expect(noCredentials).toMatchObject({ code: 1, stdout: "" });
    expect(noCredentials.stderr).toMatch(/^coinm-guard run-once: no AWS credentials found \(.*\)\n$/);
  });

  it("with --stack, runs with the deployed function's configuration (read from Lambda), shell values overriding", async () => {
    h.aws.stacks.set("Guard", { SnapshotTableName: h.tableName, MonitorFunctionName: "Guard-MonitorFunction-AbC123" });
    h.aws.functions.set("Guard-MonitorFunction-AbC123", {
      ...monitorEnv([{ name: "main", secretId: main.secretId }]),
      NODE_OPTIONS: "--enable-source-maps",
      LOG_LEVEL: "warn",
    });
    ratio = 0.3;
    const out = await runOnceWith({ ...awsEnv(), LOG_LEVEL: "info" }, [
      "--stack",
      "Guard",
      "--cycle-time",
      "2026-11-24T12:05:00Z",
    ]);
    expect(out.stderr).toBe(
      'Using the configuration of stack "Guard"\'s monitor function; from the shell instead: LOG_LEVEL.\n',
    );
    expect(out.code).toBe(0);
    // LOG_LEVEL=info from the shell, not the function's warn: the summary line is logged.
    expect(JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
      message: "cycle complete",
      ok: 1,
    });
    expect(await h.store.latestSnapshot("main")).toMatchObject({ takenAt: "2026-11-24T12:05:00.000Z" });
  });

  it("with --stack, takes the accounts from the stack's AccountList when the function reads them from its accounts.json", async () => {
    const { ACCOUNTS: _inFile, ...variables } = monitorEnv([]);
    const levels = { alertLevels: [{ name: "warning", ratio: 0.4 }] };
    h.aws.stacks.set("Big", {
      SnapshotTableName: h.tableName,
      MonitorFunctionName: "Big-MonitorFunction-AbC123",
      AccountList: JSON.stringify([{ name: "main", secretId: main.secretId, levels }]),
    });
    h.aws.functions.set("Big-MonitorFunction-AbC123", { ...variables, ACCOUNTS_FILE: "accounts.json" });
    ratio = 0.45;
    const out = await runOnceWith(awsEnv(), ["--stack", "Big", "--cycle-time", "2026-11-24T12:07:00Z"]);
    expect(out.stderr).toBe('Using the configuration of stack "Big"\'s monitor function.\n');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
      message: "cycle complete",
      ok: 1,
    });
    // The account's own warning level (0.4) from the list, below the stack's 0.5: the read is at warning.
    expect(await h.store.latestSnapshot("main")).toMatchObject({
      takenAt: "2026-11-24T12:07:00.000Z",
      assets: [{ asset: "BTC", marginRatio: 0.45, level: "warning" }],
    });

    h.aws.stacks.set("NoList", { SnapshotTableName: h.tableName, MonitorFunctionName: "Big-MonitorFunction-AbC123" });
    const noList = await runOnceWith(awsEnv(), ["--stack", "NoList"]);
    expect(noList.code).toBe(1);
    expect(noList.stderr).toMatch(/^coinm-guard run-once: stack "NoList" has no AccountList output/);
  });

  it("with --stack, names a stack or function that does not exist in one line", async () => {
    const noStack = await runOnceWith(awsEnv(), ["--stack", "Nope"]);
    expect(noStack.code).toBe(1);
    expect(noStack.stderr).toBe(
      'coinm-guard run-once: stack "Nope" not found in eu-west-1: deploy it, pass --stack/--region, or name the table with --table\n',
    );
    h.aws.stacks.set("Gone", { MonitorFunctionName: "Gone-MonitorFunction-X" });
    const noFunction = await runOnceWith(awsEnv(), ["--stack", "Gone"]);
    expect(noFunction.code).toBe(1);
    expect(noFunction.stderr).toMatch(
      /^coinm-guard run-once: cannot read function "Gone-MonitorFunction-X": Function not found/,
    );
  });
});

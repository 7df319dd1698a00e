/**
 * `status` shows each account's API key as the monitor's daily check recorded it in the state
 * item (dynalite): permissions, IP restriction, key age, last check, and a failed last check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStatusCommand } from "../../bin/commands/status.js";
import { DynamoDbStore } from "../../lib/aws/dynamodb-store.js";
import type { StatusReport } from "../../lib/history/status.js";
import type { KeyCheckState } from "../../lib/keys/policy.js";
import { CliWorld, run } from "./support/harness.js";

const NOW = new Date("2026-10-04T12:00:00.000Z");
const TABLE = "status-keys-test";
const world = new CliWorld();
const at = (iso: string) => Date.parse(iso);

const checks: Record<string, KeyCheckState | undefined> = {
  main: {
    lastAttemptAt: at("2026-10-04T09:00:00Z"),
    lastCheckedAt: at("2026-10-04T09:00:00Z"),
    permissions: { ipRestricted: false, reading: true, dangerous: [], createdAt: at("2026-01-15T00:00:00Z") },
    alerted: [],
  },
  "desk-b": {
    lastAttemptAt: at("2026-10-04T11:00:00Z"),
    lastCheckedAt: at("2026-10-04T11:00:00Z"),
    permissions: {
      ipRestricted: true,
      reading: true,
      dangerous: ["enableWithdrawals", "enableFutures"],
      createdAt: at("2026-09-04T12:00:00Z"),
    },
    alerted: ["enableWithdrawals", "enableFutures"],
  },
  flaky: {
    lastAttemptAt: at("2026-10-04T10:00:00Z"),
    lastCheckedAt: at("2026-10-03T10:00:00Z"),
    lastErrorKind: "binance-unavailable",
    permissions: { ipRestricted: true, reading: true, dangerous: [] },
    alerted: [],
  },
  fresh: undefined,
};

beforeAll(async () => {
  await world.start();
  await world.table(TABLE);
  const store = new DynamoDbStore(world.dynamodb, TABLE);
  for (const [account, keyCheck] of Object.entries(checks)) {
    await store.saveState(
      account,
      {
        version: 1,
        pools: {},
        health: { consecutiveFailures: 0, alerted: false },
        outbox: {},
        ...(keyCheck ? { keyCheck } : {}),
      },
      0,
    );
  }
}, 60_000);

afterAll(async () => {
  await world.stop();
});

async function status(argv: readonly string[]) {
  const deps = world.deps({ now: NOW });
  return run(createStatusCommand(deps), [...argv, "--table", TABLE, "--interval", "1m"], deps);
}

const ACCOUNTS = ["--account", "main,desk-b,flaky,fresh,unknown"];

describe("status: API keys", () => {
  it("lists each account's key permissions, IP restriction, age and last check", async () => {
    const r = await status(ACCOUNTS);
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("API keys:"), r.stdout.indexOf("Open alerts"));
    expect(section).toBe(
      [
        "API keys:",
        "  main    read-only; no IP restriction; created 2026-01-15 (262d 12h ago); checked 3h 00m ago",
        "  desk-b  UNSAFE: can withdraw and trade (withdrawals, futures trading); IP-restricted; created 2026-09-04 (30d 0h ago); checked 1h 00m ago",
        "  flaky   read-only; IP-restricted; checked 1d 2h ago; last check failed (binance-unavailable), tried again daily",
        "  fresh   not checked yet (the monitor checks each key once a day)",
        "",
        "",
      ].join("\n"),
    );
  });

  it("gives the same in JSON", async () => {
    const r = await status([...ACCOUNTS, "--format", "json"]);
    const report = JSON.parse(r.stdout) as StatusReport;
    const key = (account: string) => report.accounts.find((a) => a.account === account)?.key;
    expect(key("main")).toEqual({
      verdict: "read-only",
      ipRestricted: false,
      dangerous: [],
      createdAt: "2026-01-15T00:00:00.000Z",
      keyAgeMs: NOW.getTime() - at("2026-01-15T00:00:00Z"),
      checkedAt: "2026-10-04T09:00:00.000Z",
    });
    expect(key("desk-b")).toMatchObject({ verdict: "unsafe", dangerous: ["enableWithdrawals", "enableFutures"] });
    expect(key("flaky")).toMatchObject({ verdict: "read-only", lastErrorKind: "binance-unavailable" });
    expect(key("fresh")).toEqual({ verdict: "unchecked" });
    expect(key("unknown")).toBeUndefined();
  });
});

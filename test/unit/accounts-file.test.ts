/**
 * The account list from accounts.json (ACCOUNTS_FILE), as the deployed function reads it at cold
 * start, and ACCOUNTS, which run-once and local use keep setting. One parser for both.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNTS_FILE_NAME, configProblems, loadAccounts, loadConfig } from "../../lib/config.js";
import { ConfigError } from "../../lib/core/errors.js";

const base = { SNAPSHOT_TABLE: "snapshots", ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts" };
const inFile = [
  { name: "main", secretId: "CoinmGuard/main" },
  { name: "hot", secretId: "binance/keys#hot", levels: { alertLevels: [{ name: "warning", ratio: 0.6 }] } },
];
let dir: string;

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "coinm-guard-accounts-file-"));
  writeFileSync(join(dir, ACCOUNTS_FILE_NAME), JSON.stringify(inFile));
  writeFileSync(join(dir, "broken.json"), "[{");
  writeFileSync(join(dir, "dup.json"), JSON.stringify([inFile[0], inFile[0]]));
});

describe("ACCOUNTS_FILE", () => {
  it("is read relative to the function's directory (LAMBDA_TASK_ROOT), levels and all", () => {
    const config = loadConfig({ ...base, ACCOUNTS_FILE: ACCOUNTS_FILE_NAME, LAMBDA_TASK_ROOT: dir });
    expect(config.accounts).toEqual(inFile);
    expect(loadAccounts({ ACCOUNTS_FILE: join(dir, ACCOUNTS_FILE_NAME) })).toEqual(inFile);
  });

  it("gives way to ACCOUNTS, so run-once and local runs need no file", () => {
    const accounts = loadAccounts({
      ACCOUNTS: '[{"name": "local", "secretId": "s"}]',
      ACCOUNTS_FILE: "missing.json",
      LAMBDA_TASK_ROOT: dir,
    });
    expect(accounts).toEqual([{ name: "local", secretId: "s" }]);
  });

  it("names the file and the problem: missing, not JSON, or a bad entry (the same checks as ACCOUNTS)", () => {
    const missing = errorOf(() => loadAccounts({ ACCOUNTS_FILE: "nope.json", LAMBDA_TASK_ROOT: dir }));
    expect(missing.variable).toBe("ACCOUNTS_FILE");
    expect(missing.message).toBe('ACCOUNTS_FILE: cannot read "nope.json" (ENOENT)');
    expect(errorOf(() => loadAccounts({ ACCOUNTS_FILE: "broken.json", LAMBDA_TASK_ROOT: dir })).message).toBe(
      "ACCOUNTS_FILE: is not valid JSON",
    );
    expect(errorOf(() => loadAccounts({ ACCOUNTS_FILE: "dup.json", LAMBDA_TASK_ROOT: dir })).message).toBe(
      'ACCOUNTS_FILE: account name "main" appears twice',
    );
  });

  it("still requires one of the two, by the old name", () => {
    expect(errorOf(() => loadAccounts({})).message).toBe("ACCOUNTS: is required but not set");
    expect(
      configProblems({ ...base, ACCOUNTS_FILE: "nope.json", LAMBDA_TASK_ROOT: dir }).map((p) => p.message),
    ).toEqual(['ACCOUNTS_FILE: cannot read "nope.json" (ENOENT)']);
  });

  it("checks each account's levels against the stack's, as for ACCOUNTS", () => {
    const path = join(dir, "high.json");
    writeFileSync(
      path,
      JSON.stringify([{ name: "a", secretId: "s", levels: { alertLevels: [{ name: "warning", ratio: 1.5 }] } }]),
    );
    expect(() => loadConfig({ ...base, ACCOUNTS_FILE: path })).toThrow(ConfigError);
  });
});

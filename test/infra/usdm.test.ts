/**
 * USD-M in the deployed stack (issue 19): on by default; `"usdm": false` in the config turns it
 * off for the stack (USDM=off), in an account for that account (its accounts.json entry), and
 * `binanceUsdmBaseUrl` is checked and passed like the other Binance hosts.
 */
import { describe, expect, it } from "vitest";
import { DeployConfigError, resolveConfig } from "../../infra/config/index.js";
import { loadConfig } from "../../lib/config.js";
import { monitorVariables, shippedConfig, synth, TEST_RECIPIENTS } from "./support.js";

const base = (): Record<string, unknown> => ({ ...shippedConfig(), ...TEST_RECIPIENTS });

function problemsOf(raw: unknown): string[] {
  try {
    resolveConfig(raw);
  } catch (err) {
    if (err instanceof DeployConfigError) return [...err.problems];
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

describe("USD-M settings at synth", () => {
  it("is on by default: no USDM variable, the core's default host", () => {
    const vars = monitorVariables(synth({}).template);
    expect(vars.USDM).toBeUndefined();
    expect(vars.BINANCE_USDM_BASE_URL).toBeUndefined();
  });

  it('"usdm": false turns it off for the stack; a proxy for fapi rides like the others', () => {
    const vars = monitorVariables(
      synth({ usdm: false, binanceUsdmBaseUrl: "https://fapi-proxy.example.net:8443" }).template,
    );
    expect(vars).toMatchObject({ USDM: "off", BINANCE_USDM_BASE_URL: "https://fapi-proxy.example.net:8443" });
  });

  it('an account\'s "usdm": false reaches its accounts.json entry, and the core reads it', () => {
    const { stack } = synth({
      accounts: [
        { name: "main", createSecret: true },
        { name: "coinonly", secretName: "binance/coinonly", usdm: false },
      ],
    });
    expect(stack.monitor.accountList).toEqual([
      { name: "main", secretId: expect.any(String) },
      { name: "coinonly", secretId: "binance/coinonly", usdm: false },
    ]);
    const config = loadConfig({
      ACCOUNTS: JSON.stringify(stack.monitor.accountList),
      SNAPSHOT_TABLE: "t",
      ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
    });
    expect(config.accounts.map((a) => a.usdm)).toEqual([undefined, false]);
  });

  it("refuses a plain-http fapi URL and a non-boolean switch, naming the key", () => {
    expect(problemsOf({ ...base(), binanceUsdmBaseUrl: "http://proxy.example.com" })[0]).toMatch(
      /^binanceUsdmBaseUrl: must use https/,
    );
    expect(problemsOf({ ...base(), usdm: "no" })[0]).toMatch(/^usdm: /);
    expect(problemsOf({ ...base(), accounts: [{ name: "main", createSecret: true, usdm: "off" }] }).join("\n")).toMatch(
      /accounts\[0\]\.usdm: must be true or false/,
    );
  });
});

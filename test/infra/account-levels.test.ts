/**
 * Per-account levels from cdk.json into the function's account list (accounts.json in its asset;
 * test/infra/stack.test.ts reads the bundled file), and back through the core's loader: what
 * synth writes is what the Lambda reads and checks.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config.js";
import { monitorVariables, synth } from "./support.js";

describe("per-account levels in the deployed function", () => {
  it("ride in the account list beside the secret, and the core's loader accepts them", () => {
    const levels = {
      alertLevels: [
        { name: "warning", ratio: 0.7 },
        { name: "critical", ratio: 0.9 },
      ],
      assets: { BTCUSD_PERP: { distanceLevels: [{ name: "critical", distance: 0.01 }] } },
    };
    const { template, stack } = synth({
      accounts: [
        { name: "main", createSecret: true },
        { name: "hot", secretName: "binance/hot", ...levels },
      ],
    });
    const vars = monitorVariables(template);
    const accountsText = JSON.stringify(stack.monitor.accountList);
    expect(JSON.parse(accountsText)).toEqual([
      { name: "main", secretId: expect.any(String) },
      { name: "hot", secretId: "binance/hot", levels },
    ]);
    const env = Object.fromEntries(
      Object.entries(vars).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
    ) as Record<string, string>;
    const config = loadConfig({
      ...env,
      ACCOUNTS: accountsText,
      SNAPSHOT_TABLE: "t",
      ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
    });
    expect(config.accounts[1]?.levels?.alertLevels).toEqual(levels.alertLevels);
  });
});

/**
 * Per-account levels from cdk.json into the function's ACCOUNTS variable, and back through the
 * core's loader: what synth writes is what the Lambda reads and checks.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config.js";
import { joinToString, logicalIdStartingWith, synth } from "./support.js";

describe("per-account levels in the deployed function", () => {
  it("ride in ACCOUNTS beside the secret, and the core's loader accepts them", () => {
    const levels = {
      alertLevels: [
        { name: "warning", ratio: 0.7 },
        { name: "critical", ratio: 0.9 },
      ],
      assets: { BTCUSD_PERP: { distanceLevels: [{ name: "critical", distance: 0.01 }] } },
    };
    const { template } = synth({
      accounts: [
        { name: "main", createSecret: true },
        { name: "hot", secretName: "binance/hot", ...levels },
      ],
    });
    const fnId = logicalIdStartingWith(template, "AWS::Lambda::Function", "MonitorFunction");
    const fn = template.findResources("AWS::Lambda::Function")[fnId] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    const vars = fn.Properties.Environment.Variables;
    const accountsText = joinToString(vars.ACCOUNTS);
    expect(JSON.parse(accountsText)).toEqual([
      { name: "main", secretId: expect.any(String) },
      { name: "hot", secretId: "binance/hot", levels },
    ]);
    const env = Object.fromEntries(
      Object.entries(vars).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
    ) as Record<string, string>;
    const config = loadConfig({ ...env, ACCOUNTS: accountsText, SNAPSHOT_TABLE: "t", ALERT_TOPIC_ARN: "arn:t" });
    expect(config.accounts[1]?.levels?.alertLevels).toEqual(levels.alertLevels);
  });
});

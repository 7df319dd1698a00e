/**
 * Per-account and per-asset levels end to end: the ACCOUNTS variable as the stack writes it
 * (levels validated by the core), a cycle against the loopback exchange, and the alerts that go
 * out through the SNS stand-in, with their routing attributes. Two accounts see the same ratios:
 * one on the global levels (warning 50%, critical 80%), one run hot on purpose with its own levels,
 * and a tighter critical for ETH alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/core/errors.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { hmacKey, minute, publishedAlerts, startHarness, TOPIC_ARN } from "../support/harness.js";

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.stop());

const eth = (ratio: number) => ({ asset: "ETH", walletBalance: "10.00000000", maintMargin: (10 * ratio).toFixed(8) });

const HOT_LEVELS = {
  alertLevels: [
    { name: "warning", ratio: 0.7 },
    { name: "critical", ratio: 0.9 },
  ],
  assets: { ETH: { alertLevels: [{ name: "critical", ratio: 0.75 }] } },
};

describe("per-account and per-asset levels", () => {
  it("each account and asset is judged by its own levels, and its alerts carry the matching severity", async () => {
    const main = hmacKey("main");
    const hot = hmacKey("hot");
    const ratios = [0.6, 0.78, 0.86];
    let i = 0;
    const h = await startHarness({
      keys: [main, hot],
      account: () => accountBody([btcAtRatio(ratios[i] ?? 0), eth(ratios[i] ?? 0)]),
      dynamo,
    });
    try {
      const accounts = [
        { name: "main", secretId: main.secretId },
        { name: "hot", secretId: hot.secretId, levels: HOT_LEVELS },
      ];
      const monitor = h.monitor({ ACCOUNTS: JSON.stringify(accounts), RENOTIFY_MINUTES: "0" });
      for (i = 0; i < ratios.length; i++) await h.cycle(minute(i), monitor);

      const trail = publishedAlerts(h.aws).map((a) => `${a.account} ${a.pool} ${a.previousLevel}->${a.level}`);
      expect(trail.sort()).toEqual(
        [
          // Global levels: warning at 60%, critical at 86%, for both assets.
          "main BTC ok->warning",
          "main ETH ok->warning",
          "main BTC warning->critical",
          "main ETH warning->critical",
          // hot: BTC on the account's levels (warning from 70%: 78%; critical from 90%: never),
          // ETH on its own (critical from 75%: 78%; no warning level of its own).
          "hot BTC ok->warning",
          "hot ETH ok->critical",
        ].sort(),
      );
      // Severity follows the level's name, wherever its threshold was set.
      const hotEth = h.aws.published.find(
        (p) => p.message.includes('\\"account\\":\\"hot\\"') && p.message.includes("ETH"),
      );
      expect(hotEth?.messageAttributes.severity?.StringValue).toBe("critical");
      expect(hotEth?.topicArn).toBe(TOPIC_ARN);

      // The snapshot records the level each pool was judged at, which `status` shows.
      const levelsOf = async (account: string) =>
        Object.fromEntries(((await h.store.latestSnapshot(account))?.pools ?? []).map((p) => [p.id, p.level]));
      expect(await levelsOf("hot")).toEqual({ BTC: "warning", ETH: "critical" });
      expect(await levelsOf("main")).toEqual({ BTC: "critical", ETH: "critical" });
    } finally {
      await h.stop();
    }
  });

  it("the core refuses an override outside the level names, out of order, or under the hysteresis", async () => {
    const key = hmacKey("x");
    const h = await startHarness({ keys: [key], account: () => accountBody([btcAtRatio(0.1)]), dynamo });
    try {
      const bad = (levels: unknown) => () =>
        h.config({ ACCOUNTS: JSON.stringify([{ name: "x", secretId: key.secretId, levels }]) });
      expect(bad({ alertLevels: [{ name: "danger", ratio: 0.6 }] })).toThrow(/"danger" is not one of the alert levels/);
      expect(
        bad({
          alertLevels: [
            { name: "critical", ratio: 0.6 },
            { name: "warning", ratio: 0.7 },
          ],
        }),
      ).toThrow(/ratios must rise in the alert levels' order/);
      expect(bad({ alertLevels: [{ name: "warning", ratio: 0.04 }] })).toThrow(/above hysteresis/);
      expect(bad({ assets: { btc: {} } })).toThrow(ConfigError);
      expect(
        bad({
          distanceLevels: [
            { name: "warning", distance: 0.02 },
            { name: "critical", distance: 0.05 },
          ],
        }),
      ).toThrow(/its distance must be smaller/);
    } finally {
      await h.stop();
    }
  });
});

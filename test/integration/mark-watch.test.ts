/**
 * The watch between signed reads (issue 20) end to end: the monitor as createMonitor wires it,
 * the loopback exchange's margin engine (signed bodies, leverageBracket, exchangeInfo), the
 * loopback mark price stream publishing the engine's marks, dynalite and the SNS stand-in. Tests
 * move prices (`engine.setMark`) at a moment between two signed reads and look at what SNS got.
 *
 * The spec's isolated long (3,000 BTCUSD_PERP @ 60,000, 0.2924 BTC wallet) is liquidated near
 * 56,968: distance warning (10%) at about 63,298, critical (3%) at about 58,730.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderAlert } from "../../lib/alerts/messages.js";
import type { Monitor } from "../../lib/monitor.js";
import { MarginEngine } from "../../sim/engine/coinm/engine.js";
import { isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";
import { type Harness, hmacKey, publishedAlerts, startHarness } from "../support/harness.js";

const key = hmacKey("main");
const engine = new MarginEngine([[key.exchangeKey.apiKey, isolatedNearLiquidationExample(62_000)]]);
let h: Harness;

/** A 6 s schedule with re-reads every 3 s: the stream must beat the next re-read by far. */
const ENV = { SCHEDULE_INTERVAL_SECONDS: "6", FAST_POLL_SECONDS: "3" };

beforeAll(async () => {
  h = await startHarness({ keys: [key], account: undefined, exchange: { engine }, streamIntervalMs: 100 });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.aws.published.length = 0;
});

/** One invocation: the scheduled cycle, then the watch; `during` runs once the watch is under way. */
async function invoke(monitor: Monitor, cycleTime: Date, during?: () => Promise<void>) {
  const deadlineMs = Date.now() + 20_000;
  const first = await monitor.run({ cycleTime, deadlineMs });
  const watching = monitor.watch({ first, cycleTime, deadlineMs });
  await during?.();
  return { first, watch: await watching };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next scheduled time, at least a schedule interval after the last one, waited for. */
let lastCycle = 0;
async function nextCycle(): Promise<Date> {
  const at = Math.max(Math.ceil(Date.now() / 1000) * 1000, lastCycle + 6000);
  lastCycle = at;
  await wait(Math.max(0, at - Date.now()));
  return new Date(at);
}
const marginAlerts = () => publishedAlerts(h.aws).filter((a) => a.type === "margin");
const signedCalls = (path: string) => h.exchange.requests.filter((r) => r.path === path && r.status === 200).length;

describe("the mark price stream between signed reads", () => {
  it("an account at warning crossing to critical is alerted from the mark, before the next read, once", async () => {
    // Prepare: at 62,000 the isolated long is at warning (8.1% from liquidation).
    engine.setMark("BTCUSD_PERP", 62_000);
    const monitor = h.monitor(ENV);
    const cycleTime = await nextCycle();
    let crossedAt = 0;
    let readsBeforeAlert = 0;

    // Act: 600 ms into the watch (the next re-read is 3 s after the cycle), the mark falls to 58,500.
    const { first, watch } = await invoke(monitor, cycleTime, async () => {
      await wait(600);
      readsBeforeAlert = signedCalls("/dapi/v1/account");
      engine.setMark("BTCUSD_PERP", 58_500);
      crossedAt = Date.now();
      const started = Date.now();
      while (!h.aws.published.some((p) => (p.subject ?? "").includes("CRITICAL")) && Date.now() - started < 5000) {
        await wait(10);
      }
    });

    // Assess: warning from the read, critical from the mark within ~1 stream interval, no duplicate.
    const alerts = marginAlerts();
    expect(first.accounts[0]?.pools.find((p) => p.kind === "isolated")?.level).toBe("warning");
    expect(alerts.map((a) => [a.level, a.source ?? "read"])).toEqual([
      ["warning", "read"],
      ["critical", "mark-price"],
    ]);
    const critical = alerts[1] as Record<string, unknown>;
    expect(critical).toMatchObject({ pool: "BTCUSD_PERP#BOTH", notice: "escalated", previousLevel: "warning" });
    expect((critical.nearest as Record<string, unknown>).markPrice).toBe("58500");
    expect(critical.distance as number).toBeLessThan(0.03);
    const publishedAt = h.aws.published.find((p) => (p.subject ?? "").includes("CRITICAL"));
    expect(publishedAt).toBeDefined();
    // No signed read happened between the crossing and the alert: it came from the stream.
    expect(readsBeforeAlert).toBe(1);
    expect(watch.checks.some((c) => c.alertsSent.length === 1)).toBe(true);
    // The re-reads after it confirm the level: no second critical, no recovery.
    expect(watch.rereads.length).toBeGreaterThanOrEqual(1);
    expect(watch.watched).toEqual({ atRisk: ["main"], withinReach: [] });
    expect(watch.stream).toMatchObject({ started: true, malformed: 0 });
    expect(crossedAt).toBeGreaterThan(0);
    const rendered = renderAlert(critical as never);
    expect(rendered.sms).toContain("rose to CRITICAL (was warning) at mark");
    // A long pool label and "at mark" cost the ratio figure, never the remedy at the end.
    expect(rendered.sms.length).toBeLessThanOrEqual(140);
    expect(rendered.sms).toMatch(/ Add [0-9.]+ BTC$/);
    expect(rendered.email).toContain("Source: Binance's mark price stream, between two signed reads");
  });

  it("marks never lower a level: only a signed read recovers", async () => {
    // Prepare: critical at 58,500 held in the state from the test above.
    engine.setMark("BTCUSD_PERP", 58_500);
    const monitor = h.monitor({ ...ENV, FAST_POLL_SECONDS: "2.5" });
    const cycleTime = await nextCycle();

    // Act: the mark recovers to 70,000 at once; the stream sees it long before the re-read.
    const { watch } = await invoke(monitor, cycleTime, async () => {
      await wait(200);
      engine.setMark("BTCUSD_PERP", 70_000);
    });

    // Assess: the recovery notice comes from the re-read (source: read), never from a mark.
    const alerts = marginAlerts();
    expect(alerts.every((a) => a.source === undefined)).toBe(true);
    expect(alerts.map((a) => a.notice)).toContain("recovered");
    expect(watch.checks.every((c) => c.alertsSent.length === 0)).toBe(true);
  });

  it("a calm account within reach is watched by the stream alone, and alerted when the crash starts", async () => {
    // Prepare: at 63,700 the long is 10.6% from liquidation: calm, 0.6% from warning.
    engine.setMark("BTCUSD_PERP", 63_700);
    const warm = h.monitor(ENV);
    // A read at a calm mark first, so the state holds "ok".
    await invoke(warm, await nextCycle());
    h.aws.published.length = 0;
    const accountReads = signedCalls("/dapi/v1/account");
    const cycleTime = await nextCycle();

    // Act: 500 ms into the watch, a 3% fall.
    const { first, watch } = await invoke(warm, cycleTime, async () => {
      await wait(500);
      engine.setMark("BTCUSD_PERP", 61_800);
    });

    // Assess
    expect(first.accounts[0]?.pools.every((p) => p.level === "ok")).toBe(true);
    expect(watch.watched).toEqual({ atRisk: [], withinReach: ["main"] });
    const alerts = marginAlerts();
    expect(alerts[0]).toMatchObject({ level: "warning", source: "mark-price", previousLevel: "ok" });
    // Before the crash, no signed re-read: the stream alone watched (one scheduled read).
    expect(signedCalls("/dapi/v1/account") - accountReads).toBe(1 + watch.rereads.length);
    expect(watch.rereads.length).toBeLessThanOrEqual(1);
  });

  it("a calm account out of reach costs one read: no stream, no re-read, no bracket call", async () => {
    // Prepare
    engine.setMark("BTCUSD_PERP", 90_000);
    const monitor = h.monitor(ENV);
    const before = { connections: h.stream.connections, brackets: signedCalls("/dapi/v2/leverageBracket") };
    const cycleTime = await nextCycle();

    // Act
    const started = Date.now();
    const { watch } = await invoke(monitor, cycleTime);

    // Assess
    expect(watch.watched).toEqual({ atRisk: [], withinReach: [] });
    expect(watch.rereads).toHaveLength(0);
    expect(watch.stream).toBeUndefined();
    expect(h.stream.connections).toBe(before.connections);
    expect(signedCalls("/dapi/v2/leverageBracket")).toBe(before.brackets);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a dead stream falls back to signed re-reads for an account within reach, never to silence", async () => {
    // Prepare: within reach again, and the stream host refuses every connection.
    engine.setMark("BTCUSD_PERP", 63_700);
    const monitor = h.monitor(ENV);
    await invoke(monitor, await nextCycle());
    h.stream.refuseUpgrades(1000);
    const cycleTime = await nextCycle();

    // Act
    const { watch } = await invoke(monitor, cycleTime, async () => {
      await wait(200);
      engine.setMark("BTCUSD_PERP", 61_800);
    });
    h.stream.refuseUpgrades(0);

    // Assess: no mark arrived, the re-read at +3 s raised the warning (source: read).
    expect(watch.stream?.marks ?? 0).toBe(0);
    expect(watch.rereads.length).toBeGreaterThanOrEqual(1);
    expect(marginAlerts().find((a) => a.level === "warning")).toMatchObject({ notice: "escalated" });
    expect(marginAlerts().find((a) => a.level === "warning")?.source).toBeUndefined();
  });
});

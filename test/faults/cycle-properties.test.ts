/**
 * Properties of the alert policy at the cycle level: `runCycle` with in-memory ports, compared
 * with an independent model of the policy (support/model.ts). The unit-level properties of
 * decideAsset/decideHealth are in test/unit/alert-policy.test.ts; these add what the cycle does
 * around them: several assets, assets that come and go, reminders on the schedule, failed
 * reads, and publishes that fail and are retried, with nothing lost, repeated or reordered.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../lib/alerts/messages.js";
import { StaticSecretSource } from "../../lib/aws/secrets-source.js";
import { loadConfig } from "../../lib/config.js";
import { BinanceAuthError, BinanceUnavailableError } from "../../lib/core/errors.js";
import { silentLogger } from "../../lib/core/log.js";
import { type CycleDeps, runCycle } from "../../lib/monitor/cycle.js";
import { minute } from "../support/harness.js";
import { FlakyPublisher, MemoryStore, ScriptedExchange } from "./support/memory-ports.js";
import { DEFAULT_MODEL, type ModelNotice, type ModelSettings, modelNotices } from "./support/model.js";

const ACCOUNT = "prop";
const SECRET = JSON.stringify({ apiKey: `K${"1".repeat(40)}`, apiSecret: "s".repeat(40) });

/** One cycle of a scenario: the read (ratios per asset, an asset left out when absent) or a failure. */
type Step =
  | { readonly kind: "read"; readonly ratios: Readonly<Record<string, number>> }
  | { readonly kind: "fail"; readonly needsHuman: boolean };

const ratioArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 120 }).map((n) => n / 100) },
  { weight: 2, arbitrary: fc.constantFrom(0.45, 0.5, 0.75, 0.8) },
  { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) },
);
const readArb: fc.Arbitrary<Step> = fc
  .record({ BTC: ratioArb, ETH: fc.option(ratioArb, { freq: 4, nil: undefined }) })
  .map(({ BTC, ETH }): Step => ({ kind: "read", ratios: ETH === undefined ? { BTC } : { BTC, ETH } }));
const failArb: fc.Arbitrary<Step> = fc.record({ kind: fc.constant("fail" as const), needsHuman: fc.boolean() });

function harness(renotifyMinutes: number) {
  const config = loadConfig({
    SNAPSHOT_TABLE: "t",
    ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
    ACCOUNTS: JSON.stringify([{ name: ACCOUNT, secretId: "s" }]),
    BINANCE_BASE_URL: "http://127.0.0.1:1",
    BINANCE_PM_BASE_URL: "http://127.0.0.1:1",
    RENOTIFY_MINUTES: String(renotifyMinutes),
  });
  const store = new MemoryStore();
  const exchange = new ScriptedExchange();
  const publisher = new FlakyPublisher();
  let wallMs = 0;
  const deps: CycleDeps = {
    secrets: new StaticSecretSource(new Map([["s", SECRET]])),
    exchange,
    snapshots: store,
    state: store,
    publisher,
    log: silentLogger,
    now: () => wallMs,
  };
  const run = async (t: number, step: Step) => {
    exchange.next =
      step.kind === "read"
        ? { ratios: step.ratios }
        : {
            error: step.needsHuman
              ? new BinanceAuthError("key rejected", 401, -2015)
              : new BinanceUnavailableError("503"),
          };
    // The wall clock runs with the schedule, a second after each scheduled time.
    wallMs = minute(t).getTime() + 1000;
    return runCycle(config, deps, { cycleTime: minute(t), deadlineMs: wallMs + 30_000 });
  };
  return { run, store, publisher };
}

/** The model's margin notices per asset (absent = ratio 0) and its health notices, over the steps. */
function expected(steps: readonly Step[], settings: ModelSettings) {
  const perAsset: Record<string, ModelNotice[]> = {};
  for (const asset of ["BTC", "ETH"]) {
    // An asset missing from the account counts as ratio 0 (closed out), as the cycle defines it.
    const observations = steps.flatMap((s, t) =>
      s.kind === "read" ? [{ atMs: minute(t).getTime(), ratio: s.ratios[asset] ?? 0 }] : [],
    );
    perAsset[asset] = modelNotices(settings, observations).notices;
  }
  const health: string[] = [];
  let failures = 0;
  let alerted = false;
  steps.forEach((s, t) => {
    if (s.kind === "fail") {
      failures++;
      if (!alerted && (s.needsHuman || failures >= 3)) {
        health.push(`unreachable@${failures}@${t}`);
        alerted = true;
      }
    } else {
      if (alerted) health.push(`restored@${failures}@${t}`);
      failures = 0;
      alerted = false;
    }
  });
  return { perAsset, health };
}

function delivered(alerts: readonly Alert[]) {
  const perAsset: Record<string, ModelNotice[]> = { BTC: [], ETH: [] };
  const health: string[] = [];
  for (const a of alerts) {
    const t = (Date.parse(a.at) - minute(0).getTime()) / 60_000;
    if (a.type === "health") health.push(`${a.notice}@${a.failures}@${t}`);
    else if (a.type === "margin")
      perAsset[a.asset]?.push({ atMs: Date.parse(a.at), notice: a.notice, from: a.previousLevel, to: a.level });
  }
  return { perAsset, health };
}

describe("the cycle's alerts as a property of any sequence of observations", () => {
  it("with every read and publish succeeding: exactly the model's level changes, at once, never twice in a row", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(readArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { run, publisher, store } = harness(0);
        const deliveredBy: number[] = [];
        for (const [t, step] of steps.entries()) {
          await run(t, step);
          deliveredBy.push(publisher.delivered.length);
        }
        const got = delivered(publisher.delivered);
        const want = expected(steps, DEFAULT_MODEL);
        expect(got.perAsset).toEqual(want.perAsset);
        expect(got.health).toEqual([]);
        for (const notices of Object.values(got.perAsset)) {
          notices.forEach((n, i) => {
            if (i > 0) expect(`${n.notice}:${n.to}`).not.toBe(`${notices[i - 1]?.notice}:${notices[i - 1]?.to}`);
          });
        }
        // Every alert went out during the very cycle that decided it, not later.
        publisher.delivered.forEach((a, i) => {
          const t = (Date.parse(a.at) - minute(0).getTime()) / 60_000;
          expect(i).toBeLessThan(deliveredBy[t] ?? -1);
          expect(i).toBeGreaterThanOrEqual(t > 0 ? (deliveredBy[t - 1] ?? 0) : 0);
        });
        expect(store.snapshots.size).toBe(steps.length);
      }),
      { numRuns: 150 },
    );
  });

  it("with reminders every 3 minutes: reminders only while a level holds, spaced by the interval", async () => {
    const settings: ModelSettings = { ...DEFAULT_MODEL, renotifyMs: 3 * 60_000 };
    await fc.assert(
      fc.asyncProperty(fc.array(readArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { run, publisher } = harness(3);
        for (const [t, step] of steps.entries()) await run(t, step);
        const got = delivered(publisher.delivered);
        expect(got.perAsset).toEqual(expected(steps, settings).perAsset);
        for (const notices of Object.values(got.perAsset)) {
          notices.forEach((n, i) => {
            const prev = notices[i - 1];
            if (n.notice === "reminder") {
              expect(n.to).not.toBe("ok");
              expect(prev && n.atMs - prev.atMs).toBeGreaterThanOrEqual(settings.renotifyMs);
            }
          });
        }
      }),
      { numRuns: 100 },
    );
  });

  it("with failed reads and failed publishes: after SNS recovers, every alert arrives once, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 3, arbitrary: readArb }, { weight: 1, arbitrary: failArb }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        async (scenario, publishFailures) => {
          // Prepare: the scenario, then three healthy cycles with SNS back, to drain the outbox.
          const last = [...scenario].reverse().find((s) => s.kind === "read");
          const calm: Step = { kind: "read", ratios: last?.kind === "read" ? last.ratios : { BTC: 0.1 } };
          const steps = [...scenario, calm, calm, calm];
          const { run, publisher, store } = harness(0);
          publisher.failures = [...publishFailures];
          // Act
          for (const [t, step] of steps.entries()) {
            if (t === scenario.length) publisher.failures = [];
            await run(t, step);
          }
          // Assess: the same alerts as if nothing had failed to publish, none twice, oldest first.
          const got = delivered(publisher.delivered);
          const want = expected(steps, DEFAULT_MODEL);
          expect(got.perAsset).toEqual(want.perAsset);
          expect(got.health).toEqual(want.health);
          const ids = publisher.delivered.map((a) => a.id);
          expect(new Set(ids).size).toBe(ids.length);
          const times = publisher.delivered.map((a) => a.at);
          expect(times).toEqual([...times].sort());
          expect((await store.loadState(ACCOUNT)).outbox).toEqual({});
          expect(store.snapshots.size).toBe(steps.filter((s) => s.kind === "read").length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

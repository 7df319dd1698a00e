/**
 * Figure: detection latency with the adaptive cadence (lib/monitor/cadence.ts), and what it costs in
 * Lambda time. The deployed handler bundle runs on a schedule in a child (bench/children/latency.ts)
 * against the loopback exchange, dynalite and the SNS stand-in; each account's margin ratio follows
 * a path that crosses to critical (0.85) at a random moment, and the delay is from that moment to
 * the SNS stand-in receiving the "critical" alert.
 *
 * Time is scaled by SCALE (10): a 6 s schedule and 1 s re-reads stand for the stack's 60 s and
 * 10 s, and delays and durations are reported multiplied back. What does not scale (a read on
 * loopback takes ~30 ms where Binance from AWS takes ~0.7 s) is reported beside it. The weight
 * limit is scaled up by the same factor, since ten simulated minutes pass in each real one.
 *
 * Calm accounts sit at 0.3 (ok), so nothing re-reads them and the next scheduled run finds the
 * crossing; at-risk accounts sit at 0.6 (warning) and are re-read. Each round is three intervals:
 * base ratio, the crossing at a uniformly random moment of the second, back to base late in the third.
 */

import { accountBody, btcAtRatio } from "../sim/account-fixtures.js";
import { LoopbackExchange } from "../sim/exchange/exchange.js";
import type { Invocation } from "./children/latency.js";
import { buildChild } from "./support/build.js";
import { startWorker } from "./support/proc.js";
import { median, quantile } from "./support/stats.js";
import { startWorld } from "./support/world.js";

export const SCALE = 10;
const INTERVAL_MS = 60_000 / SCALE;
const FAST_POLL_MS = 10_000 / SCALE;
const ROUND_INTERVALS = 3;
/** functions/monitor.ts keeps this much of the Lambda's time for writes after the reads. */
const HANDLER_SAFETY_MARGIN_MS = 4000;

export interface LatencyFigure {
  readonly scale: number;
  readonly runsPerKind: number;
  /** Crossing to publish, in stack time (sim x SCALE), ms. */
  readonly calm: { readonly medianMs: number; readonly p95Ms: number; readonly maxMs: number };
  readonly atRisk: { readonly medianMs: number; readonly p95Ms: number; readonly maxMs: number };
  /** Invocation duration with accounts at risk, in stack time (sim x SCALE). */
  readonly atRiskInvocationMs: number;
  /** Invocation duration with every account calm, as measured (not scaled: nothing waits). */
  readonly calmInvocationMs: number;
  readonly rereadsPerAtRiskInvocation: number;
  readonly calmRereads: number;
  readonly missed: number;
}

export async function measureLatency(bundle: string, options: { rounds?: number; perKind?: number } = {}) {
  const rounds = options.rounds ?? 4;
  const perKind = options.perKind ?? 5;
  const world = await startWorld({ accounts: 2 * perKind });
  const accounts = world.accounts.map((a, i) => ({ ...a, atRisk: i < perKind }));
  const base = (atRisk: boolean) => (atRisk ? 0.6 : 0.3);
  // Invocation 0 is at `start`; round r covers intervals 3r .. 3r+2; two calm intervals close the run.
  const start = Date.now() + 1500;
  const roundMs = ROUND_INTERVALS * INTERVAL_MS;
  const endOfRounds = start + rounds * roundMs;
  const crossing = new Map<string, number[]>();
  for (const a of accounts) {
    crossing.set(
      a.key.apiKey,
      Array.from({ length: rounds }, (_, r) => start + r * roundMs + INTERVAL_MS + Math.random() * INTERVAL_MS),
    );
  }
  const ratioAt = (apiKey: string, now: number): number => {
    const a = accounts.find((x) => x.key.apiKey === apiKey);
    if (!a) return 0.3;
    if (now < start || now >= endOfRounds) return now >= endOfRounds ? 0.3 : base(a.atRisk);
    const r = Math.floor((now - start) / roundMs);
    const phase = now - start - r * roundMs;
    const t = crossing.get(apiKey)?.[r] ?? Number.POSITIVE_INFINITY;
    return phase < 2.5 * INTERVAL_MS && now >= t ? 0.85 : base(a.atRisk);
  };
  const exchange = new LoopbackExchange({
    keys: accounts.map((a) => a.key),
    account: (apiKey) => accountBody([btcAtRatio(ratioAt(apiKey, Date.now()))]),
    latencyMs: 20,
    weightLimit: 2400 * SCALE,
  });
  const baseUrl = await exchange.start();
  const child = await buildChild("latency");
  const worker = await startWorker(
    child,
    world.monitorEnv(accounts.length, baseUrl, {
      BENCH_HANDLER_BUNDLE: bundle,
      FAST_POLL_SECONDS: String(FAST_POLL_MS / 1000),
      SCHEDULE_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
      BINANCE_WEIGHT_LIMIT: String(2400 * SCALE),
    }),
  );
  try {
    const count = rounds * ROUND_INTERVALS + 2;
    // The stack's timeout is one interval and the handler keeps its last 4 s (unscaled) for writes;
    // scaled, that margin is 0.4 s, so the simulated timeout is the interval plus the difference.
    const timeoutMs = INTERVAL_MS + HANDLER_SAFETY_MARGIN_MS - HANDLER_SAFETY_MARGIN_MS / SCALE;
    const invocations = await worker.request<Invocation[]>(
      { type: "schedule", startMs: start, intervalMs: INTERVAL_MS, count, timeoutMs },
      (count + 2) * INTERVAL_MS + 30_000,
    );
    const failed = invocations.filter((i) => i.error);
    if (failed.length > 0) throw new Error(`latency: ${failed.length} invocation(s) failed: ${failed[0]?.error}`);
    const alerts = world.aws.published.map((p) => {
      const a = JSON.parse((JSON.parse(p.message) as { default: string }).default) as Record<string, unknown>;
      return { account: a.account, notice: a.notice, level: a.level, receivedAt: p.receivedAt };
    });
    const delays = { calm: [] as number[], atRisk: [] as number[] };
    let missed = 0;
    for (const a of accounts) {
      for (const t of crossing.get(a.key.apiKey) ?? []) {
        const hit = alerts.find(
          (x) => x.account === a.name && x.notice === "escalated" && x.level === "critical" && x.receivedAt >= t,
        );
        if (!hit || hit.receivedAt - t > 2 * INTERVAL_MS) {
          missed++;
          continue;
        }
        (a.atRisk ? delays.atRisk : delays.calm).push((hit.receivedAt - t) * SCALE);
      }
    }
    const stats = (v: number[]) => ({ medianMs: median(v), p95Ms: quantile(v, 0.95), maxMs: Math.max(...v) });
    const during = invocations.filter((i) => i.scheduledMs < endOfRounds && i.scheduledMs > start);
    // The last invocation reads everyone calm (the one before it finds them recovering).
    const calmOnes = invocations.filter((i) => i.scheduledMs >= endOfRounds + INTERVAL_MS);
    const figure: LatencyFigure = {
      scale: SCALE,
      runsPerKind: Math.min(delays.calm.length, delays.atRisk.length),
      calm: stats(delays.calm),
      atRisk: stats(delays.atRisk),
      atRiskInvocationMs: median(during.map((i) => i.endedMs - i.startedMs)) * SCALE,
      calmInvocationMs: median(calmOnes.map((i) => i.endedMs - i.startedMs)),
      calmRereads: Math.max(...calmOnes.map((i) => i.rereads)),
      rereadsPerAtRiskInvocation: median(during.map((i) => i.rereads)),
      missed,
    };
    return figure;
  } finally {
    await worker.stop();
    await exchange.stop();
    await world.stop();
  }
}

/**
 * Lambda GB-seconds a day for one stack at `hoursAtRisk` hours a day with an account at risk:
 * calm invocations last `calmS`, at-risk ones `atRiskS` (re-reading until shortly before the next).
 */
export function gbSecondsPerDay(hoursAtRisk: number, calmS: number, atRiskS: number, memoryMb = 256): number {
  const perDay = 1440;
  const atRisk = hoursAtRisk * 60;
  return ((perDay - atRisk) * calmS + atRisk * atRiskS) * (memoryMb / 1024);
}

/**
 * Figure: scaling. 1, 10, 100 and 400 accounts against the loopback exchange answering in 20 ms,
 * then 600 accounts (3,600 weight: 5 for /account and 1 for /positionRisk each, over the 2,400 per-minute limit) to show the weight governor
 * deferring what it cannot fit instead of earning a 429.
 *
 * Every run gets a fresh exchange: its weight window is the wall-clock minute, so a second run in
 * the same minute would start with the first one's weight. For the same reason runs avoid the
 * last seconds of a minute, where the window (the exchange's and the governor's) would reset mid-run.
 */

import { ACCOUNT_READ_WEIGHT } from "../lib/binance/client.js";
import { DEFAULTS } from "../lib/config.js";
import type { ScalingRun } from "./children/scaling.js";
import { EXCHANGE_LATENCY_MS } from "./cycle.js";
import { buildChild } from "./support/build.js";
import { startWorker } from "./support/proc.js";
import { median } from "./support/stats.js";
import { startWorld, type World } from "./support/world.js";

export interface ScalingPoint {
  readonly accounts: number;
  readonly latencyMs: number;
  readonly concurrency: number;
  readonly weight: number;
  /** First cycle of a new container: every secret read from Secrets Manager. */
  readonly coldWallMs: number;
  /** Median over warm runs (secrets cached, fresh weight window). */
  readonly wallMs: number;
  readonly runs: number;
  /** wall / ceil(accounts / concurrency): time per "round" of concurrent reads. */
  readonly msPerRound: number;
  readonly ok: number;
  readonly deferred: number;
  readonly failed: number;
  readonly http429: number;
  readonly http418: number;
  readonly exchangeRequests: number;
  readonly maxUsedWeight: number;
  /** Median CPU per warm run: the monitor's process, and this one (dynalite, exchange, stand-ins). */
  readonly monitorCpuMs: number;
  readonly servicesCpuMs: number;
}

export interface ScalingFigure {
  readonly latencyMs: number;
  readonly points: readonly ScalingPoint[];
  /** The over-limit run. */
  readonly overLimit: ScalingPoint;
  /** 100 accounts with the exchange as far away as Binance is from eu-west-1: rounds x latency. */
  readonly farExchange: ScalingPoint;
}

/** Roughly Binance's round trip from eu-west-1. */
export const FAR_LATENCY_MS = 200;

/**
 * Discarded cycles before measuring: enough account-cycles for V8 to optimise the hot path
 * (a container at one cycle a minute has run many), at most 30 cycles.
 */
const warmUpFor = (accounts: number) => Math.min(30, Math.max(3, Math.ceil(300 / accounts)));

/** Runs do not start this close to the end of a wall-clock minute. */
const MINUTE_GUARD_MS = 4_000;

async function clearOfMinuteBoundary(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < MINUTE_GUARD_MS) await new Promise((r) => setTimeout(r, left + 50));
}

let minute = 0;
const cycleTime = () => new Date(Date.UTC(2026, 1, 1) + minute++ * 60_000).toISOString();

async function runOnce(
  world: World,
  worker: Awaited<ReturnType<typeof startWorker>>,
  accounts: number,
  latencyMs: number,
) {
  await clearOfMinuteBoundary();
  const { exchange, baseUrl } = await world.startExchange({ accounts, latencyMs });
  try {
    const cpu = process.cpuUsage();
    const run = await worker.request<ScalingRun>({ type: "cycle", baseUrl, cycleTime: cycleTime() }, 90_000);
    const used = process.cpuUsage(cpu);
    const statuses = exchange.requests.map((r) => r.status);
    return {
      run,
      http429: statuses.filter((s) => s === 429).length,
      http418: statuses.filter((s) => s === 418).length,
      requests: statuses.length,
      usedWeight: exchange.usedWeight(),
      servicesCpuMs: (used.user + used.system) / 1000,
    };
  } finally {
    await exchange.stop();
  }
}

/**
 * `warmUp` cycles run first and are discarded: a container at one cycle a minute has run many
 * cycles, so its code is optimised by V8 and its connections are open; a short run is not.
 */
async function measurePoint(
  world: World,
  child: string,
  accounts: number,
  warmRuns: number,
  warmUp: number,
  latencyMs = EXCHANGE_LATENCY_MS,
): Promise<ScalingPoint> {
  // The exchange URL comes with each request; this one only has to load the config.
  const worker = await startWorker(child, world.monitorEnv(accounts, "http://127.0.0.1:9"));
  try {
    const cold = await runOnce(world, worker, accounts, latencyMs);
    for (let i = 0; i < warmUp; i++) await runOnce(world, worker, accounts, latencyMs);
    const warm = [];
    for (let i = 0; i < warmRuns; i++) warm.push(await runOnce(world, worker, accounts, latencyMs));
    const all = [cold, ...warm];
    const last = warm.at(-1) ?? cold;
    const concurrency = DEFAULTS.accountConcurrency;
    const wallMs = median(warm.map((w) => w.run.wallMs));
    return {
      accounts,
      latencyMs,
      concurrency,
      weight: accounts * ACCOUNT_READ_WEIGHT,
      coldWallMs: cold.run.wallMs,
      wallMs,
      runs: warm.length,
      msPerRound: wallMs / Math.ceil(accounts / concurrency),
      ok: last.run.ok,
      deferred: last.run.deferred,
      failed: Math.max(...all.map((w) => w.run.failed)),
      http429: all.reduce((n, w) => n + w.http429, 0),
      http418: all.reduce((n, w) => n + w.http418, 0),
      exchangeRequests: last.requests,
      maxUsedWeight: Math.max(...all.map((w) => w.usedWeight)),
      monitorCpuMs: median(warm.map((w) => w.run.cpuMs)),
      servicesCpuMs: median(warm.map((w) => w.servicesCpuMs)),
    };
  } finally {
    await worker.stop();
  }
}

export async function measureScaling(
  options: { sizes?: readonly number[]; overLimit?: number; warmRuns?: number; warmUp?: number } = {},
): Promise<ScalingFigure> {
  const sizes = options.sizes ?? [1, 10, 100, 400];
  const overLimit = options.overLimit ?? 600;
  const child = await buildChild("scaling");
  const world = await startWorld({ accounts: Math.max(overLimit, ...sizes) });
  try {
    const points: ScalingPoint[] = [];
    for (const n of sizes)
      points.push(await measurePoint(world, child, n, options.warmRuns ?? 5, options.warmUp ?? warmUpFor(n)));
    // The cold run (secrets read) and one warm run; both must pace themselves.
    const over = await measurePoint(world, child, overLimit, 1, 0);
    const far = await measurePoint(world, child, 100, 3, 1, FAR_LATENCY_MS);
    return { latencyMs: EXCHANGE_LATENCY_MS, points, overLimit: over, farExchange: far };
  } finally {
    await world.stop();
  }
}

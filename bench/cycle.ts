/**
 * Figure: one warm cycle, one account, exchange answering in 20 ms, DynamoDB on loopback
 * dynalite. Runs the deployed handler bundle in a child and invokes it once per scheduled minute.
 * The first invocation is the cold one (reported apart); the next `warmUp` are discarded too,
 * because a container that runs every minute has long since been optimised by V8.
 */

import { COINM_WEIGHTS } from "../sim/exchange/coinm/routes.js";
import { USDM_WEIGHTS } from "../sim/exchange/usdm/routes.js";
import type { InvocationSample } from "./children/handler-cycle.js";
import { buildChild } from "./support/build.js";
import { startWorker } from "./support/proc.js";
import { median } from "./support/stats.js";
import { startWorld } from "./support/world.js";

const PATH_WEIGHTS: Readonly<Record<string, number>> = { ...COINM_WEIGHTS, ...USDM_WEIGHTS };

export const EXCHANGE_LATENCY_MS = 20;

export interface CycleFigure {
  readonly runs: number;
  readonly warmUp: number;
  readonly latencyMs: number;
  readonly activeAssets: number;
  readonly wallMs: number;
  /** wall − exchange latency: everything the handler adds, DynamoDB round trips included. */
  readonly overheadMs: number;
  /** Of the overhead: loopback HTTP to the exchange and the stand-in's own work beyond its sleep. */
  readonly fetchBeyondLatencyMs: number;
  /** Of the overhead: DynamoDB calls (SDK work in this process + dynalite), sequential. */
  readonly dynamodbMs: number;
  readonly dynamodbCalls: number;
  /** Of the overhead: the rest, our own code (sign, parse, evaluate, log, EMF). */
  readonly handlerCpuMs: number;
  /** CPU of the monitor process per warm invocation. */
  readonly cpuMs: number;
  readonly coldWallMs: number;
  readonly coldSecretsCalls: number;
  readonly warmSecretsCalls: number;
  readonly logBytesPerCycle: number;
  readonly logLinesPerCycle: number;
  readonly emfBytesPerCycle: number;
  readonly emfLinesPerCycle: number;
  /** Bytes per cycle that grow with accounts (margin lines, MarginRatio EMF) and those that do not. */
  readonly logBytesPerAccount: number;
  readonly logLinesPerAccount: number;
  readonly logBytesFixed: number;
  readonly logLinesFixed: number;
  /** The account holds BENCH_USDM_BOOK on USD-M (else its USD-M book is empty, looked at once a day). */
  readonly usdmBook: boolean;
  /** Request weight per warm cycle the exchange counted, on dapi (COIN-M) and on fapi (USD-M). */
  readonly dapiWeightPerCycle: number;
  readonly fapiWeightPerCycle: number;
  /** fapi weight of the whole run, first (cold) cycle included: the daily look and mode check. */
  readonly fapiWeightTotal: number;
  readonly invocations: number;
}

const PER_ACCOUNT_KINDS = new Set(["margin pool", "emf:MarginRatio"]);

export async function measureCycle(
  bundle: string,
  options: {
    runs?: number;
    warmUp?: number;
    activeAssets?: number;
    env?: Record<string, string>;
    usdmBook?: boolean;
  } = {},
): Promise<CycleFigure> {
  const runs = options.runs ?? 40;
  const warmUp = options.warmUp ?? 30;
  const activeAssets = options.activeAssets ?? 3;
  const child = await buildChild("handler-cycle");
  const world = await startWorld({ accounts: 1 });
  try {
    const usdmBook = options.usdmBook ?? false;
    const { baseUrl, exchange } = await world.startExchange({
      accounts: 1,
      latencyMs: EXCHANGE_LATENCY_MS,
      activeAssets,
      usdmBook,
    });
    const worker = await startWorker(child, {
      ...world.monitorEnv(1, baseUrl),
      BENCH_HANDLER_BUNDLE: bundle,
      ...options.env,
    });
    try {
      const start = Date.UTC(2026, 0, 1, 0, 0, 0);
      const times = Array.from({ length: 1 + warmUp + runs }, (_, i) => new Date(start + i * 60_000).toISOString());
      const samples = await worker.request<InvocationSample[]>({ type: "invoke", times }, 180_000);
      for (const s of samples) {
        const r = s.result as { ok?: number };
        if (r.ok !== 1) throw new Error(`cycle did not read the account: ${JSON.stringify(s.result)}`);
      }
      // Weight as the exchange counted it, per path, split at the first warm invocation's start.
      const weightOf = (prefix: string, from: number) =>
        exchange.requests
          .filter((r) => r.status === 200 && r.path.startsWith(prefix) && r.at >= from)
          .reduce((n, r) => n + (PATH_WEIGHTS[r.path] ?? 0), 0);
      const warmFrom = samples[1 + warmUp]?.startedAt ?? Number.POSITIVE_INFINITY;
      const warmCount = samples.length - 1 - warmUp;
      const cold = samples[0];
      const warm = samples.slice(1 + warmUp);
      if (!cold || warm.length === 0) throw new Error("no samples");
      const m = (pick: (s: InvocationSample) => number) => median(warm.map(pick));
      const wallMs = m((s) => s.wallMs);
      const perAccount = (s: InvocationSample, field: "bytes" | "lines", mine: boolean) =>
        Object.entries(s.byKind)
          .filter(([kind]) => PER_ACCOUNT_KINDS.has(kind) === mine)
          .reduce((n, [, v]) => n + v[field], 0);
      return {
        runs: warm.length,
        warmUp,
        latencyMs: EXCHANGE_LATENCY_MS,
        activeAssets,
        wallMs,
        overheadMs: wallMs - EXCHANGE_LATENCY_MS,
        fetchBeyondLatencyMs: m((s) => s.fetchMs) - EXCHANGE_LATENCY_MS,
        dynamodbMs: m((s) => s.dynamodbMs),
        dynamodbCalls: m((s) => s.dynamodbCalls),
        handlerCpuMs: m((s) => s.wallMs - s.fetchMs - s.dynamodbMs - s.secretsMs - s.snsMs),
        cpuMs: m((s) => s.cpuMs),
        coldWallMs: cold.wallMs,
        coldSecretsCalls: cold.secretsCalls,
        warmSecretsCalls: Math.max(...warm.map((s) => s.secretsCalls)),
        logBytesPerCycle: m((s) => s.logBytes),
        logLinesPerCycle: m((s) => s.logLines),
        emfBytesPerCycle: m((s) => s.emfBytes),
        emfLinesPerCycle: m((s) => s.emfLines),
        logBytesPerAccount: m((s) => perAccount(s, "bytes", true)),
        logLinesPerAccount: m((s) => perAccount(s, "lines", true)),
        logBytesFixed: m((s) => perAccount(s, "bytes", false)),
        logLinesFixed: m((s) => perAccount(s, "lines", false)),
        usdmBook,
        dapiWeightPerCycle: weightOf("/dapi/", warmFrom) / warmCount,
        fapiWeightPerCycle: weightOf("/fapi/", warmFrom) / warmCount,
        fapiWeightTotal: weightOf("/fapi/", 0),
        invocations: samples.length,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await world.stop();
  }
}

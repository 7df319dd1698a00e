/**
 * Figure: detection latency with the mark price stream between signed reads (issue 20), and what
 * watching costs. The deployed handler bundle runs on a schedule in a child (bench/children/latency.ts)
 * against the loopback exchange, whose margin engine computes every signed body from marks that
 * move with time, and the loopback stream host (sim/mark-stream.ts) publishing the same marks every
 * second. The delay is from the moment a mark crosses at the exchange to the SNS stand-in receiving
 * the alert.
 *
 * The schedule is scaled 1:10 like bench/latency.ts (6 s stands for 60 s), but the stream runs at
 * its true 1 s cadence and delays are reported as measured, unscaled: the stream path (next mark,
 * revalue, state write, publish) does not depend on the schedule, so scaling it would multiply the
 * DynamoDB and SNS round trips by ten. Re-reads are off (FAST_POLL_SECONDS=0) so every detection
 * between scheduled reads is the stream's own; with the default 10 s re-reads on top the latency
 * can only be lower.
 *
 * Each account holds one isolated BTC-style long (the spec's: 3,000 x 100 USD @ 60,000 with a
 * 0.2924 coin wallet, liquidated near 56,968; 30,000 x 10 USD on the non-BTC symbols) on a symbol
 * of its own, so crossings are independent. Rounds of four intervals: far (70,000, calm and out of
 * reach: the read recovers any level), base, the crossing at a uniformly random moment of the
 * third interval, back to base. At-risk accounts: base 62,000 (warning, 8.1% from liquidation),
 * crossing to 58,500 (critical). Within-reach accounts: base 63,700 (calm, 10.6%: 0.6% from the
 * warning level), a 3% crash to 61,800 (warning).
 */

import { parseAccountResponse } from "../lib/binance/coinm/account.js";
import { joinPositions } from "../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../lib/binance/coinm/position-risk.js";
import { decimalFromNumber } from "../lib/risk/decimal.js";
import { DEFAULT_ALERT_LEVELS, defaultDistanceLevels, poolLevels } from "../lib/risk/levels.js";
import { marginPools } from "../lib/risk/pools.js";
import { revaluePool } from "../lib/risk/revalue.js";
import { buildEngineAccount, type EngineAccount, withMarks } from "../sim/engine/coinm/account.js";
import { accountBodyOf, positionRiskBodyOf } from "../sim/engine/coinm/bodies.js";
import { contractSizeOf, marginAssetOf } from "../sim/engine/coinm/contract.js";
import type { EngineSource } from "../sim/engine/coinm/engine.js";
import { LoopbackExchange } from "../sim/exchange/exchange.js";
import { MarkStreamServer } from "../sim/mark-stream.js";
import type { Invocation } from "./children/latency.js";
import { SCALE } from "./latency.js";
import { buildChild } from "./support/build.js";
import { startWorker } from "./support/proc.js";
import { median, quantile } from "./support/stats.js";
import { startWorld } from "./support/world.js";

const INTERVAL_MS = 60_000 / SCALE;
const ROUND_INTERVALS = 4;
const HANDLER_SAFETY_MARGIN_MS = 4000;
/** One symbol per account, so each crosses on its own. */
const SYMBOLS = [
  "BTCUSD_PERP",
  "ETHUSD_PERP",
  "BNBUSD_PERP",
  "ADAUSD_PERP",
  "DOTUSD_PERP",
  "BTCUSD_261225",
  "LINKUSD_PERP",
  "SOLUSD_PERP",
  "XRPUSD_PERP",
  "LTCUSD_PERP",
] as const;
const EXTRA_SYMBOLS = ["SOLUSD_PERP", "XRPUSD_PERP", "LTCUSD_PERP"];
const FAR = 70_000;
const KINDS = {
  atRisk: { base: 62_000, crossed: 58_500, level: "critical" },
  withinReach: { base: 63_700, crossed: 61_800, level: "warning" },
} as const;
type Kind = keyof typeof KINDS;

interface Stats {
  readonly n: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface StreamLatencyFigure {
  /** Crossing to publish, as measured (real ms; the stream runs at its true 1 s cadence). */
  readonly atRisk: Stats;
  readonly withinReach: Stats;
  /** Alerts raised by a mark vs by a scheduled read, over the crossings measured. */
  readonly fromMark: number;
  readonly fromRead: number;
  readonly missed: number;
  /** Median duration of a watching invocation, in stack time (x SCALE), ms. */
  readonly watchedInvocationMs: number;
  /** Marks the stream delivered per watched account per second of watching. */
  readonly marksPerAccountSecond: number;
  /** Signed request weight per watched account per stack minute (scheduled reads, brackets). */
  readonly signedWeightPerMinute: number;
  /** CPU of judging one pool at one mark (revalue + levels), microseconds; and marks/s one core handles. */
  readonly markCpuUs: number;
  readonly marksPerSecondPerCore: number;
}

function isolatedLong(symbol: string): EngineAccount {
  const contracts = 300_000 / contractSizeOf(symbol);
  return buildEngineAccount({
    crossWallets: { [marginAssetOf(symbol)]: "5" },
    positions: [{ symbol, positionAmt: contracts, entryPrice: 60_000, isolatedWallet: "0.2924" }],
    marks: { [symbol]: 62_000 },
  });
}

/** Judging one pool at one mark, in process: what the watch does per account per message. */
function markCpu(): number {
  const engine = isolatedLong("BTCUSD_PERP");
  const account = parseAccountResponse(accountBodyOf(engine));
  const pools = marginPools(account, joinPositions(account, parsePositionRiskResponse(positionRiskBodyOf(engine))));
  const levels = { ratio: DEFAULT_ALERT_LEVELS, distance: defaultDistanceLevels(DEFAULT_ALERT_LEVELS) };
  const ctx = { contractSize: () => decimalFromNumber(100), brackets: () => undefined };
  const n = 20_000;
  const started = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const marks = new Map([["BTCUSD_PERP", decimalFromNumber(61_000 + (i % 1000))]]);
    for (const pool of pools) {
      const moved = revaluePool(pool, marks, ctx);
      if (moved) sink += poolLevels(moved.ratio, moved.distance, levels).level.length;
    }
  }
  const used = process.cpuUsage(started);
  if (sink === 0) throw new Error("mark cpu: nothing judged");
  return (used.user + used.system) / n;
}

export async function measureStreamLatency(
  bundle: string,
  options: { rounds?: number } = {},
): Promise<StreamLatencyFigure> {
  const rounds = options.rounds ?? 4;
  const world = await startWorld({ accounts: SYMBOLS.length });
  const accounts = world.accounts.map((a, i) => ({
    ...a,
    symbol: SYMBOLS[i] as string,
    kind: (i % 2 === 0 ? "atRisk" : "withinReach") as Kind,
  }));
  const start = Date.now() + 2000;
  const roundMs = ROUND_INTERVALS * INTERVAL_MS;
  const end = start + rounds * roundMs;
  const crossings = new Map(
    accounts.map((a) => [
      a.symbol,
      Array.from({ length: rounds }, (_, r) => start + r * roundMs + 2 * INTERVAL_MS + Math.random() * INTERVAL_MS),
    ]),
  );
  const markAt = (symbol: string, now: number): number | undefined => {
    const a = accounts.find((x) => x.symbol === symbol);
    if (!a) return undefined;
    const k = KINDS[a.kind];
    if (now < start) return k.base;
    if (now >= end) return FAR;
    const r = Math.floor((now - start) / roundMs);
    const phase = now - start - r * roundMs;
    if (phase < INTERVAL_MS) return FAR;
    const t = crossings.get(symbol)?.[r] ?? Number.POSITIVE_INFINITY;
    return now >= t && phase < 3.5 * INTERVAL_MS ? k.crossed : k.base;
  };
  const states = new Map(accounts.map((a) => [a.key.apiKey, isolatedLong(a.symbol)]));
  const engine: EngineSource = {
    account(apiKey) {
      const state = states.get(apiKey);
      const symbol = state?.positions[0]?.symbol;
      const mark = symbol ? markAt(symbol, Date.now()) : undefined;
      return state && symbol && mark ? withMarks(state, { [symbol]: mark }) : undefined;
    },
  };
  const exchange = new LoopbackExchange({
    keys: accounts.map((a) => a.key),
    engine,
    symbols: EXTRA_SYMBOLS,
    latencyMs: 20,
    weightLimit: 2400 * SCALE,
  });
  const stream = new MarkStreamServer({ marks: (s) => markAt(s, Date.now()), intervalMs: 1000 });
  const [baseUrl, streamUrl] = await Promise.all([exchange.start(), stream.start()]);
  const child = await buildChild("latency");
  const worker = await startWorker(
    child,
    world.monitorEnv(accounts.length, baseUrl, {
      BENCH_HANDLER_BUNDLE: bundle,
      FAST_POLL_SECONDS: "0",
      SCHEDULE_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
      BINANCE_WEIGHT_LIMIT: String(2400 * SCALE),
      BINANCE_STREAM_URL: streamUrl,
      MARK_STREAM: "on",
    }),
  );
  try {
    const count = rounds * ROUND_INTERVALS + 1;
    const timeoutMs = INTERVAL_MS + HANDLER_SAFETY_MARGIN_MS - HANDLER_SAFETY_MARGIN_MS / SCALE;
    const invocations = await worker.request<Invocation[]>(
      { type: "schedule", startMs: start, intervalMs: INTERVAL_MS, count, timeoutMs },
      (count + 2) * INTERVAL_MS + 30_000,
    );
    const failed = invocations.filter((i) => i.error);
    if (failed.length > 0)
      throw new Error(`stream latency: ${failed.length} invocation(s) failed: ${failed[0]?.error}`);
    const alerts = world.aws.published.map((p) => {
      const a = JSON.parse((JSON.parse(p.message) as { default: string }).default) as Record<string, unknown>;
      return { account: a.account, notice: a.notice, level: a.level, source: a.source, receivedAt: p.receivedAt };
    });
    const delays: Record<Kind, number[]> = { atRisk: [], withinReach: [] };
    let fromMark = 0;
    let fromRead = 0;
    let missed = 0;
    for (const a of accounts) {
      for (const t of crossings.get(a.symbol) ?? []) {
        const hit = alerts.find(
          (x) =>
            x.account === a.name && x.notice === "escalated" && x.level === KINDS[a.kind].level && x.receivedAt >= t,
        );
        if (!hit || hit.receivedAt - t > 2 * INTERVAL_MS) {
          missed++;
          continue;
        }
        delays[a.kind].push(hit.receivedAt - t);
        if (hit.source === "mark-price") fromMark++;
        else fromRead++;
      }
    }
    const stats = (v: number[]): Stats => ({
      n: v.length,
      medianMs: median(v),
      p95Ms: quantile(v, 0.95),
      maxMs: Math.max(...v),
    });
    const watching = invocations.filter((i) => (i.watched ?? 0) > 0 && i.scheduledMs < end);
    const watchedSeconds = watching.reduce((s, i) => s + ((i.endedMs - i.startedMs) / 1000) * (i.watched ?? 0), 0);
    const marks = watching.reduce((s, i) => s + (i.streamMarks ?? 0), 0);
    const weights: Record<string, number> = {
      "/dapi/v1/account": 5,
      "/dapi/v1/positionRisk": 1,
      "/dapi/v2/leverageBracket": 1,
    };
    const signed = exchange.requests
      .filter((r) => r.status === 200 && r.at >= start && r.at < end)
      .reduce((s, r) => s + (weights[r.path] ?? 0), 0);
    const stackMinutes = ((end - start) / INTERVAL_MS) * 1;
    const cpu = markCpu();
    return {
      atRisk: stats(delays.atRisk),
      withinReach: stats(delays.withinReach),
      fromMark,
      fromRead,
      missed,
      watchedInvocationMs: median(watching.map((i) => i.endedMs - i.startedMs)) * SCALE,
      // Each account holds one symbol: one mark a second when the stream keeps up.
      marksPerAccountSecond: watchedSeconds > 0 ? marks / watchedSeconds : 0,
      signedWeightPerMinute: signed / accounts.length / stackMinutes,
      markCpuUs: cpu,
      marksPerSecondPerCore: 1e6 / cpu,
    };
  } finally {
    await worker.stop();
    await Promise.all([exchange.stop(), stream.stop()]);
    await world.stop();
  }
}

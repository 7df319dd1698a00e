/**
 * Watching between signed reads (issue 20): after a scheduled cycle, the invocation watches every
 * account at warning or above and every account with a pool within reach of warning (reach.ts),
 * until the watch stops (cadence.ts, watchStopTime):
 *
 * - At-risk accounts are re-read every fast poll, as before (cadence.ts): the signed read stays
 *   the truth, and the only thing that lowers a level.
 * - Every watched account's symbols are on one mark price stream connection (1 s marks). At each
 *   new mark the account's pools are revalued from its last read (lib/risk/revalue.ts) and, when
 *   a pool's level at the mark is above what it holds, judged at once through the alert policy
 *   (mark-check.ts, runMarkCheck: same state, claims, hysteresis and outbox; raise only).
 * - A pool raised by a mark puts its account on the re-reads, which confirm or correct it.
 * - A dead stream (unavailable, or no mark for `staleMs`) puts the within-reach accounts on the
 *   re-reads too: the watch falls back to today's signed reads, never to silence.
 * - An account whose re-read finds it calm and out of reach leaves the watch.
 *
 * With nobody at risk or within reach the invocation returns at once: one read, as before.
 */
import type { Alert } from "../alerts/messages.js";
import type { Logger } from "../core/log.js";
import type { Decimal } from "../risk/decimal.js";
import { levelRank, poolLevels, type RiskLevels } from "../risk/levels.js";
import type { AssessedPool } from "../risk/pools.js";
import { type RevalueContext, revaluePool, symbolsOf } from "../risk/revalue.js";
import { type CadenceSettings, isAtRisk, rereadTimes, watchStopTime } from "./cadence.js";
import type { AccountResult, CycleInput, CycleSummary } from "./cycle.js";
import type { MarkCheckResult } from "./mark-check.js";
import { isWithinReach, type MarkHistory } from "./reach.js";

/** What the watch needs of a mark price stream (lib/binance/stream/connection.ts). */
export interface MarkStream {
  start(): boolean;
  subscribe(symbols: readonly string[]): void;
  live(): boolean;
  close(): void;
  readonly stats: {
    readonly messages: number;
    readonly marks: number;
    readonly malformed: number;
    readonly reconnects: number;
  };
}

/** A mark as the watch uses it. */
export interface WatchedMark {
  readonly symbol: string;
  readonly mark: Decimal;
  readonly markPrice: string;
}

/** Contract sizes and brackets, cached per container (market-cache.ts). */
export interface MarketData {
  /** Load contract sizes if not yet known; false when they cannot be had (no revaluation then). */
  ensureContracts(deadlineMs: number): Promise<boolean>;
  /** Load the account's brackets if not yet known (failures leave the read's own rate). */
  ensureBrackets(account: string, deadlineMs: number): Promise<void>;
  context(account: string): RevalueContext;
}

export interface MarkWatchOptions {
  readonly first: CycleSummary;
  readonly cycleTime: Date;
  readonly deadlineMs: number;
  readonly settings: CadenceSettings;
  readonly reread: (accounts: readonly string[], input: CycleInput) => Promise<CycleSummary>;
  readonly onReread?: (summary: CycleSummary) => void;
  /** Judge pools revalued at a mark (mark-check.ts, runMarkCheck). */
  readonly checkMarks: (
    account: string,
    pools: readonly AssessedPool[],
    basedOn: string,
    input: { readonly at: Date; readonly deadlineMs: number },
  ) => Promise<MarkCheckResult>;
  readonly onMarkCheck?: (result: MarkCheckResult, mark: WatchedMark) => void;
  readonly levelsFor: (account: string, pool: AssessedPool) => RiskLevels;
  readonly market: MarketData;
  readonly history: MarkHistory;
  /** A stream for these symbols delivering to onMark; undefined: marks off (re-reads only). */
  readonly openStream?: (symbols: readonly string[], onMark: (mark: WatchedMark) => void) => MarkStream;
  readonly log: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface MarkWatchResult {
  readonly rereads: CycleSummary[];
  readonly checks: MarkCheckResult[];
  /** Accounts watched at the start: at risk, and within reach only. */
  readonly watched: { readonly atRisk: readonly string[]; readonly withinReach: readonly string[] };
  readonly stream?: MarkStream["stats"] & { readonly started: boolean };
}

interface Watched {
  readonly name: string;
  read: AccountResult;
  /** Cycle time of that read: mark checks apply only while the state rests on it. */
  basedOn: string;
  atRisk: boolean;
  /** Marks received since the read, by symbol. */
  readonly marks: Map<string, Decimal>;
  /** Highest level rank known per pool (read or state): a mark only matters above it. */
  readonly known: Map<string, number>;
  dirty: boolean;
  lastMark?: WatchedMark;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function recordMarks(history: MarkHistory, account: AccountResult, at: number): void {
  for (const pool of account.pools) {
    for (const p of pool.positions) if (p.markPrice !== undefined) history.record(p.symbol, Number(p.markPrice), at);
  }
}

/** Run the watch after the scheduled cycle `first`; returns every re-read and mark check. */
export async function watchAccounts(o: MarkWatchOptions): Promise<MarkWatchResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const cycleMs = o.cycleTime.getTime();
  const stopAt = watchStopTime(cycleMs, o.settings, o.deadlineMs);
  const horizonMs = o.settings.intervalMs ?? 60_000;
  const rereads: CycleSummary[] = [];
  const checks: MarkCheckResult[] = [];
  const entries = new Map<string, Watched>();

  const knownOf = (read: AccountResult) => new Map(read.pools.map((p) => [p.id, rankOf(o, read.account, p)]));
  const withinReach = (read: AccountResult) =>
    read.pools.some((p) =>
      isWithinReach(p, o.levelsFor(read.account, p), o.market.context(read.account), o.history, horizonMs),
    );

  for (const a of o.first.accounts) if (a.status === "ok") recordMarks(o.history, a, now());
  const atRisk: string[] = [];
  const reach: string[] = [];
  const calmWithPositions = o.first.accounts.filter(
    (a) => a.status === "ok" && !isAtRisk(a) && a.pools.some((p) => p.positions.length > 0),
  );
  // Contract sizes (one public call per container) only when a calm account has positions to judge.
  const contracts = o.openStream && calmWithPositions.length > 0 ? await o.market.ensureContracts(o.deadlineMs) : false;
  for (const a of o.first.accounts) {
    if (a.status !== "ok") continue;
    const risky = isAtRisk(a);
    if (!risky && !(o.openStream && contracts && calmWithPositions.includes(a) && withinReach(a))) continue;
    (risky ? atRisk : reach).push(a.account);
    entries.set(a.account, {
      name: a.account,
      read: a,
      basedOn: o.first.cycleTime,
      atRisk: risky,
      marks: new Map(),
      known: knownOf(a),
      dirty: false,
    });
  }
  const watched = { atRisk, withinReach: reach };
  if (entries.size === 0) return { rereads, checks, watched };
  if (reach.length > 0) o.log.info("watching accounts within reach of warning", { accounts: reach, horizonMs });

  // ---- the stream --------------------------------------------------------------------------
  let stream: MarkStream | undefined;
  let started = false;
  let evaluating: Promise<void> | undefined;
  let again = false;

  const evaluate = async (): Promise<void> => {
    for (const entry of entries.values()) {
      if (!entry.dirty || !entry.lastMark) continue;
      entry.dirty = false;
      const mark = entry.lastMark;
      const ctx = o.market.context(entry.name);
      const pools: AssessedPool[] = [];
      let above = false;
      for (const pool of entry.read.pools) {
        const moved = revaluePool(pool, entry.marks, ctx);
        if (!moved) continue;
        const levels = o.levelsFor(entry.name, pool);
        const assessed: AssessedPool = { ...moved, ...poolLevels(moved.ratio, moved.distance, levels) };
        pools.push(assessed);
        if (levelRank(assessed.level, levels.ratio) > (entry.known.get(pool.id) ?? 0)) above = true;
      }
      if (!above || now() >= stopAt) continue;
      const result = await o.checkMarks(entry.name, pools, entry.basedOn, {
        at: new Date(now()),
        deadlineMs: o.deadlineMs,
      });
      checks.push(result);
      for (const pool of entry.read.pools) {
        const held = result.held[pool.id];
        if (held === undefined) continue;
        const rank = levelRank(held, o.levelsFor(entry.name, pool).ratio);
        entry.known.set(pool.id, Math.max(entry.known.get(pool.id) ?? 0, rank));
      }
      // Raised by a mark: on the re-reads from now on, which confirm or correct it.
      if (result.alertsSent.length > 0 || result.alertsPending > 0) entry.atRisk = true;
      o.onMarkCheck?.(result, mark);
    }
  };
  const kick = () => {
    if (evaluating) {
      again = true;
      return;
    }
    evaluating = (async () => {
      do {
        again = false;
        try {
          await evaluate();
        } catch (err) {
          o.log.error("mark check failed", { error: err instanceof Error ? err.message : String(err) });
        }
      } while (again);
    })().finally(() => {
      evaluating = undefined;
    });
  };
  const onMark = (mark: WatchedMark) => {
    o.history.record(mark.symbol, Number(mark.markPrice), now());
    for (const entry of entries.values()) {
      if (!entry.read.pools.some((p) => p.positions.some((q) => q.symbol === mark.symbol))) continue;
      entry.marks.set(mark.symbol, mark.mark);
      entry.lastMark = mark;
      entry.dirty = true;
    }
    kick();
  };
  // Set up beside the re-reads, never in front of them: a slow bracket read must not delay the
  // first re-read of an account at risk.
  const opening = (async () => {
    if (!o.openStream) return;
    await Promise.all([
      o.market.ensureContracts(o.deadlineMs),
      ...[...entries.keys()].map((name) => o.market.ensureBrackets(name, o.deadlineMs)),
    ]);
    const symbols = symbolsOf([...entries.values()].flatMap((e) => e.read.pools));
    if (symbols.length > 0 && entries.size > 0 && now() < stopAt) {
      stream = o.openStream(symbols, onMark);
      started = stream.start();
    }
  })().catch((err: unknown) => {
    o.log.error("mark price stream not started", { error: err instanceof Error ? err.message : String(err) });
  });
  // No mark within staleMs, or none yet: the stream is not watching, so the re-read slot takes
  // the accounts it alone was watching (at worst one extra read while a stream starts).
  const streamDead = () => !stream || !started || !stream.live();

  // ---- the re-reads ------------------------------------------------------------------------
  for (const at of rereadTimes(cycleMs, o.settings, o.deadlineMs)) {
    if (entries.size === 0) break;
    if (at < now()) continue;
    await sleep(at - now());
    const dead = streamDead();
    const due = [...entries.values()].filter((e) => e.atRisk || dead).map((e) => e.name);
    if (due.length === 0) continue;
    const summary = await o.reread(due, { cycleTime: new Date(at), deadlineMs: o.deadlineMs });
    rereads.push(summary);
    o.onReread?.(summary);
    for (const result of summary.accounts) {
      const entry = entries.get(result.account);
      // Not read (deferred, failed): still watched as far as we know.
      if (!entry || result.status !== "ok") continue;
      recordMarks(o.history, result, now());
      entry.read = result;
      entry.basedOn = summary.cycleTime;
      entry.marks.clear();
      entry.known.clear();
      for (const [id, rank] of knownOf(result)) entry.known.set(id, rank);
      entry.atRisk = isAtRisk(result);
      if (!entry.atRisk && !(stream && withinReach(result))) entries.delete(result.account);
    }
    stream?.subscribe(symbolsOf([...entries.values()].flatMap((e) => e.read.pools)));
  }
  await opening;
  // Re-reads done (or none planned): the stream keeps watching until the stop time.
  if (entries.size > 0 && stream && started && now() < stopAt) await sleep(stopAt - now());
  stream?.close();
  await evaluating;
  return {
    rereads,
    checks,
    watched,
    ...(stream ? { stream: { ...stream.stats, started } } : {}),
  };
}

function rankOf(o: MarkWatchOptions, account: string, pool: AssessedPool): number {
  return Math.max(0, levelRank(pool.level, o.levelsFor(account, pool).ratio));
}

/** Every alert a watch sent (re-reads and mark checks). */
export function watchAlerts(result: MarkWatchResult): Alert[] {
  return [
    ...result.rereads.flatMap((r) => r.accounts.flatMap((a) => a.alertsSent)),
    ...result.checks.flatMap((c) => c.alertsSent),
  ];
}

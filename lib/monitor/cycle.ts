/**
 * One monitoring cycle: for each account read the key, read the account, write the snapshot,
 * update the alert state and publish what changed. Accounts run concurrently with a bound; one
 * account's failure never stops the others; a fetched snapshot is written before anything that
 * could fail after it.
 */

import type { Alert } from "../alerts/messages.js";
import type { ReadOutcome } from "../alerts/policy.js";
import type { AccountConfig, MonitorConfig } from "../config.js";
import { mapWithConcurrency } from "../core/concurrency.js";
import {
  BinanceAuthError,
  BinanceSignatureError,
  describeError,
  errorLogFields,
  GuardError,
  StateConflictError,
  WeightBudgetExceededError,
} from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { checkKeyIfDue, type KeyPermissionSource, withKeyObservation } from "../keys/check.js";
import type { ApiCredentials } from "../keys/credentials.js";
import type { KeyCheckState, KeyObservation } from "../keys/policy.js";
import { type AssessedPool, assessPools } from "../risk/pools.js";
import { evaluateAccount, evaluateMarkEscalations, poolRiskLevels } from "./account-evaluation.js";
import type {
  AccountRead,
  AccountSource,
  AlertPublisher,
  AlertStateStore,
  PendingAlert,
  SecretSource,
  SnapshotStore,
  UsdmSource,
} from "./ports.js";
import { buildSnapshot, type Snapshot } from "./snapshot.js";
import { type UsdmObservation, withUsdmObservation } from "./usdm-evaluation.js";
import { readUsdmIfDue } from "./usdm-read.js";

export interface CycleDeps {
  readonly secrets: SecretSource;
  readonly exchange: AccountSource;
  readonly snapshots: SnapshotStore;
  readonly state: AlertStateStore;
  readonly publisher: AlertPublisher;
  readonly log: Logger;
  readonly now?: () => number;
  /** The daily key permission check (lib/keys/check.ts); absent: no checks. */
  readonly keys?: KeyPermissionSource;
  /** The USD-M book beside COIN-M (usdm-read.ts); absent: COIN-M only. */
  readonly usdm?: UsdmSource;
}

export interface CycleInput {
  /** The scheduled time of this cycle (EventBridge `time`); retried deliveries share it. */
  readonly cycleTime: Date;
  /** Wall-clock ms by which every account must be done (the Lambda's remaining time, less a margin). */
  readonly deadlineMs: number;
}

export type AccountStatus = "ok" | "failed" | "deferred";

export interface AccountResult {
  readonly account: string;
  readonly status: AccountStatus;
  readonly snapshot?: Snapshot;
  readonly snapshotWritten: boolean | "duplicate";
  /** The account's margin pools with their levels at this read (empty when the read failed). */
  readonly pools: readonly AssessedPool[];
  readonly alertsSent: readonly Alert[];
  readonly alertsPending: number;
  readonly error?: { kind: string; message: string };
  /** Problems after the read (store or publish) that did not stop the cycle. */
  readonly problems: readonly { step: string; kind: string; message: string }[];
  readonly durationMs: number;
}

export interface CycleSummary {
  readonly cycleTime: string;
  readonly accounts: readonly AccountResult[];
  readonly ok: number;
  readonly failed: number;
  readonly deferred: number;
  readonly alertsSent: number;
  readonly durationMs: number;
}

/**
 * How long past its own deadline an invocation holds the alerts it claimed (wall clock). Until
 * then no other invocation publishes them, however its scheduled time compares; alerts it could
 * not publish are handed back at once. The Lambda timeout ends an invocation soon after its
 * deadline, so only alerts of an invocation that died mid-publish wait for the hold to run out.
 */
const ALERT_HOLD_GRACE_MS = 10_000;
const STATE_WRITE_ATTEMPTS = 5;

export async function runCycle(config: MonitorConfig, deps: CycleDeps, input: CycleInput): Promise<CycleSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const accounts = await mapWithConcurrency(config.accounts, config.accountConcurrency, (account) =>
    monitorAccount(config, deps, input, account),
  );
  const count = (s: AccountStatus) => accounts.filter((a) => a.status === s).length;
  return {
    cycleTime: input.cycleTime.toISOString(),
    accounts,
    ok: count("ok"),
    failed: count("failed"),
    deferred: count("deferred"),
    alertsSent: accounts.reduce((n, a) => n + a.alertsSent.length, 0),
    durationMs: now() - started,
  };
}

/** Read the account, refreshing a cached secret once if Binance rejects the key it holds. */
async function readAccount(
  deps: CycleDeps,
  account: AccountConfig,
  deadlineMs: number,
  log: Logger,
): Promise<AccountRead> {
  const credentials = await deps.secrets.getCredentials(account.secretId);
  try {
    return await deps.exchange.getAccount(credentials, deadlineMs, log);
  } catch (err) {
    if (!(err instanceof BinanceAuthError || err instanceof BinanceSignatureError)) throw err;
    // The key may have been rotated since this container cached it: read it again once.
    let fresh: ApiCredentials;
    try {
      fresh = await deps.secrets.getCredentials(account.secretId, { refresh: true });
    } catch (refreshErr) {
      // Binance refusing the key is the news a person must act on; a throttled or failed re-read
      // must not turn it into a transient "secret" failure that alerts only cycles later.
      log.warn("could not re-read the secret after Binance refused the key", errorLogFields(refreshErr));
      throw err;
    }
    // Sources return the very same object while the secret's version is unchanged.
    if (fresh === credentials) throw err;
    log.info("secret changed since it was cached; retrying with the new key");
    return deps.exchange.getAccount(fresh, deadlineMs, log);
  }
}

async function monitorAccount(
  config: MonitorConfig,
  deps: CycleDeps,
  input: CycleInput,
  account: AccountConfig,
): Promise<AccountResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const log = deps.log.child({ account: account.name });
  const problems: { step: string; kind: string; message: string }[] = [];
  let snapshot: Snapshot | undefined;
  let snapshotWritten: boolean | "duplicate" = false;
  let pools: AssessedPool[] = [];
  let outcome: ReadOutcome;
  let readError: { kind: string; message: string } | undefined;
  let status: AccountStatus = "ok";

  let read: AccountRead | undefined;
  let coinmError: unknown;
  try {
    read = await readAccount(deps, account, input.deadlineMs, log);
    pools = read.pools.flatMap((p) => assessPools([p], poolRiskLevels(config, account, p.id, p.asset)));
    outcome = { ok: true };
    for (const p of pools) {
      log.info("margin pool", {
        pool: p.id,
        ratio: Number.isFinite(p.ratio) ? p.ratio : null,
        distance: p.distance,
        alertLevel: p.level,
        usedWeight: read.usedWeight,
      });
    }
  } catch (err) {
    coinmError = err;
    readError = describeError(err);
    status = err instanceof WeightBudgetExceededError ? "deferred" : "failed";
    outcome = {
      ok: false,
      kind: readError.kind,
      needsHuman: err instanceof GuardError ? err.needsHuman : false,
    };
    log.error("cannot read account", { kind: readError.kind, error: readError.message, status });
  }

  // USD-M beside COIN-M (usdm-read.ts): never throws, judged on its own record in commitState.
  const usdm = await readUsdmIfDue(config, deps, account, input.cycleTime, input.deadlineMs, log, coinmError);
  if (usdm.observation?.ok) pools = [...pools, ...usdm.observation.pools];
  if (read) {
    snapshot = buildSnapshot({
      account: account.name,
      takenAt: input.cycleTime,
      fetchedAt: new Date(now()),
      balances: read.account.assets,
      pools,
      positions: [...read.positions, ...usdm.positions],
      ...(read.usedWeight !== undefined ? { usedWeight: read.usedWeight } : {}),
      ttlDays: config.snapshotTtlDays,
    });
  }

  // The snapshot write and the alert state are independent: run them at once, so a warm cycle
  // (state cached, see state-cache.ts) costs one DynamoDB round trip. Each catches its own
  // failure, so a fetched snapshot is written even when alerting fails, and the other way round.
  const writeSnapshot = async () => {
    if (!snapshot) return;
    try {
      snapshotWritten = (await deps.snapshots.putSnapshot(snapshot)) === "duplicate" ? "duplicate" : true;
    } catch (err) {
      problems.push({ step: "write-snapshot", ...describeError(err) });
      log.error("snapshot write failed", errorLogFields(err));
    }
  };

  let alertsSent: Alert[] = [];
  let alertsPending = 0;
  const alert = async () => {
    try {
      // Once a day, and only with a key that just read the account (see lib/keys/check.ts).
      const keyCheck = (previous: KeyCheckState | undefined) =>
        outcome.ok ? checkKeyIfDue(deps, account, previous, input.cycleTime, input.deadlineMs, log) : undefined;
      const claimed = await commitState(
        config,
        deps,
        input,
        account.name,
        pools,
        outcome,
        readError,
        log,
        keyCheck,
        usdm.observation,
      );
      const published = await publishAll(
        deps,
        claimed.map((p) => p.alert),
        log,
      );
      alertsSent = published.sent;
      alertsPending = published.failed;
      if (published.sent.length > 0) {
        await deps.state.ackAlerts(
          account.name,
          published.sent.map((a) => a.id),
        );
      }
      if (published.failed > 0) {
        problems.push({
          step: "publish",
          kind: "publish",
          message: `${published.failed} alert(s) not published; retried next cycle`,
        });
        await releaseUnpublished(deps, account.name, claimed.slice(published.sent.length), log);
      }
    } catch (err) {
      problems.push({ step: "alert-state", ...describeError(err) });
      log.error("alert state update failed", errorLogFields(err));
    }
  };
  await Promise.all([writeSnapshot(), alert()]);

  return {
    account: account.name,
    status,
    ...(snapshot ? { snapshot } : {}),
    snapshotWritten,
    pools,
    alertsSent,
    alertsPending,
    ...(readError ? { error: readError } : {}),
    problems,
    durationMs: now() - started,
  };
}

/** Hand back claimed alerts that were not published, so the next invocation need not wait out the hold. */
async function releaseUnpublished(deps: CycleDeps, account: string, held: readonly PendingAlert[], log: Logger) {
  try {
    await deps.state.releaseAlerts(account, held);
  } catch (err) {
    // Not lost: they stay in the outbox and are retried once the hold runs out.
    log.warn("could not hand back unpublished alerts; retried after the hold", errorLogFields(err));
  }
}

/**
 * Apply this cycle's observation to the stored alert state with an optimistic lock, and claim
 * the alerts to publish (new ones plus any whose earlier publish failed and no other invocation
 * holds). A cycle whose time is not newer than the stored one (a retried or overlapping
 * delivery) changes nothing but may still claim alerts left pending.
 */
async function commitState(
  config: MonitorConfig,
  deps: CycleDeps,
  input: CycleInput,
  accountName: string,
  pools: readonly AssessedPool[],
  outcome: ReadOutcome,
  readError: { kind: string; message: string } | undefined,
  log: Logger,
  keyCheck: (previous: KeyCheckState | undefined) => Promise<KeyObservation | undefined> | undefined,
  usdm: UsdmObservation | undefined,
): Promise<PendingAlert[]> {
  const cycleIso = input.cycleTime.toISOString();
  // The policy's clock is the scheduled time, not the wall clock, so reminders follow the
  // schedule exactly. Holds on claimed alerts are wall-clock: they protect publishes in flight,
  // which run in real time whatever cycle the invocation belongs to.
  const nowMs = input.cycleTime.getTime();
  const now = deps.now ?? Date.now;
  let keyObservation: KeyObservation | undefined;
  let keyChecked = false;
  for (let attempt = 1; attempt <= STATE_WRITE_ATTEMPTS; attempt++) {
    const prev = await deps.state.loadState(accountName);
    const stale = prev.lastCycleAt !== undefined && prev.lastCycleAt >= cycleIso;
    if (!stale && !keyChecked) {
      // Asked once per cycle; a retry after a write conflict applies the same answer again.
      keyObservation = await keyCheck(prev.keyCheck);
      keyChecked = true;
    }
    const { state, alerts } = stale
      ? { state: prev, alerts: [] as Alert[] }
      : withKeyObservation(
          withUsdmObservation(
            config,
            evaluateAccount(config, prev, pools, outcome, readError, accountName, input.cycleTime, nowMs),
            usdm,
            accountName,
            input.cycleTime,
          ),
          keyObservation,
          accountName,
          input.cycleTime,
        );
    if (stale) log.info("cycle already applied; state unchanged", { cycleTime: cycleIso, stored: prev.lastCycleAt });

    const { outbox, claimed } = claimAlerts(state.outbox, alerts, now(), input.deadlineMs);
    if (stale && claimed.length === 0) return [];
    try {
      await deps.state.saveState(accountName, { ...state, outbox, version: prev.version + 1 }, prev.version);
      return claimed;
    } catch (err) {
      if (!(err instanceof StateConflictError)) throw err;
      log.warn("alert state changed concurrently; re-evaluating", { attempt });
    }
  }
  throw new StateConflictError(
    `alert state for ${accountName} kept changing; gave up after ${STATE_WRITE_ATTEMPTS} tries`,
  );
}

/**
 * The alerts this invocation takes to publish: the new ones, plus any left pending that no other
 * invocation holds, each held until shortly past this invocation's deadline; oldest first.
 */
function claimAlerts(
  stored: Readonly<Record<string, PendingAlert>>,
  alerts: readonly Alert[],
  wallNow: number,
  deadlineMs: number,
): { outbox: Record<string, PendingAlert>; claimed: PendingAlert[] } {
  const outbox: Record<string, PendingAlert> = { ...stored };
  const claimed: PendingAlert[] = [];
  const holdUntil = Math.max(deadlineMs, wallNow) + ALERT_HOLD_GRACE_MS;
  // Oldest first: the stored map has no order, and an earlier alert must go out before a later one.
  const waiting = Object.entries(outbox).sort(
    ([idA, a], [idB, b]) => a.alert.at.localeCompare(b.alert.at) || idA.localeCompare(idB),
  );
  for (const [id, pending] of waiting) {
    if (pending.notBefore <= wallNow) {
      const held = { ...pending, notBefore: holdUntil, attempts: pending.attempts + 1 };
      claimed.push(held);
      outbox[id] = held;
    }
  }
  for (const alert of alerts) {
    const held = { alert, notBefore: holdUntil, attempts: 1 };
    claimed.push(held);
    outbox[alert.id] = held;
  }
  return { outbox, claimed };
}

/** What judging an account's pools at a new mark did (runMarkCheck). */
export interface MarkCheckResult {
  readonly account: string;
  /** False when the state has moved past the read the marks were applied to (a newer read decides). */
  readonly applied: boolean;
  readonly alertsSent: readonly Alert[];
  readonly alertsPending: number;
  /** The level each pool holds in the state after the check (escalated or not). */
  readonly held: Readonly<Record<string, string>>;
  readonly problems: readonly { step: string; kind: string; message: string }[];
}

/**
 * Judge an account's pools at a new mark between signed reads (lib/monitor/mark-watch.ts): through
 * the same alert state, claims and publishing as a cycle, but it may only raise a pool's level
 * (evaluateMarkEscalations), sends no reminder or recovery, leaves health and the cycle's time
 * alone, and applies only while the stored state still rests on the read `basedOn` (that read's
 * cycle time): once a newer read is applied, the marks were judged against stale positions and
 * that read decides. Alerts it raises say they come from the mark price.
 */
export async function runMarkCheck(
  config: MonitorConfig,
  deps: CycleDeps,
  input: { readonly at: Date; readonly deadlineMs: number },
  accountName: string,
  pools: readonly AssessedPool[],
  basedOn: string,
): Promise<MarkCheckResult> {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ account: accountName, source: "mark-price" });
  const problems: { step: string; kind: string; message: string }[] = [];
  let claimed: PendingAlert[] = [];
  let held: Record<string, string> = {};
  let applied = false;
  try {
    for (let attempt = 1; ; attempt++) {
      const prev = await deps.state.loadState(accountName);
      held = Object.fromEntries(Object.entries(prev.pools).map(([id, p]) => [id, p.level]));
      if (prev.lastCycleAt !== basedOn) break;
      const { state, alerts } = evaluateMarkEscalations(config, prev, pools, accountName, input.at);
      if (alerts.length === 0) {
        applied = true;
        break;
      }
      const claim = claimAlerts(state.outbox, alerts, now(), input.deadlineMs);
      try {
        await deps.state.saveState(
          accountName,
          { ...state, outbox: claim.outbox, version: prev.version + 1 },
          prev.version,
        );
        claimed = claim.claimed;
        held = Object.fromEntries(Object.entries(state.pools).map(([id, p]) => [id, p.level]));
        applied = true;
        break;
      } catch (err) {
        if (!(err instanceof StateConflictError) || attempt >= STATE_WRITE_ATTEMPTS) throw err;
        log.warn("alert state changed concurrently; re-evaluating the mark", { attempt });
      }
    }
  } catch (err) {
    problems.push({ step: "alert-state", ...describeError(err) });
    log.error("mark check: alert state update failed", errorLogFields(err));
    return { account: accountName, applied: false, alertsSent: [], alertsPending: 0, held, problems };
  }
  if (claimed.length === 0) return { account: accountName, applied, alertsSent: [], alertsPending: 0, held, problems };
  const published = await publishAll(
    deps,
    claimed.map((p) => p.alert),
    log,
  );
  try {
    if (published.sent.length > 0) {
      await deps.state.ackAlerts(
        accountName,
        published.sent.map((a) => a.id),
      );
    }
  } catch (err) {
    problems.push({ step: "alert-state", ...describeError(err) });
    log.error("mark check: could not acknowledge published alerts", errorLogFields(err));
  }
  if (published.failed > 0) {
    problems.push({
      step: "publish",
      kind: "publish",
      message: `${published.failed} alert(s) not published; retried next cycle`,
    });
    await releaseUnpublished(deps, accountName, claimed.slice(published.sent.length), log);
  }
  return { account: accountName, applied, alertsSent: published.sent, alertsPending: published.failed, held, problems };
}

async function publishAll(
  deps: CycleDeps,
  alerts: readonly Alert[],
  log: Logger,
): Promise<{ sent: Alert[]; failed: number }> {
  const sent: Alert[] = [];
  // In order, stopping at the first failure, so a recovery never overtakes the escalation it
  // follows: whatever is left stays in the outbox and goes out, in order, next cycle.
  for (const alert of alerts) {
    const fields = {
      alertId: alert.id,
      type: alert.type,
      notice: alert.notice,
      ...(alert.type === "margin"
        ? { pool: alert.pool, ratio: alert.ratio, distance: alert.distance, alertLevel: alert.level }
        : {}),
    };
    try {
      await deps.publisher.publish(alert);
      sent.push(alert);
      log.info("alert published", fields);
    } catch (err) {
      log.error("alert publish failed; will retry next cycle", {
        ...fields,
        ...errorLogFields(err),
        heldBack: alerts.length - sent.length - 1,
      });
      break;
    }
  }
  return { sent, failed: alerts.length - sent.length };
}

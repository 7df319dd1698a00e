/**
 * One monitoring cycle: for each account read the key, read the account, write the snapshot,
 * update the alert state and publish what changed. Accounts run concurrently with a bound; one
 * account's failure never stops the others; a fetched snapshot is written before anything that
 * could fail after it.
 */

import type { Alert } from "../alerts/messages.js";
import type { ReadOutcome } from "../alerts/policy.js";
import type { MarginHint, MarginMemory } from "../binance/portfolio/recognise.js";
import type { AccountConfig, MonitorConfig } from "../config.js";
import { mapWithConcurrency } from "../core/concurrency.js";
import {
  BinanceAuthError,
  BinanceSignatureError,
  describeError,
  errorLogFields,
  GuardError,
  WeightBudgetExceededError,
} from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { checkKeyIfDue, type KeyPermissionSource } from "../keys/check.js";
import type { ApiCredentials } from "../keys/credentials.js";
import type { KeyCheckState } from "../keys/policy.js";
import { type AssessedPool, assessPools } from "../risk/pools.js";
import { poolRiskLevels } from "./account-evaluation.js";
import { commitState, publishAll, releaseUnpublished } from "./outbox.js";
import type {
  AccountRead,
  AccountSource,
  AlertPublisher,
  AlertStateStore,
  SecretSource,
  SnapshotStore,
  UsdmSource,
} from "./ports.js";
import { buildSnapshot, type Snapshot } from "./snapshot.js";
import { readUsdmIfDue, type UsdmStep } from "./usdm-read.js";

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
  /** Why this cycle's USD-M read failed (the account's COIN-M status is its own). */
  readonly usdmError?: { kind: string; message: string };
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
  margin: MarginHint,
): Promise<AccountRead> {
  const credentials = await deps.secrets.getCredentials(account.secretId);
  try {
    return await deps.exchange.getAccount(credentials, deadlineMs, log, margin);
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
    return deps.exchange.getAccount(fresh, deadlineMs, log, margin);
  }
}

/**
 * What the config and the account's state say of its margin (Portfolio Margin or not). Only the
 * state this container already holds is asked (no I/O before the read, which runs beside the
 * state write as before): a cold container finds a PM account out again from Binance's answers,
 * one refused classic call, and remembers it from then on.
 */
function marginHint(deps: CycleDeps, account: AccountConfig, input: CycleInput): MarginHint {
  const now = input.cycleTime.getTime();
  if (account.margin) return { configured: account.margin, now };
  const remembered = deps.state.cached?.(account.name)?.margin;
  return remembered ? { remembered, now } : { now };
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
  let margin: MarginMemory | undefined;

  let read: AccountRead | undefined;
  let coinmError: unknown;
  try {
    read = await readAccount(deps, account, input.deadlineMs, log, marginHint(deps, account, input));
    margin = read.margin;
    pools = read.pools.flatMap((p) => assessPools([p], poolRiskLevels(config, account, p.id, p.asset)));
    outcome = { ok: true };
    for (const p of pools) {
      log.info("margin pool", {
        pool: p.id,
        ratio: Number.isFinite(p.ratio) ? p.ratio : null,
        distance: p.distance,
        alertLevel: p.level,
        // A Portfolio Margin pool's ratio is 1 / uniMMR: Binance's own figures ride along for people.
        ...(p.portfolio ? { uniMMR: p.portfolio.uniMMR, accountStatus: p.portfolio.accountStatus } : {}),
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
  // A Portfolio Margin read holds the USD-M positions already; fapi refuses a PM account's key.
  const usdm: UsdmStep = read?.portfolio
    ? { observation: undefined, positions: [] }
    : await readUsdmIfDue(config, deps, account, input.cycleTime, input.deadlineMs, log, coinmError);
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
        margin,
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
    ...(usdm.observation?.ok === false
      ? { usdmError: { kind: usdm.observation.kind, message: usdm.observation.message } }
      : {}),
    problems,
    durationMs: now() - started,
  };
}

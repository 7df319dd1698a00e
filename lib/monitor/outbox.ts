/**
 * The alert state write and the outbox: apply a cycle's observation to the stored state under an
 * optimistic lock, claim the alerts to publish in the same write, publish them oldest first, and
 * hand back what could not go out. Split from cycle.ts, which orchestrates one account's cycle.
 */

import type { Alert } from "../alerts/messages.js";
import type { ReadOutcome } from "../alerts/policy.js";
import type { MarginMemory } from "../binance/portfolio/recognise.js";
import type { MonitorConfig } from "../config.js";
import { errorLogFields, StateConflictError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { withKeyObservation } from "../keys/check.js";
import type { KeyCheckState, KeyObservation } from "../keys/policy.js";
import type { AssessedPool } from "../risk/pools.js";
import { evaluateAccount } from "./account-evaluation.js";
import type { AlertPublisher, AlertStateStore, PendingAlert } from "./ports.js";
import { type UsdmObservation, withUsdmObservation } from "./usdm-evaluation.js";

/**
 * How long past its own deadline an invocation holds the alerts it claimed (wall clock). Until
 * then no other invocation publishes them, however its scheduled time compares; alerts it could
 * not publish are handed back at once. The Lambda timeout ends an invocation soon after its
 * deadline, so only alerts of an invocation that died mid-publish wait for the hold to run out.
 */
const ALERT_HOLD_GRACE_MS = 10_000;
export const STATE_WRITE_ATTEMPTS = 5;

/** Hand back claimed alerts that were not published, so the next invocation need not wait out the hold. */
export async function releaseUnpublished(
  deps: { readonly state: AlertStateStore },
  account: string,
  held: readonly PendingAlert[],
  log: Logger,
) {
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
export async function commitState(
  config: MonitorConfig,
  deps: { readonly state: AlertStateStore; readonly now?: () => number },
  input: { readonly cycleTime: Date; readonly deadlineMs: number },
  accountName: string,
  pools: readonly AssessedPool[],
  outcome: ReadOutcome,
  readError: { kind: string; message: string } | undefined,
  log: Logger,
  keyCheck: (previous: KeyCheckState | undefined) => Promise<KeyObservation | undefined> | undefined,
  usdm: UsdmObservation | undefined,
  margin?: MarginMemory,
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
    const evaluated = stale
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
    // What this read found out about the account's margin (Portfolio Margin or not), remembered.
    const state = !stale && margin ? { ...evaluated.state, margin } : evaluated.state;
    const alerts = evaluated.alerts;
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
export function claimAlerts(
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

export async function publishAll(
  deps: { readonly publisher: AlertPublisher },
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

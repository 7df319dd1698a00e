/**
 * Judging an account's pools at a new mark between signed reads (lib/monitor/mark-watch.ts),
 * through the same alert state, claims and outbox as a cycle (outbox.ts).
 */
import type { Alert } from "../alerts/messages.js";
import type { MonitorConfig } from "../config.js";
import { describeError, errorLogFields, StateConflictError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { AssessedPool } from "../risk/pools.js";
import { evaluateMarkEscalations } from "./account-evaluation.js";
import { claimAlerts, publishAll, releaseUnpublished, STATE_WRITE_ATTEMPTS } from "./outbox.js";
import type { AlertPublisher, AlertStateStore, PendingAlert } from "./ports.js";

/** What a mark check needs of the cycle's dependencies. */
export interface MarkCheckDeps {
  readonly state: AlertStateStore;
  readonly publisher: AlertPublisher;
  readonly log: Logger;
  readonly now?: () => number;
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
  deps: MarkCheckDeps,
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

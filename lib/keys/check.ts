/**
 * The cycle's daily key permission step, kept apart from the margin path: `checkKeyIfDue` asks
 * Binance what the account's key may do when the stored state says a check is due (it never
 * fails the cycle), and `applyKeyObservation` folds the answer into the alert state and yields
 * the alert, if any. The cycle calls the first with the state it loads anyway before its write,
 * so the check costs no extra DynamoDB read.
 */

import type { KeyAlert } from "../alerts/key-alerts.js";
import type { KeyPermissions } from "../binance/spot/key-permissions.js";
import type { AccountConfig } from "../config.js";
import { describeError, errorLogFields, WeightBudgetExceededError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { AccountState, SecretSource } from "../monitor/ports.js";
import type { ApiCredentials } from "./credentials.js";
import { decideKeyCheck, type KeyCheckState, type KeyObservation, keyCheckDue } from "./policy.js";

export interface KeyPermissionSource {
  getKeyPermissions(credentials: ApiCredentials, deadlineMs: number, log: Logger): Promise<KeyPermissions>;
}

export interface KeyCheckDeps {
  readonly secrets: SecretSource;
  /** Absent: no key checks (tests of other parts, tools without the spot API). */
  readonly keys?: KeyPermissionSource | undefined;
}

/**
 * Check the key if `previous` (the stored check) says one is due at `cycleTime`. Undefined when
 * not due or not attempted (weight budget spent: tried next cycle); a failed call is an
 * observation, so it is recorded and tried again a day later. Call it only after the account
 * was read: a key that cannot read is the health alert's news, not this check's.
 */
export async function checkKeyIfDue(
  deps: KeyCheckDeps,
  account: AccountConfig,
  previous: KeyCheckState | undefined,
  cycleTime: Date,
  deadlineMs: number,
  log: Logger,
): Promise<KeyObservation | undefined> {
  if (!deps.keys || !keyCheckDue(previous, cycleTime.getTime())) return undefined;
  try {
    // The secret source caches per container: this is the key the account was just read with.
    const credentials = await deps.secrets.getCredentials(account.secretId);
    const permissions = await deps.keys.getKeyPermissions(credentials, deadlineMs, log);
    log.info("key permissions checked", {
      ipRestricted: permissions.ipRestricted,
      reading: permissions.reading,
      dangerous: permissions.dangerous,
    });
    return { ok: true, permissions };
  } catch (err) {
    if (err instanceof WeightBudgetExceededError) {
      log.info("key permission check deferred to the next cycle", errorLogFields(err));
      return undefined;
    }
    log.warn("key permission check failed; tried again in a day", errorLogFields(err));
    return { ok: false, kind: describeError(err).kind };
  }
}

/** The state after this cycle's key observation (if any), and the alert it raises. */
export function applyKeyObservation(
  state: AccountState,
  observation: KeyObservation | undefined,
  account: string,
  cycleTime: Date,
): { state: AccountState; alerts: KeyAlert[] } {
  if (!observation) return { state, alerts: [] };
  const at = cycleTime.toISOString();
  const decision = decideKeyCheck(state.keyCheck, observation, cycleTime.getTime());
  const next = { ...state, keyCheck: decision.next };
  if (!decision.notice) return { state: next, alerts: [] };
  return {
    state: next,
    alerts: [
      {
        type: "key",
        id: `${at}#${account}#key#${decision.notice}`,
        account,
        notice: decision.notice,
        permissions: observation.ok ? observation.permissions.dangerous : [],
        gained: decision.gained ?? [],
        ipRestricted: observation.ok ? observation.permissions.ipRestricted : false,
        at,
      },
    ],
  };
}

/** `applyKeyObservation` on an evaluated cycle: its state and alerts plus the key check's. */
export function withKeyObservation<A>(
  evaluated: { state: AccountState; alerts: A[] },
  observation: KeyObservation | undefined,
  account: string,
  cycleTime: Date,
): { state: AccountState; alerts: (A | KeyAlert)[] } {
  const keyed = applyKeyObservation(evaluated.state, observation, account, cycleTime);
  return { state: keyed.state, alerts: [...evaluated.alerts, ...keyed.alerts] };
}

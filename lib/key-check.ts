/**
 * The cycle's daily key permission step, kept apart from the margin path: `checkKeyIfDue` asks
 * Binance what the account's key may do when a check is due (never fails the cycle), and
 * `applyKeyObservation` folds the answer into the alert state and yields the alert, if any.
 */
import type { KeyPermissions } from "./binance/key-permissions.js";
import type { AccountConfig } from "./config.js";
import type { ApiCredentials } from "./credentials.js";
import { describeError, errorLogFields, WeightBudgetExceededError } from "./errors.js";
import type { KeyAlert } from "./key-alerts.js";
import { decideKeyCheck, type KeyObservation, keyCheckDue } from "./key-policy.js";
import type { Logger } from "./log.js";
import type { AccountState, AlertStateStore, SecretSource } from "./ports.js";

export interface KeyPermissionSource {
  getKeyPermissions(credentials: ApiCredentials, deadlineMs: number, log: Logger): Promise<KeyPermissions>;
}

export interface KeyCheckDeps {
  readonly secrets: SecretSource;
  readonly state: AlertStateStore;
  /** Absent: no key checks (tests of other parts, tools without the spot API). */
  readonly keys?: KeyPermissionSource | undefined;
}

/**
 * Check the key if the stored state says a check is due at `cycleTime`. Undefined when not due or
 * not attempted (weight budget spent: tried next cycle); a failed call is an observation, so it
 * is recorded and tried again a day later. Call it only after the account was read: a key that
 * cannot read is the health alert's news, not this check's.
 */
export async function checkKeyIfDue(
  deps: KeyCheckDeps,
  account: AccountConfig,
  cycleTime: Date,
  deadlineMs: number,
  log: Logger,
): Promise<KeyObservation | undefined> {
  if (!deps.keys) return undefined;
  try {
    const state = await deps.state.loadState(account.name);
    if (!keyCheckDue(state.keyCheck, cycleTime.getTime())) return undefined;
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

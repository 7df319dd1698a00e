/**
 * What one USD-M read (or failed read) means for the account's alert state, as pure functions:
 * its pools judged like COIN-M's (account-evaluation.ts judgePools, USD-M ids only), its own
 * cannot-read record, and when the next look is due (usdm-look.ts). COIN-M's pools and health
 * are never touched here, so a USD-M outage leaves COIN-M monitoring exactly as it was.
 */
import type { Alert, HealthAlert } from "../alerts/messages.js";
import { decideHealth, HEALTHY } from "../alerts/policy.js";
import type { MonitorConfig } from "../config.js";
import type { AssessedPool } from "../risk/pools.js";
import { poolOfId } from "../risk/pools.js";
import { judgePools } from "./account-evaluation.js";
import type { AccountState } from "./ports.js";
import { afterUsdmRead } from "./usdm-look.js";

/** This cycle's USD-M read: its assessed pools, or why it failed. */
export type UsdmObservation =
  | {
      readonly ok: true;
      readonly pools: readonly AssessedPool[];
      readonly empty: boolean;
      readonly multiAssets: boolean | undefined;
      readonly modeChecked: boolean;
    }
  | { readonly ok: false; readonly kind: string; readonly message: string; readonly needsHuman: boolean };

const isUsdmPool = (id: string) => poolOfId(id).product === "usdm";

/** The state after this cycle's USD-M observation (none: not due, off, or deferred), and its alerts. */
export function applyUsdmObservation(
  config: MonitorConfig,
  state: AccountState,
  observation: UsdmObservation | undefined,
  account: string,
  cycleTime: Date,
): { state: AccountState; alerts: Alert[] } {
  if (!observation) return { state, alerts: [] };
  const at = cycleTime.toISOString();
  const nowMs = cycleTime.getTime();
  const previous = state.usdm;
  const health = decideHealth(
    previous?.health ?? HEALTHY,
    observation.ok ? { ok: true } : { ok: false, kind: observation.kind, needsHuman: observation.needsHuman },
    config.failuresBeforeAlert,
  );
  const alerts: Alert[] = [];
  if (health.notice) {
    const alert: HealthAlert = {
      type: "health",
      id: `${at}#${account}#usdm#health#${health.notice}`,
      account,
      product: "usdm",
      notice: health.notice,
      failures:
        health.notice === "restored" ? (previous?.health.consecutiveFailures ?? 0) : health.next.consecutiveFailures,
      ...(!observation.ok ? { errorKind: observation.kind, reason: observation.message } : {}),
      at,
    };
    alerts.push(alert);
  }
  if (!observation.ok) {
    // The pools keep their state: a failed read says nothing about them (no spurious recovery).
    return { state: { ...state, usdm: { ...(previous ?? { holds: false }), health: health.next } }, alerts };
  }
  const judged = judgePools(config, state.pools, observation.pools, isUsdmPool, account, at, nowMs);
  return {
    state: { ...state, pools: judged.pools, usdm: afterUsdmRead(previous, observation, nowMs, health.next) },
    alerts: [...alerts, ...judged.alerts],
  };
}

/** `applyUsdmObservation` on an evaluated cycle: its state and alerts plus the USD-M read's. */
export function withUsdmObservation<A>(
  config: MonitorConfig,
  evaluated: { state: AccountState; alerts: A[] },
  observation: UsdmObservation | undefined,
  account: string,
  cycleTime: Date,
): { state: AccountState; alerts: (A | Alert)[] } {
  const applied = applyUsdmObservation(config, evaluated.state, observation, account, cycleTime);
  return { state: applied.state, alerts: [...evaluated.alerts, ...applied.alerts] };
}

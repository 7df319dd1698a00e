/**
 * Alerts waiting in the outbox outlive the code that wrote them: one written before margin pools
 * existed (per asset: `asset`, `maintMargin`, `marginBalance`) must still go out after an upgrade.
 * Such an alert was about the asset's cross pool, whose id is the asset.
 */

import type { PendingAlert } from "../monitor/ports.js";
import type { Alert } from "./messages.js";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A stored outbox entry as today's PendingAlert; undefined when it is not one at all. */
export function upgradePendingAlert(stored: unknown): PendingAlert | undefined {
  if (!isObject(stored) || !isObject(stored.alert)) return undefined;
  const alert = stored.alert;
  if (alert.type === "margin" && typeof alert.pool !== "string" && typeof alert.asset === "string") {
    const level = typeof alert.level === "string" ? alert.level : "ok";
    const { maintMargin, marginBalance, ...rest } = alert;
    const upgraded = {
      ...rest,
      pool: alert.asset,
      poolLabel: `${alert.asset} cross`,
      poolKind: "cross",
      distance: null,
      ratioLevel: level,
      distanceLevel: "ok",
      requirement: typeof maintMargin === "string" ? maintMargin : "0",
      collateral: typeof marginBalance === "string" ? marginBalance : "0",
    };
    return { ...(stored as unknown as PendingAlert), alert: upgraded as unknown as Alert };
  }
  return stored as unknown as PendingAlert;
}

/**
 * In-memory ports for property tests of the whole cycle: a store with the same optimistic-lock
 * and outbox semantics as DynamoDbStore (values are JSON round-tripped, as DynamoDB stores them),
 * a scripted exchange and a publisher that fails on demand.
 */

import type { Alert } from "../../../lib/alerts/messages.js";
import { HEALTHY } from "../../../lib/alerts/policy.js";
import type { AccountInfo } from "../../../lib/binance/coinm/account.js";
import { coinmRead } from "../../../lib/binance/coinm/reader.js";
import { StateConflictError } from "../../../lib/core/errors.js";
import type {
  AccountRead,
  AccountSource,
  AccountState,
  AlertPublisher,
  AlertStateStore,
  PendingAlert,
  SnapshotStore,
} from "../../../lib/monitor/ports.js";
import type { Snapshot } from "../../../lib/monitor/snapshot.js";

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class MemoryStore implements SnapshotStore, AlertStateStore {
  readonly snapshots = new Map<string, Snapshot>();
  private readonly states = new Map<string, AccountState>();

  async putSnapshot(snapshot: Snapshot): Promise<"created" | "duplicate"> {
    const key = `${snapshot.account}#${snapshot.takenAt}`;
    if (this.snapshots.has(key)) return "duplicate";
    this.snapshots.set(key, clone(snapshot));
    return "created";
  }

  async loadState(account: string): Promise<AccountState> {
    return clone(this.states.get(account) ?? { version: 0, pools: {}, health: HEALTHY, outbox: {} });
  }

  async saveState(account: string, state: AccountState, expectedVersion: number): Promise<void> {
    const current = this.states.get(account);
    if ((current?.version ?? 0) !== expectedVersion || (expectedVersion === 0 && current)) {
      throw new StateConflictError(`state for ${account} changed`);
    }
    this.states.set(account, clone(state));
  }

  async ackAlerts(account: string, alertIds: readonly string[]): Promise<void> {
    const current = this.states.get(account);
    if (!current) throw new Error("ack on a missing state item");
    const outbox = { ...current.outbox };
    for (const id of alertIds) delete outbox[id];
    this.states.set(account, { ...current, outbox, version: current.version + 1 });
  }

  async releaseAlerts(account: string, held: readonly PendingAlert[]): Promise<void> {
    const current = this.states.get(account);
    if (!current) return;
    if (!held.every((p) => JSON.stringify(current.outbox[p.alert.id]) === JSON.stringify(p))) return;
    const outbox = { ...current.outbox };
    for (const p of held) outbox[p.alert.id] = { ...p, notBefore: 0 };
    this.states.set(account, { ...current, outbox, version: current.version + 1 });
  }
}

/** What the exchange answers on the next read: asset ratios, or an error to throw. */
export type ExchangeScript = { readonly ratios: Readonly<Record<string, number>> } | { readonly error: Error };

/** `maintMargin / marginBalance` as decimal strings; Infinity becomes a negative margin balance with margin held. */
export function assetAt(asset: string, ratio: number) {
  const gone = !Number.isFinite(ratio);
  return {
    asset,
    walletBalance: "1.00000000",
    marginBalance: gone ? "-0.50000000" : "1.00000000",
    maintMargin: gone ? "0.30000000" : ratio.toFixed(8),
  };
}

export class ScriptedExchange implements AccountSource {
  next: ExchangeScript = { ratios: {} };

  async getAccount(): Promise<AccountRead> {
    const script = this.next;
    if ("error" in script) throw script.error;
    const account: AccountInfo = {
      assets: Object.entries(script.ratios).map(([asset, ratio]) => assetAt(asset, ratio)),
      positions: [],
      openPositions: 1,
    };
    return coinmRead(account, [], { attempts: 1 });
  }
}

export class FlakyPublisher implements AlertPublisher {
  readonly delivered: Alert[] = [];
  /** Consumed one per publish call: true fails that call. */
  failures: boolean[] = [];

  async publish(alert: Alert): Promise<void> {
    if (this.failures.shift()) throw new Error("SNS is unavailable");
    this.delivered.push(clone(alert));
  }
}

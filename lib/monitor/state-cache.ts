/**
 * A container-lifetime cache in front of the alert-state store. In the steady state only this
 * container writes an account's state, so the consistent read before each write is wasted: the
 * cache returns what this container last wrote, and the store's optimistic lock still catches
 * any other writer (the write fails on the version, the entry is dropped, the cycle reads the
 * store again). Anything else that changes the version (ack, release) drops the entry too.
 */
import type { AccountState, AlertStateStore, PendingAlert } from "./ports.js";

export class CachingStateStore implements AlertStateStore {
  private readonly cache = new Map<string, AccountState>();

  constructor(private readonly inner: AlertStateStore) {}

  async loadState(account: string): Promise<AccountState> {
    const cached = this.cache.get(account);
    // Copies in and out: a caller changing its state object must not change the cache.
    if (cached) return structuredClone(cached);
    const state = await this.inner.loadState(account);
    this.cache.set(account, structuredClone(state));
    return state;
  }

  cached(account: string): AccountState | undefined {
    const cached = this.cache.get(account);
    return cached ? structuredClone(cached) : undefined;
  }

  async saveState(account: string, state: AccountState, expectedVersion: number): Promise<void> {
    // Dropped first: a write that fails (or times out with its outcome unknown) leaves no entry.
    this.cache.delete(account);
    await this.inner.saveState(account, state, expectedVersion);
    this.cache.set(account, structuredClone(state));
  }

  async ackAlerts(account: string, alertIds: readonly string[]): Promise<void> {
    this.cache.delete(account);
    await this.inner.ackAlerts(account, alertIds);
  }

  async releaseAlerts(account: string, held: readonly PendingAlert[]): Promise<void> {
    this.cache.delete(account);
    await this.inner.releaseAlerts(account, held);
  }
}

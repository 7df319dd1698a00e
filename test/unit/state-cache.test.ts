import { describe, expect, it } from "vitest";
import { HEALTHY } from "../../lib/alerts/policy.js";
import { StateConflictError } from "../../lib/core/errors.js";
import type { AccountState, AlertStateStore, PendingAlert } from "../../lib/monitor/ports.js";
import { CachingStateStore } from "../../lib/monitor/state-cache.js";
import { MemoryStore } from "../faults/support/memory-ports.js";

/** The in-memory store with the optimistic lock of DynamoDbStore, counting reads. */
class CountingStore implements AlertStateStore {
  readonly inner = new MemoryStore();
  loads = 0;
  loadState(account: string) {
    this.loads++;
    return this.inner.loadState(account);
  }
  saveState(account: string, state: AccountState, expected: number) {
    return this.inner.saveState(account, state, expected);
  }
  ackAlerts(account: string, ids: readonly string[]) {
    return this.inner.ackAlerts(account, ids);
  }
  releaseAlerts(account: string, held: readonly PendingAlert[]) {
    return this.inner.releaseAlerts(account, held);
  }
}

const state = (version: number, lastCycleAt: string): AccountState => ({
  version,
  lastCycleAt,
  pools: { BTC: { level: "warning", lastNotifiedAt: version } },
  health: HEALTHY,
  outbox: {},
});

describe("CachingStateStore", () => {
  it("serves what this container wrote without reading the store again", async () => {
    const store = new CountingStore();
    const cache = new CachingStateStore(store);
    await cache.saveState("a", state(1, "t1"), (await cache.loadState("a")).version);
    await cache.saveState("a", state(2, "t2"), (await cache.loadState("a")).version);
    expect(await cache.loadState("a")).toEqual(state(2, "t2"));
    expect(store.loads).toBe(1);
  });

  it("drops its entry when another writer got there first, so the retry reads the store", async () => {
    const store = new CountingStore();
    const cache = new CachingStateStore(store);
    await cache.saveState("a", state(1, "t1"), 0);
    await store.inner.saveState("a", state(2, "t2"), 1); // another container

    const stale = await cache.loadState("a");
    expect(stale.version).toBe(1);
    await expect(cache.saveState("a", state(2, "t2-mine"), stale.version)).rejects.toBeInstanceOf(StateConflictError);
    expect(await cache.loadState("a")).toEqual(state(2, "t2"));
    expect(store.loads).toBe(1);
  });

  it("drops its entry after an acknowledgement or a release, which bump the version", async () => {
    const store = new CountingStore();
    const cache = new CachingStateStore(store);
    await cache.saveState("a", state(1, "t1"), 0);
    await cache.ackAlerts("a", []);
    expect((await cache.loadState("a")).version).toBe(2);
    await cache.releaseAlerts("a", []);
    expect((await cache.loadState("a")).version).toBe(3);
    expect(store.loads).toBe(2);
  });

  it("hands out copies: changing a loaded state does not change the cache", async () => {
    const cache = new CachingStateStore(new CountingStore());
    await cache.saveState("a", state(1, "t1"), 0);
    const loaded = (await cache.loadState("a")) as { pools: Record<string, unknown> };
    loaded.pools.ETH = { level: "critical", lastNotifiedAt: 0 };
    expect(Object.keys((await cache.loadState("a")).pools)).toEqual(["BTC"]);
  });
});

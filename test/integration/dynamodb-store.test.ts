import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTHY } from "../../lib/alerts/policy.js";
import { DynamoDbStore, itemToSnapshot, snapshotToItem } from "../../lib/aws/dynamodb-store.js";
import { StateConflictError } from "../../lib/core/errors.js";
import type { AssetSnapshot, Snapshot } from "../../lib/monitor/snapshot.js";
import { ASSET_DECIMAL_FIELDS } from "../../lib/risk/balances.js";
import { ensureTable, type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { itemSize } from "../../sim/item-size.js";
import { snapshotOfEngineAccount, tenPositionAccount } from "../../sim/snapshot-fixtures.js";
import { minute } from "../support/harness.js";

let dynamo: RunningDynalite;
let client: DynamoDBClient;
let store: DynamoDbStore;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  await ensureTable(client, "store-test");
  store = new DynamoDbStore(client, "store-test");
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

function snapshot(account: string, i: number, ratio: number | null = 0.25): Snapshot {
  return {
    account,
    takenAt: minute(i).toISOString(),
    fetchedAt: new Date(minute(i).getTime() + 150).toISOString(),
    assets: [
      {
        asset: "BTC",
        raw: { walletBalance: "1.00000000", marginBalance: "1.00000000", maintMargin: "0.25000000" },
        marginRatio: ratio,
        level: "ok",
      },
      {
        asset: "ETH",
        raw: { walletBalance: "2.5", marginBalance: "-0.1", maintMargin: "0.3" },
        marginRatio: null,
        level: "critical",
      },
    ],
    pools: [
      {
        id: "BTC",
        kind: "cross",
        asset: "BTC",
        label: "BTC cross",
        requirement: "0.25",
        collateral: "1",
        ratio,
        distance: 0.0123,
        level: "ok",
      },
      {
        id: "BTCUSD_PERP#LONG",
        kind: "isolated",
        asset: "BTC",
        label: "BTCUSD_PERP long isolated",
        requirement: "0.02631579",
        collateral: "0",
        ratio: null,
        distance: null,
        level: "critical",
      },
    ],
    positions: [
      {
        symbol: "BTCUSD_PERP",
        positionSide: "LONG",
        marginType: "isolated",
        positionAmt: "3000",
        entryPrice: "60000",
        markPrice: "57000.1",
        liquidationPrice: "0",
        maintMargin: "0.02631579",
        unrealizedProfit: "-0.26315789",
        isolatedWallet: "0.2924",
        isolatedMargin: "0.02924211",
        leverage: "20",
      },
      { symbol: "ETHUSD_261225", positionSide: "BOTH", marginType: "cross", positionAmt: "-7", maintMargin: "0.3" },
    ],
    openPositions: 2,
    usedWeight: 10,
    expiresAt: 1_900_000_000,
  };
}

describe("DynamoDbStore on dynalite", () => {
  it("round-trips a snapshot with its raw strings and null ratios", async () => {
    expect(await store.putSnapshot(snapshot("rt", 0))).toBe("created");
    expect(await store.latestSnapshot("rt")).toEqual(snapshot("rt", 0));
  });

  it("writes a snapshot once per account and scheduled time", async () => {
    expect(await store.putSnapshot(snapshot("dup", 0, 0.1))).toBe("created");
    expect(await store.putSnapshot(snapshot("dup", 0, 0.9))).toBe("duplicate");
    expect((await store.latestSnapshot("dup"))?.assets[0]?.marginRatio).toBe(0.1);
  });

  it("queries a time range in order, across pages, with Query only", async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.putSnapshot(snapshot("range", i))));
    await store.putSnapshot(snapshot("range-other", 5));
    const got: string[] = [];
    for await (const s of store.querySnapshots("range", {
      fromIso: minute(3).toISOString(),
      toIso: minute(20).toISOString(),
      pageSize: 4,
    })) {
      got.push(s.takenAt);
    }
    expect(got).toEqual(Array.from({ length: 18 }, (_, i) => minute(i + 3).toISOString()));
    const newest: string[] = [];
    for await (const s of store.querySnapshots("range", {
      fromIso: "0000",
      toIso: "9999",
      descending: true,
      limit: 3,
      pageSize: 2,
    })) {
      newest.push(s.takenAt);
    }
    expect(newest).toEqual([minute(24), minute(23), minute(22)].map((d) => d.toISOString()));
  });

  it("guards the alert state with an optimistic lock", async () => {
    const empty = await store.loadState("lock");
    expect(empty).toEqual({ version: 0, pools: {}, health: HEALTHY, outbox: {} });
    const v1 = {
      ...empty,
      version: 1,
      lastCycleAt: minute(0).toISOString(),
      pools: { BTC: { level: "warning", lastNotifiedAt: 5 } },
    };
    await store.saveState("lock", v1, 0);
    await expect(store.saveState("lock", { ...v1, version: 1 }, 0)).rejects.toBeInstanceOf(StateConflictError);
    await store.saveState("lock", { ...v1, version: 2 }, 1);
    await expect(store.saveState("lock", { ...v1, version: 2 }, 1)).rejects.toBeInstanceOf(StateConflictError);
    expect(await store.loadState("lock")).toMatchObject({ version: 2, pools: { BTC: { level: "warning" } } });
  });

  it("acknowledges published alerts and bumps the version so stale writers re-read", async () => {
    const alert = {
      type: "health" as const,
      id: "2026#a#health#unreachable",
      account: "a",
      notice: "unreachable" as const,
      failures: 3,
      at: "2026",
    };
    const keep = { ...alert, id: "2026#a#health#restored", notice: "restored" as const };
    await store.saveState(
      "ack",
      {
        version: 1,
        pools: {},
        health: HEALTHY,
        outbox: {
          [alert.id]: { alert, notBefore: 1, attempts: 1 },
          [keep.id]: { alert: keep, notBefore: 1, attempts: 1 },
        },
      },
      0,
    );
    await store.ackAlerts("ack", [alert.id]);
    const state = await store.loadState("ack");
    expect(Object.keys(state.outbox)).toEqual([keep.id]);
    expect(state.version).toBe(2);
    await expect(store.saveState("ack", { ...state, version: 2 }, 1)).rejects.toBeInstanceOf(StateConflictError);
  });
});

describe("snapshot item layout", () => {
  const fiveAssets = (): Snapshot => ({
    ...snapshot("layout", 0),
    pools: [],
    positions: [],
    assets: ["ADA", "BNB", "BTC", "DOT", "ETH"].map((asset) => ({
      asset,
      raw: Object.fromEntries(
        ASSET_DECIMAL_FIELDS.map((f, i) => [f, `${i === 4 ? "-" : ""}123.4567890${i}`]),
      ) as AssetSnapshot["raw"],
      marginRatio: 0.123456789012,
      level: "ok",
    })),
  });

  it("keeps every raw decimal exactly, in one attribute per asset, and fits 5 assets in one write unit", () => {
    const item = snapshotToItem(fiveAssets());
    expect(item.assets?.M?.BTC?.M?.d?.S).toBe(
      ASSET_DECIMAL_FIELDS.map((_, i) => `${i === 4 ? "-" : ""}123.4567890${i}`).join(","),
    );
    expect(item.account).toBeUndefined(); // it is the partition key
    expect(item.fmt).toEqual({ N: "2" });
    expect(itemToSnapshot(item)).toEqual(fiveAssets());
    // By DynamoDB's sizing rules (names + values), checked against dynalite's ConsumedCapacity in bench.
    expect(itemSize(item)).toBeLessThanOrEqual(1024);
  });

  it("keeps an account with 10 open positions, its pools and raw decimals under 4 KB, and reads it back whole", () => {
    const s = snapshotOfEngineAccount("busy", tenPositionAccount(), minute(0));
    expect(s.positions).toHaveLength(10);
    expect(s.pools.map((p) => p.id)).toEqual([
      "BTC",
      "BTCUSD_261225#LONG",
      "BTCUSD_261225#SHORT",
      "ETH",
      "ETHUSD_261225#LONG",
      "SOL",
      "SOLUSD_261225#LONG",
    ]);
    const item = snapshotToItem(s);
    expect(itemToSnapshot(item)).toEqual(s);
    expect(itemSize(item)).toBeLessThanOrEqual(4096);
  });

  it("reads a format-1 item (before pools): the asset carries its ratio and level, no pools or positions", () => {
    const item = {
      pk: { S: "ACCT#old" },
      sk: { S: "SNAP#2026-10-01T00:00:00.000Z" },
      fmt: { N: "1" },
      fetchedAt: { S: "2026-10-01T00:00:00.412Z" },
      assets: { M: { BTC: { M: { d: { S: "1,0,1,0.6" }, r: { N: "0.6" }, l: { S: "warning" } } } } },
      openPositions: { N: "1" },
      expiresAt: { N: "1900000000" },
    };
    expect(itemToSnapshot(item)).toEqual({
      account: "old",
      takenAt: "2026-10-01T00:00:00.000Z",
      fetchedAt: "2026-10-01T00:00:00.412Z",
      assets: [
        {
          asset: "BTC",
          raw: { walletBalance: "1", unrealizedProfit: "0", marginBalance: "1", maintMargin: "0.6" },
          marginRatio: 0.6,
          level: "warning",
        },
      ],
      pools: [],
      positions: [],
      openPositions: 1,
      expiresAt: 1_900_000_000,
    });
  });

  it("leaves a field Binance did not send absent after the round trip", () => {
    const s = snapshot("sparse", 0);
    expect(itemToSnapshot(snapshotToItem(s)).assets[0]?.raw).toEqual({
      walletBalance: "1.00000000",
      marginBalance: "1.00000000",
      maintMargin: "0.25000000",
    });
  });
});

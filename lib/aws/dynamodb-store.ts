/**
 * DynamoDB adapter: snapshots and alert state in one table.
 *
 * Keys (see docs/architecture.md):
 *   pk = "ACCT#<account>"
 *   sk = "SNAP#<takenAt ISO 8601>"  one snapshot per account and scheduled cycle (sorts by time)
 *   sk = "STATE"                    the account's alert state, written with an optimistic lock
 * `expiresAt` (epoch seconds) is the table's TTL attribute; only snapshots carry it.
 */
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { HealthState, PoolAlertState } from "../alerts/policy.js";
import { HEALTHY } from "../alerts/policy.js";
import { upgradePendingAlert } from "../alerts/upgrade.js";
import { parseMarginMemory } from "../binance/portfolio/recognise.js";
import { StateConflictError } from "../core/errors.js";
import { parseKeyCheckState } from "../keys/policy.js";
import type { AccountState, AlertStateStore, PendingAlert, SnapshotStore } from "../monitor/ports.js";
import {
  type AssetSnapshot,
  PORTFOLIO_FIELDS,
  POSITION_FIELDS,
  type PoolSnapshot,
  type PortfolioSnapshot,
  type PositionSnapshot,
  type Snapshot,
} from "../monitor/snapshot.js";
import { parseUsdmLookState } from "../monitor/usdm-look.js";
import { ASSET_DECIMAL_FIELDS, type AssetDecimalField } from "../risk/balances.js";
import { poolOfId } from "../risk/pools.js";
import { isCoinm } from "../risk/product.js";
import { type ClientRef, lazyModule, resolveClient } from "./lazy.js";

/** The SDK module, imported on the first request (lib/aws/lazy.ts: the cold start imports no SDK). */
const dynamodbSdk = lazyModule(() => import("@aws-sdk/client-dynamodb"));

/** SDK errors by name, so a lazily imported SDK needs no class at hand. */
function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}

type Item = Record<string, AttributeValue>;

export const accountKey = (account: string) => `ACCT#${account}`;
export const snapshotKey = (takenAtIso: string) => `SNAP#${takenAtIso}`;
export const STATE_KEY = "STATE";

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function str(item: Item, name: string): string | undefined {
  const v = item[name];
  return v && "S" in v ? v.S : undefined;
}
function num(item: Item, name: string): number | undefined {
  const v = item[name];
  return v && "N" in v && v.N !== undefined ? Number(v.N) : undefined;
}

/**
 * Snapshot layout version 2 (version 1 had no `pools` or `positions`, and still reads). Each
 * asset's raw decimals are one comma-joined string in the order of ASSET_DECIMAL_FIELDS, and each
 * position's in the order of POSITION_FIELDS (an absent field is an empty slot): an attribute
 * name per field would double the item, which then costs two write units and twice the bytes
 * `history` reads. Decimal strings and symbols never contain commas. New fields may only be
 * appended to an order. Pools: id -> {q requirement, c collateral, r ratio, x distance, l level, n label,
 * p a Portfolio Margin pool's figures in the order of PORTFOLIO_FIELDS}.
 */
export const SNAPSHOT_FORMAT = 2;

const joinFields = (fields: readonly string[], values: Readonly<Record<string, string | undefined>>) =>
  fields.map((field) => values[field] ?? "").join(",");

function splitFields<F extends string>(fields: readonly F[], joined: string | undefined): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  if (joined === undefined) return out;
  const values = joined.split(",");
  fields.forEach((field, i) => {
    const value = values[i];
    if (value) out[field] = value;
  });
  return out;
}

const numberOrNull = (value: number | null): AttributeValue => (value === null ? { NULL: true } : N(value));

export function snapshotToItem(snapshot: Snapshot): Item {
  // COIN-M's assets carry COIN-M's cross pools only (a USD-M "BTC cross" is another pool).
  const crossPools = new Set(snapshot.pools.filter((p) => p.kind === "cross" && isCoinm(p)).map((p) => p.asset));
  const assets: Record<string, AttributeValue> = {};
  for (const a of snapshot.assets) {
    assets[a.asset] = {
      M: {
        d: S(joinFields(ASSET_DECIMAL_FIELDS, a.raw)),
        // An asset's ratio and level are its cross pool's: stored once, with the pool.
        ...(crossPools.has(a.asset) ? {} : { r: numberOrNull(a.marginRatio), l: S(a.level) }),
      },
    };
  }
  const pools: Record<string, AttributeValue> = {};
  for (const p of snapshot.pools) {
    pools[p.id] = {
      M: {
        // A cross pool's label is derived from its id; an isolated one's names the side.
        ...(p.kind === "isolated" ? { n: S(p.label) } : {}),
        q: S(p.requirement),
        c: S(p.collateral),
        r: numberOrNull(p.ratio),
        ...(p.distance !== null ? { x: N(p.distance) } : {}),
        l: S(p.level),
        ...(p.portfolio ? { p: S(joinFields(PORTFOLIO_FIELDS, p.portfolio)) } : {}),
      },
    };
  }
  // account and takenAt are not stored: they are the keys.
  return {
    pk: S(accountKey(snapshot.account)),
    sk: S(snapshotKey(snapshot.takenAt)),
    fmt: N(SNAPSHOT_FORMAT),
    fetchedAt: S(snapshot.fetchedAt),
    assets: { M: assets },
    pools: { M: pools },
    ...(snapshot.positions.length > 0
      ? { positions: { L: snapshot.positions.map((p) => S(joinFields(POSITION_FIELDS, p))) } }
      : {}),
    openPositions: N(snapshot.openPositions),
    ...(snapshot.usedWeight !== undefined ? { usedWeight: N(snapshot.usedWeight) } : {}),
    expiresAt: N(snapshot.expiresAt),
  };
}

const rawDecimals = (joined: string | undefined): Partial<Record<AssetDecimalField, string>> =>
  splitFields(ASSET_DECIMAL_FIELDS, joined);

function nullableNumber(value: AttributeValue | undefined): number | null {
  return value?.N === undefined ? null : Number(value.N);
}

function poolsOf(item: Item): PoolSnapshot[] {
  const attr = item.pools && "M" in item.pools ? (item.pools.M ?? {}) : {};
  return Object.entries(attr)
    .map(([id, value]): PoolSnapshot => {
      const m = value.M ?? {};
      const { kind, asset, product, label } = poolOfId(id);
      return {
        id,
        kind,
        ...(product ? { product } : {}),
        asset,
        label: m.n?.S ?? label,
        requirement: m.q?.S ?? "0",
        collateral: m.c?.S ?? "0",
        ratio: nullableNumber(m.r),
        distance: nullableNumber(m.x),
        level: m.l?.S ?? "ok",
        ...(m.p?.S !== undefined ? { portfolio: splitFields(PORTFOLIO_FIELDS, m.p.S) as PortfolioSnapshot } : {}),
      };
    })
    .sort(
      (a, b) =>
        a.asset.localeCompare(b.asset) || (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === "cross" ? -1 : 1),
    );
}

function positionsOf(item: Item): PositionSnapshot[] {
  const list = item.positions && "L" in item.positions ? (item.positions.L ?? []) : [];
  return list.map((v) => splitFields(POSITION_FIELDS, v.S) as PositionSnapshot);
}

export function itemToSnapshot(item: Item): Snapshot {
  const pools = poolsOf(item);
  const crossPools = new Map(pools.filter((p) => p.kind === "cross" && isCoinm(p)).map((p) => [p.asset, p]));
  const assetsAttr = item.assets && "M" in item.assets ? (item.assets.M ?? {}) : {};
  const assets: AssetSnapshot[] = Object.entries(assetsAttr)
    .map(([asset, value]) => {
      const m = value.M ?? {};
      // Format 1 stored the ratio with the asset; format 2 with the asset's cross pool.
      const cross = m.r === undefined ? crossPools.get(asset) : undefined;
      return {
        asset,
        raw: rawDecimals(m.d?.S),
        marginRatio: cross ? cross.ratio : nullableNumber(m.r),
        level: cross ? cross.level : (m.l?.S ?? "ok"),
      };
    })
    .sort((a, b) => a.asset.localeCompare(b.asset));
  const usedWeight = num(item, "usedWeight");
  return {
    account: (str(item, "pk") ?? "").slice(accountKey("").length),
    takenAt: (str(item, "sk") ?? "").slice(snapshotKey("").length),
    fetchedAt: str(item, "fetchedAt") ?? "",
    assets,
    pools,
    positions: positionsOf(item),
    openPositions: num(item, "openPositions") ?? 0,
    ...(usedWeight !== undefined ? { usedWeight } : {}),
    expiresAt: num(item, "expiresAt") ?? 0,
  };
}

const EMPTY_STATE: AccountState = { version: 0, pools: {}, health: HEALTHY, outbox: {} };

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export interface QueryRange {
  readonly fromIso: string;
  readonly toIso: string;
  /** Newest first. @default false */
  readonly descending?: boolean;
  readonly limit?: number;
  /** Items per DynamoDB page. @default 1000 */
  readonly pageSize?: number;
}

export class DynamoDbStore implements SnapshotStore, AlertStateStore {
  private readonly client: () => Promise<DynamoDBClient>;

  constructor(
    client: ClientRef<DynamoDBClient>,
    readonly tableName: string,
  ) {
    this.client = resolveClient(client);
  }

  /** The client and the SDK's command classes, both loaded on the first request. */
  private async ready() {
    const [client, sdk] = await Promise.all([this.client(), dynamodbSdk()]);
    return { client, sdk };
  }

  async putSnapshot(snapshot: Snapshot): Promise<"created" | "duplicate"> {
    try {
      const { client, sdk } = await this.ready();
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: snapshotToItem(snapshot),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return "created";
    } catch (err) {
      if (isConditionFailed(err)) return "duplicate";
      throw err;
    }
  }

  async loadState(account: string): Promise<AccountState> {
    const { client, sdk } = await this.ready();
    const out = await client.send(
      new sdk.GetItemCommand({
        TableName: this.tableName,
        Key: { pk: S(accountKey(account)), sk: S(STATE_KEY) },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item) return EMPTY_STATE;
    const outbox: Record<string, PendingAlert> = {};
    const outboxAttr = item.outbox && "M" in item.outbox ? (item.outbox.M ?? {}) : {};
    for (const [id, v] of Object.entries(outboxAttr)) {
      const pending = upgradePendingAlert(parseJson<unknown>(v.S, undefined));
      if (pending) outbox[id] = pending;
    }
    const lastCycleAt = str(item, "lastCycleAt");
    // Absent in items written before the key check existed: the check is then due at once.
    const keyCheck = parseKeyCheckState(parseJson<unknown>(str(item, "keyCheck"), undefined));
    // Absent before USD-M: the first cycle looks at the book at once.
    const usdm = parseUsdmLookState(parseJson<unknown>(str(item, "usdm"), undefined));
    // Absent until an account is found to be Portfolio Margin (or found not to be, again).
    const margin = parseMarginMemory(parseJson<unknown>(str(item, "margin"), undefined));
    return {
      version: num(item, "version") ?? 0,
      ...(lastCycleAt ? { lastCycleAt } : {}),
      // Stored under "assets" since before pools: a cross pool's id is its asset, so an upgraded
      // monitor carries each asset's level over to its cross pool without a spurious alert.
      pools: parseJson<Record<string, PoolAlertState>>(str(item, "assets"), {}),
      health: parseJson<HealthState>(str(item, "health"), HEALTHY),
      outbox,
      ...(keyCheck ? { keyCheck } : {}),
      ...(usdm ? { usdm } : {}),
      ...(margin ? { margin } : {}),
    };
  }

  async saveState(account: string, state: AccountState, expectedVersion: number): Promise<void> {
    const outbox: Record<string, AttributeValue> = {};
    for (const [id, pending] of Object.entries(state.outbox)) outbox[id] = S(JSON.stringify(pending));
    try {
      const { client, sdk } = await this.ready();
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: S(accountKey(account)),
            sk: S(STATE_KEY),
            version: N(state.version),
            ...(state.lastCycleAt ? { lastCycleAt: S(state.lastCycleAt) } : {}),
            assets: S(JSON.stringify(state.pools)),
            health: S(JSON.stringify(state.health)),
            outbox: { M: outbox },
            ...(state.keyCheck ? { keyCheck: S(JSON.stringify(state.keyCheck)) } : {}),
            ...(state.usdm ? { usdm: S(JSON.stringify(state.usdm)) } : {}),
            ...(state.margin ? { margin: S(JSON.stringify(state.margin)) } : {}),
          },
          ...(expectedVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "version = :expected",
                ExpressionAttributeValues: { ":expected": N(expectedVersion) },
              }),
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) {
        throw new StateConflictError(`alert state for ${account} was changed by another invocation`);
      }
      throw err;
    }
  }

  async ackAlerts(account: string, alertIds: readonly string[]): Promise<void> {
    if (alertIds.length === 0) return;
    const names: Record<string, string> = { "#outbox": "outbox" };
    const removes = alertIds.map((id, i) => {
      names[`#a${i}`] = id;
      return `#outbox.#a${i}`;
    });
    const { client, sdk } = await this.ready();
    await client.send(
      new sdk.UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: S(accountKey(account)), sk: S(STATE_KEY) },
        // Bumping the version makes any writer holding the pre-ack outbox re-read it.
        UpdateExpression: `REMOVE ${removes.join(", ")} SET version = version + :one`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":one": N(1) },
      }),
    );
  }

  async releaseAlerts(account: string, held: readonly PendingAlert[]): Promise<void> {
    if (held.length === 0) return;
    const names: Record<string, string> = { "#outbox": "outbox" };
    const values: Record<string, AttributeValue> = { ":one": N(1) };
    const sets: string[] = [];
    const unchanged: string[] = [];
    held.forEach((pending, i) => {
      names[`#a${i}`] = pending.alert.id;
      // The outbox stores each entry as this exact JSON text (see saveState).
      values[`:held${i}`] = S(JSON.stringify(pending));
      values[`:free${i}`] = S(JSON.stringify({ ...pending, notBefore: 0 }));
      sets.push(`#outbox.#a${i} = :free${i}`);
      unchanged.push(`#outbox.#a${i} = :held${i}`);
    });
    try {
      const { client, sdk } = await this.ready();
      await client.send(
        new sdk.UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(accountKey(account)), sk: S(STATE_KEY) },
          UpdateExpression: `SET ${sets.join(", ")}, version = version + :one`,
          ConditionExpression: unchanged.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      // Another invocation took them over after our hold ran out: nothing of ours to hand back.
      if (isConditionFailed(err)) return;
      throw err;
    }
  }

  /** Snapshots of one account between two ISO times (inclusive), paginated lazily. */
  async *querySnapshots(account: string, range: QueryRange): AsyncGenerator<Snapshot> {
    let startKey: Item | undefined;
    let remaining = range.limit ?? Number.POSITIVE_INFINITY;
    do {
      const { client, sdk } = await this.ready();
      const out = await client.send(
        new sdk.QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": S(accountKey(account)),
            ":from": S(snapshotKey(range.fromIso)),
            ":to": S(snapshotKey(range.toIso)),
          },
          ScanIndexForward: !range.descending,
          Limit: Math.min(range.pageSize ?? 1000, remaining),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        if (remaining-- <= 0) return;
        yield itemToSnapshot(item);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && remaining > 0);
  }

  /** The newest snapshot of an account, if any. */
  async latestSnapshot(account: string): Promise<Snapshot | undefined> {
    for await (const s of this.querySnapshots(account, {
      fromIso: "0000",
      toIso: "9999",
      descending: true,
      limit: 1,
    })) {
      return s;
    }
    return undefined;
  }
}

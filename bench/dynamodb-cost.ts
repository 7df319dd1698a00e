/**
 * Figure: DynamoDB capacity per cycle. Item sizes by DynamoDB's rules for the items the monitor
 * really writes: the snapshot via `snapshotToItem` from a realistic account (1, 3, 5 active
 * assets), and the alert-state item as a real cycle leaves it in dynalite (read back raw). Also
 * the read units of a day of history (1,440 snapshots, eventually consistent Query).
 */
import { GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { accountKey, STATE_KEY, snapshotToItem } from "../lib/aws/dynamodb-store.js";
import { parseAccountResponse } from "../lib/binance/coinm/account.js";
import { joinPositions } from "../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../lib/binance/coinm/position-risk.js";
import { DEFAULTS, loadConfig } from "../lib/config.js";
import { createLogger } from "../lib/core/log.js";
import { buildSnapshot, type Snapshot } from "../lib/monitor/snapshot.js";
import { createMonitor } from "../lib/monitor.js";
import { DEFAULT_ALERT_LEVELS } from "../lib/risk/levels.js";
import { assessPools, marginPools } from "../lib/risk/pools.js";
import { positionRiskFromAccountBody } from "../sim/exchange/coinm/scripted-bodies.js";
import { itemSize, readUnits, storedBytes, writeUnits } from "../sim/item-size.js";
import { realisticAccountBody } from "./support/fixtures.js";
import { startWorld } from "./support/world.js";

export interface AssetCountCost {
  readonly activeAssets: number;
  readonly snapshotBytes: number;
  readonly snapshotWriteUnits: number;
  /** What dynalite reports for the same PutItem (ReturnConsumedCapacity), as a cross-check. */
  readonly dynaliteWriteUnits: number | undefined;
  readonly stateBytes: number;
  /** GetItem, strongly consistent. */
  readonly stateReadUnits: number;
  /** Conditional PutItem: billed on the larger of the old and new item. */
  readonly stateWriteUnits: number;
  readonly writeUnitsPerCycle: number;
  readonly readUnitsPerCycle: number;
  /** 1,440 snapshots read with an eventually consistent Query (0.5 RRU per 4 KB of the total). */
  readonly dayOfHistoryReadUnits: number;
  readonly storedBytesPerSnapshot: number;
}

export interface DynamoCostFigure {
  readonly byAssets: readonly AssetCountCost[];
  readonly ttlDays: number;
}

/** A snapshot as the cycle builds it from a Binance body with `activeAssets` assets in use. */
export function realisticSnapshot(account: string, activeAssets: number, takenAt: Date): Snapshot {
  const body = realisticAccountBody(activeAssets);
  const info = parseAccountResponse(body);
  const positions = joinPositions(info, parsePositionRiskResponse(positionRiskFromAccountBody(body)));
  return buildSnapshot({
    account,
    takenAt,
    fetchedAt: new Date(takenAt.getTime() + 412),
    balances: info.assets,
    pools: assessPools(marginPools(info, positions), { ratio: DEFAULT_ALERT_LEVELS, distance: [] }),
    positions,
    usedWeight: 1185,
    ttlDays: DEFAULTS.snapshotTtlDays,
  });
}

export async function measureDynamoCost(): Promise<DynamoCostFigure> {
  const world = await startWorld({ accounts: 5 });
  const byAssets: AssetCountCost[] = [];
  try {
    for (const [i, activeAssets] of [1, 3, 5].entries()) {
      const account = world.accounts[i];
      if (!account) throw new Error("world has too few accounts");
      // Two real cycles leave the state item as every later cycle finds it (no alerts pending).
      const { exchange, baseUrl } = await world.startExchange({
        accounts: world.accounts.length,
        latencyMs: 0,
        activeAssets,
      });
      const env = world.monitorEnv(world.accounts.length, baseUrl, {
        ACCOUNTS: JSON.stringify([{ name: account.name, secretId: account.secretId }]),
      });
      const clients = world.clients();
      const monitor = createMonitor(loadConfig(env), clients, createLogger({ sink: () => {} }));
      for (let m = 0; m < 2; m++) {
        const summary = await monitor.run({
          cycleTime: new Date(Date.UTC(2026, 2, 1, 0, m)),
          deadlineMs: Date.now() + 20_000,
        });
        if (summary.ok !== 1) throw new Error(`cost cycle failed: ${JSON.stringify(summary.accounts[0]?.error)}`);
      }
      for (const c of Object.values(clients)) c.destroy();
      await exchange.stop();

      const state = await world.db.send(
        new GetItemCommand({
          TableName: world.tableName,
          Key: { pk: { S: accountKey(account.name) }, sk: { S: STATE_KEY } },
        }),
      );
      if (!state.Item) throw new Error("no state item after two cycles");
      const stored = await world.db.send(
        new QueryCommand({
          TableName: world.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :snap)",
          ExpressionAttributeValues: { ":pk": { S: accountKey(account.name) }, ":snap": { S: "SNAP#" } },
          Limit: 1,
        }),
      );
      const storedItem = stored.Items?.[0];
      const built = realisticSnapshot(account.name, activeAssets, new Date(Date.UTC(2026, 2, 1, 0, 5)));
      const item = snapshotToItem(built);
      // The written snapshot and the one built here differ only in values of the same length.
      if (storedItem && Math.abs(itemSize(storedItem) - itemSize(item)) > 8) {
        throw new Error(`snapshot sizes disagree: stored ${itemSize(storedItem)} vs built ${itemSize(item)}`);
      }
      const echo = await world.db.send(
        new PutItemCommand({ TableName: world.tableName, Item: item, ReturnConsumedCapacity: "TOTAL" }),
      );
      const snapshotBytes = itemSize(item);
      const stateBytes = itemSize(state.Item);
      const snapshotWriteUnits = writeUnits(snapshotBytes);
      const stateWriteUnits = writeUnits(stateBytes);
      const stateReadUnits = readUnits(stateBytes, true);
      byAssets.push({
        activeAssets,
        snapshotBytes,
        snapshotWriteUnits,
        dynaliteWriteUnits: echo.ConsumedCapacity?.CapacityUnits,
        stateBytes,
        stateReadUnits,
        stateWriteUnits,
        writeUnitsPerCycle: snapshotWriteUnits + stateWriteUnits,
        readUnitsPerCycle: stateReadUnits,
        dayOfHistoryReadUnits: Math.ceil((1440 * snapshotBytes) / 4096) * 0.5,
        storedBytesPerSnapshot: storedBytes(snapshotBytes),
      });
    }
  } finally {
    await world.stop();
  }
  return { byAssets, ttlDays: DEFAULTS.snapshotTtlDays };
}

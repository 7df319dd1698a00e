/**
 * Realistic snapshots for the CLI tests: several assets with every raw field Binance sends, a
 * margin ratio that moves over time, and a fast parallel BatchWriteItem loader for dynalite.
 */
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { snapshotToItem } from "../../../lib/aws/dynamodb-store.js";
import type { AssetSnapshot, Snapshot } from "../../../lib/monitor/snapshot.js";
import { DEFAULT_ALERT_LEVELS, levelForRatio } from "../../../lib/risk/levels.js";

const SCALE = 100_000_000n;

/** A decimal string with 8 places from an integer number of 1e-8 units. */
function dec(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  return `${neg ? "-" : ""}${abs / SCALE}.${(abs % SCALE).toString().padStart(8, "0")}`;
}

/** One asset at a given ratio: maintMargin / marginBalance = ratio (to 8 decimals). */
export function assetAt(asset: string, ratio: number | null, walletUnits: bigint): AssetSnapshot {
  const pnl = -walletUnits / 50n;
  const marginBalance = ratio === null ? -walletUnits / 10n : walletUnits + pnl;
  const maint = ratio === null ? walletUnits / 5n : BigInt(Math.round(Number(marginBalance) * ratio));
  const raw = {
    walletBalance: dec(walletUnits),
    unrealizedProfit: dec(ratio === null ? marginBalance - walletUnits : pnl),
    marginBalance: dec(marginBalance),
    maintMargin: dec(maint),
    initialMargin: dec(maint * 2n),
    positionInitialMargin: dec(maint * 2n),
    openOrderInitialMargin: dec(0n),
    maxWithdrawAmount: dec(walletUnits / 2n),
    crossWalletBalance: dec(walletUnits),
    crossUnPnl: dec(pnl),
    availableBalance: dec(walletUnits / 2n),
  };
  const exact = ratio === null ? null : Number(maint) / Number(marginBalance);
  return {
    asset,
    raw,
    marginRatio: exact,
    level: exact === null ? "critical" : levelForRatio(exact, DEFAULT_ALERT_LEVELS),
  };
}

/** BTC drifts through warning and critical; ETH stays calm; BNB holds no margin. */
export function ratiosAt(i: number): { BTC: number | null; ETH: number; BNB: number } {
  const btc = 0.45 + 0.4 * Math.sin(i / 700) + 0.03 * Math.sin(i / 7);
  return { BTC: btc > 0.97 ? null : Math.max(0.01, btc), ETH: 0.12 + 0.02 * Math.sin(i / 90), BNB: 0 };
}

export function makeSnapshot(
  account: string,
  takenAt: Date,
  i: number,
  assets: readonly string[] = ["BTC", "ETH", "BNB"],
  options: { legacy?: boolean } = {},
): Snapshot {
  const ratios = ratiosAt(i);
  const wallet: Record<string, bigint> = { BTC: 250_000_000n, ETH: 1_200_000_000n, BNB: 1_200_000_000n };
  const built = assets.map((a) =>
    assetAt(a, a in ratios ? ((ratios as Record<string, number | null>)[a] ?? null) : 0.1, wallet[a] ?? 100_000_000n),
  );
  return {
    account,
    takenAt: takenAt.toISOString(),
    fetchedAt: new Date(takenAt.getTime() + 850).toISOString(),
    assets: built,
    ...(options.legacy ? { pools: [], positions: [] } : poolsAt(i, built, ratios)),
    openPositions: options.legacy ? 2 : assets.filter((x) => x !== "BNB").length + (assets.includes("BTC") ? 1 : 0),
    usedWeight: 5 + (i % 30),
    expiresAt: Math.floor(takenAt.getTime() / 1000) + 90 * 86_400,
  };
}

/** `count` snapshots every `stepMs` starting at `start`; `legacy`: format 1, without pools or positions. */
export function* series(
  account: string,
  start: Date,
  count: number,
  stepMs = 60_000,
  assets?: readonly string[],
  options: { legacy?: boolean } = {},
): Generator<Snapshot> {
  for (let i = 0; i < count; i++)
    yield makeSnapshot(account, new Date(start.getTime() + i * stepMs), i, assets, options);
}

const price = (n: number) => n.toFixed(8);

/** The level of a pool: the worse of its ratio level and its distance level (10% warning, 3% critical). */
function poolLevel(ratio: number | null, distance: number | null): string {
  const byRatio = ratio === null ? "critical" : levelForRatio(ratio, DEFAULT_ALERT_LEVELS);
  const byDistance = distance === null ? "ok" : distance <= 0.03 ? "critical" : distance <= 0.1 ? "warning" : "ok";
  const rank = ["ok", "warning", "critical"];
  return rank.indexOf(byRatio) >= rank.indexOf(byDistance) ? byRatio : byDistance;
}

/**
 * Pools and positions as the monitor writes them (format 2): a cross pool per asset with the
 * asset's ratio; BTC has a cross short (BTCUSD_PERP) and an isolated long (BTCUSD_261225) whose
 * distance to liquidation dips under 3% now and then; ETH a cross long without a liquidation price.
 */
export function poolsAt(
  i: number,
  built: readonly AssetSnapshot[],
  ratios: ReturnType<typeof ratiosAt>,
): Pick<Snapshot, "pools" | "positions"> {
  const mark = 60_000 + 2000 * Math.sin(i / 500);
  const crossDistance = ratios.BTC === null ? 0.001 : Math.max(0.002, 0.6 * (1 - ratios.BTC));
  const isolatedDistance = 0.02 + 0.15 * (1 + Math.sin(i / 300)) * 0.5;
  const isolatedRatio = Math.min(0.95, 0.05 / isolatedDistance / 2);
  const pools: Snapshot["pools"][number][] = [];
  const positions: Snapshot["positions"][number][] = [];
  for (const { asset, marginRatio: ratio } of built) {
    // An all-cross asset: its cross pool's ratio is the asset's ratio, as the monitor stores it.
    const distance = asset === "BTC" ? crossDistance : null;
    pools.push({
      id: asset,
      kind: "cross",
      asset,
      label: `${asset} cross`,
      requirement: "1.00000000",
      collateral: "2.00000000",
      ratio,
      distance,
      level: poolLevel(ratio, distance),
    });
    if (asset === "BTC") {
      pools.push({
        id: "BTCUSD_261225#LONG",
        kind: "isolated",
        asset: "BTC",
        label: "BTCUSD_261225 long isolated",
        requirement: "0.01000000",
        collateral: "0.05000000",
        ratio: isolatedRatio,
        distance: isolatedDistance,
        level: poolLevel(isolatedRatio, isolatedDistance),
      });
      positions.push(
        {
          symbol: "BTCUSD_PERP",
          positionSide: "BOTH",
          marginType: "cross",
          positionAmt: "-20",
          entryPrice: price(59_000),
          markPrice: price(mark),
          liquidationPrice: price(mark * (1 + crossDistance)),
          maintMargin: "0.01600000",
          unrealizedProfit: "-0.00500000",
          leverage: "20",
        },
        {
          symbol: "BTCUSD_261225",
          positionSide: "LONG",
          marginType: "isolated",
          positionAmt: "5",
          entryPrice: price(61_000),
          markPrice: price(mark),
          liquidationPrice: price(mark * (1 - isolatedDistance)),
          maintMargin: "0.01000000",
          unrealizedProfit: "-0.00200000",
          isolatedWallet: "0.05200000",
          isolatedMargin: "0.05000000",
          leverage: "10",
        },
      );
    }
    if (asset === "ETH")
      positions.push({
        symbol: "ETHUSD_PERP",
        positionSide: "BOTH",
        marginType: "cross",
        positionAmt: "30",
        entryPrice: price(2500),
        markPrice: price(2600),
        liquidationPrice: "0",
        maintMargin: "0.02000000",
        unrealizedProfit: "0.04000000",
        leverage: "5",
      });
  }
  return { pools, positions };
}

/** Write snapshots with BatchWriteItem, `concurrency` batches of 25 in flight, retrying unprocessed items. */
export async function fillSnapshots(
  client: DynamoDBClient,
  tableName: string,
  snapshots: Iterable<Snapshot>,
  concurrency = 24,
): Promise<number> {
  const iterator = snapshots[Symbol.iterator]();
  let written = 0;
  const nextBatch = (): WriteRequest[] => {
    const batch: WriteRequest[] = [];
    while (batch.length < 25) {
      const r = iterator.next();
      if (r.done) break;
      batch.push({ PutRequest: { Item: snapshotToItem(r.value) } });
    }
    return batch;
  };
  const worker = async () => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error("BatchWriteItem kept returning unprocessed items");
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
        const left = out.UnprocessedItems?.[tableName] ?? [];
        written += pending.length - left.length;
        pending = left;
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return written;
}

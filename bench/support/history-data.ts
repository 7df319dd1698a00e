/**
 * Loads a month of one-minute snapshots into dynalite as the monitor writes them
 * (`snapshotToItem` of a realistic 3-asset account), with BatchWriteItem and several batches in
 * flight so that 43,200 items take seconds, not minutes.
 */
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { snapshotToItem } from "../../lib/aws/dynamodb-store.js";
import { realisticSnapshot } from "../dynamodb-cost.js";

export async function fillHistory(
  db: DynamoDBClient,
  tableName: string,
  options: { account: string; start: Date; count: number; activeAssets?: number; concurrency?: number },
): Promise<number> {
  let next = 0;
  let written = 0;
  const batch = (): WriteRequest[] => {
    const items: WriteRequest[] = [];
    while (items.length < 25 && next < options.count) {
      const takenAt = new Date(options.start.getTime() + next++ * 60_000);
      items.push({
        PutRequest: { Item: snapshotToItem(realisticSnapshot(options.account, options.activeAssets ?? 3, takenAt)) },
      });
    }
    return items;
  };
  const worker = async () => {
    for (let pending = batch(); pending.length > 0; pending = batch()) {
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error("BatchWriteItem kept returning unprocessed items");
        const out = await db.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
        const left = out.UnprocessedItems?.[tableName] ?? [];
        written += pending.length - left.length;
        pending = left;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return written;
}

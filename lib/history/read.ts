/**
 * Reading a range of one account's snapshots fast and in bounded memory: DynamoDB `Query` only
 * (never `Scan`), paginated, yielding whole pages in time order.
 *
 * A long range is cut into a few time segments whose pages are fetched concurrently, under a
 * fixed budget of pages held or in flight; the earliest unfinished segment always gets the next
 * slot, so output starts at once and memory stays at `budget` pages however long the range is.
 * One sequential query would leave the client idle while DynamoDB reads and the server idle while
 * the client parses; overlapping the two roughly halves the time for a month of snapshots.
 */
import { type AttributeValue, type DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { accountKey, itemToSnapshot, snapshotKey } from "../aws/dynamodb-store.js";
import type { Snapshot } from "../snapshot.js";

type Item = Record<string, AttributeValue>;

export interface ReadRange {
  readonly account: string;
  /** Inclusive bounds, ISO 8601 with milliseconds (Date.toISOString), as the sort key stores them. */
  readonly fromIso: string;
  readonly toIso: string;
  /** Newest first. @default false */
  readonly descending?: boolean;
}

export interface ReadOptions {
  /** Items per Query page. @default 1000 */
  readonly pageSize?: number;
  /** Time segments read concurrently; 1 = one sequential query. @default by range length, up to 4 */
  readonly segments?: number;
  /** Pages held in memory or in flight at once, across segments (>= 2). @default 4 */
  readonly pageBudget?: number;
  /** Called after each page with the number of Query requests made so far. */
  readonly onRequest?: (requests: number) => void;
}

/** Number of segments for a range: 1 up to a day, then one per day up to 4. */
export function defaultSegments(fromIso: string, toIso: string): number {
  const span = Date.parse(toIso) - Date.parse(fromIso);
  if (!(span > 0)) return 1;
  return Math.max(1, Math.min(4, Math.floor(span / 86_400_000)));
}

interface Segment {
  readonly fromKey: string;
  readonly toKey: string;
  /** Items whose sort key equals this belong to the next segment (shared boundary key). */
  readonly dropKey: string | undefined;
  readonly pages: Snapshot[][];
  startKey: Item | undefined;
  fetching: boolean;
  done: boolean;
}

/** Split [from, to] into `n` contiguous key ranges in time order; neighbours share one boundary key. */
export function segmentKeys(fromIso: string, toIso: string, n: number): { fromKey: string; toKey: string; dropKey?: string }[] {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  if (n <= 1 || !(to - from > n)) return [{ fromKey: snapshotKey(fromIso), toKey: snapshotKey(toIso) }];
  const bounds = [snapshotKey(fromIso)];
  for (let i = 1; i < n; i++) bounds.push(snapshotKey(new Date(from + Math.floor(((to - from) * i) / n)).toISOString()));
  bounds.push(snapshotKey(toIso));
  return bounds.slice(0, -1).map((fromKey, i) => {
    const toKey = bounds[i + 1] as string;
    // BETWEEN is inclusive at both ends, so a snapshot exactly on a boundary is returned by both
    // neighbours; it is kept by the later segment only.
    return i < n - 1 ? { fromKey, toKey, dropKey: toKey } : { fromKey, toKey };
  });
}

/** Pages of snapshots in the range, oldest first (newest first with `descending`). */
export async function* readSnapshotPages(
  client: DynamoDBClient,
  tableName: string,
  range: ReadRange,
  options: ReadOptions = {},
): AsyncGenerator<Snapshot[]> {
  const pageSize = options.pageSize ?? 1000;
  const budget = Math.max(2, options.pageBudget ?? 4);
  const count = Math.max(1, options.segments ?? defaultSegments(range.fromIso, range.toIso));
  const ordered = segmentKeys(range.fromIso, range.toIso, count);
  if (range.descending) ordered.reverse();
  const segments: Segment[] = ordered.map((k) => ({
    fromKey: k.fromKey,
    toKey: k.toKey,
    dropKey: k.dropKey,
    pages: [],
    startKey: undefined,
    fetching: false,
    done: false,
  }));
  let requests = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let stopped = false;
  // Aborts requests still in flight when the consumer stops early (`| head`, --limit).
  const abort = new AbortController();

  const inUse = () => segments.reduce((n, s) => n + s.pages.length + (s.fetching ? 1 : 0), 0);

  const fetchPage = async (segment: Segment) => {
    segment.fetching = true;
    try {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": { S: accountKey(range.account) },
            ":from": { S: segment.fromKey },
            ":to": { S: segment.toKey },
          },
          ScanIndexForward: !range.descending,
          Limit: pageSize,
          ...(segment.startKey ? { ExclusiveStartKey: segment.startKey } : {}),
        }),
        { abortSignal: abort.signal },
      );
      requests++;
      options.onRequest?.(requests);
      const page: Snapshot[] = [];
      for (const item of out.Items ?? []) {
        if (segment.dropKey !== undefined && item.sk?.S === segment.dropKey) continue;
        page.push(itemToSnapshot(item));
      }
      if (page.length > 0) segment.pages.push(page);
      segment.startKey = out.LastEvaluatedKey;
      if (!segment.startKey) segment.done = true;
    } catch (error) {
      if (!stopped) failure ??= { error };
    } finally {
      segment.fetching = false;
      notify();
      schedule();
    }
  };

  // Give free slots to the earliest segments that can use one.
  const schedule = () => {
    if (stopped || failure) return;
    for (const segment of segments) {
      if (inUse() >= budget) return;
      if (!segment.done && !segment.fetching) void fetchPage(segment);
    }
  };

  try {
    schedule();
    for (const segment of segments) {
      for (;;) {
        if (failure) throw failure.error;
        const page = segment.pages.shift();
        if (page) {
          schedule();
          yield page;
          continue;
        }
        if (segment.done && !segment.fetching) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
    if (failure) throw failure.error;
  } finally {
    stopped = true;
    abort.abort();
  }
}

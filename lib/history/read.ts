/**
 * Reading a range of one account's snapshots fast and in bounded memory: DynamoDB `Query` only
 * (never `Scan`), paginated, yielding whole pages in time order.
 *
 * The range is cut into short time segments (about a page each at the monitor's cadence) read
 * through a sliding window: the segment being output and the next few are queried at once, so
 * several requests are in flight instead of one, while the output stays in time order. Pages
 * read ahead of the output are capped by a budget, so memory does not grow with the range.
 * One sequential query would leave the client idle while DynamoDB reads and DynamoDB idle while
 * the client parses; with the window, both work at the same time.
 */
import { type AttributeValue, type DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { accountKey, itemToSnapshot, snapshotKey } from "../aws/dynamodb-store.js";
import type { Snapshot } from "../monitor/snapshot.js";

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
  /** Time segments the range is cut into. @default one per 12 hours, at most 64 */
  readonly segments?: number;
  /** Segments queried at once: the one being output and the next ones. @default 3 */
  readonly concurrency?: number;
  /**
   * Pages read ahead of the output (held or in flight) by the segments after the current one;
   * the current segment always has one more. @default 2
   */
  readonly pageBudget?: number;
  /** Called after each page with the number of Query requests made so far. */
  readonly onRequest?: (requests: number) => void;
}

const SEGMENT_MS = 12 * 3_600_000;

/** Segments for a range: one per 12 hours (720 snapshots at one a minute, under a page), 1 to 64. */
export function defaultSegments(fromIso: string, toIso: string): number {
  const span = Date.parse(toIso) - Date.parse(fromIso);
  if (!(span > 0)) return 1;
  return Math.max(1, Math.min(64, Math.floor(span / SEGMENT_MS)));
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
export function segmentKeys(
  fromIso: string,
  toIso: string,
  n: number,
): { fromKey: string; toKey: string; dropKey?: string }[] {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  if (n <= 1 || !(to - from > n)) return [{ fromKey: snapshotKey(fromIso), toKey: snapshotKey(toIso) }];
  const bounds = [snapshotKey(fromIso)];
  for (let i = 1; i < n; i++)
    bounds.push(snapshotKey(new Date(from + Math.floor(((to - from) * i) / n)).toISOString()));
  bounds.push(snapshotKey(toIso));
  return bounds.slice(0, -1).map((fromKey, i) => {
    const toKey = bounds[i + 1] as string;
    // BETWEEN is inclusive at both ends, so a snapshot exactly on a boundary is returned by both
    // neighbours; it is kept by the later segment only.
    return i < n - 1 ? { fromKey, toKey, dropKey: toKey } : { fromKey, toKey };
  });
}

/**
 * Whether the table holds anything at all for an account (a snapshot of any age, or its alert
 * state): one Query of one key, so a mistyped account is told apart from a quiet range.
 */
export async function accountHasItems(client: DynamoDBClient, tableName: string, account: string): Promise<boolean> {
  const out = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: accountKey(account) } },
      ProjectionExpression: "pk",
      Limit: 1,
    }),
  );
  return (out.Items?.length ?? 0) > 0;
}

/** Pages of snapshots in the range, oldest first (newest first with `descending`). */
export async function* readSnapshotPages(
  client: DynamoDBClient,
  tableName: string,
  range: ReadRange,
  options: ReadOptions = {},
): AsyncGenerator<Snapshot[]> {
  const pageSize = options.pageSize ?? 1000;
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const budget = Math.max(1, options.pageBudget ?? 2);
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

  /** Index of the segment being output. */
  let current = 0;
  /** Pages held or in flight by the segments after the current one. */
  const ahead = () => {
    let n = 0;
    for (let i = current + 1; i < Math.min(segments.length, current + concurrency); i++) {
      const s = segments[i];
      if (s) n += s.pages.length + (s.fetching ? 1 : 0);
    }
    return n;
  };

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

  // The current segment fetches whenever it is idle and has no page waiting: its pages are output
  // next. The following segments in the window fetch while the read-ahead budget allows.
  const schedule = () => {
    if (stopped || failure) return;
    const head = segments[current];
    if (head && !head.done && !head.fetching && head.pages.length === 0) void fetchPage(head);
    for (let i = current + 1; i < Math.min(segments.length, current + concurrency); i++) {
      const s = segments[i];
      if (!s || s.done || s.fetching) continue;
      if (ahead() >= budget) return;
      void fetchPage(s);
    }
  };

  try {
    for (current = 0; current < segments.length; current++) {
      const segment = segments[current] as Segment;
      schedule();
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

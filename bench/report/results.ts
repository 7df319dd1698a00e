/**
 * What one `npm run bench` measured: each figure is absent when --only left it out. The report
 * modules (summary, costs, details) read it; bench/run.ts fills it.
 */
import type { bundlingSource, measureBundles } from "../bundle.js";
import type { measureColdStart } from "../cold-start.js";
import type { measureCycle } from "../cycle.js";
import type { measureDynamoCost } from "../dynamodb-cost.js";
import type { measureHistory } from "../history.js";
import type { measureLatency } from "../latency.js";
import type { measureScaling } from "../scaling.js";
import type { measureSharding } from "../sharding.js";
import type { measureStreamLatency } from "../stream-latency.js";

export const FIGURES = [
  "bundle",
  "cold",
  "cycle",
  "latency",
  "scaling",
  "sharding",
  "history",
  "dynamodb",
  "cost",
] as const;
export type Figure = (typeof FIGURES)[number];

export interface Measured {
  /** The figures asked for, with those they are built from. */
  readonly only: ReadonlySet<Figure>;
  readonly bundles: Awaited<ReturnType<typeof measureBundles>> | undefined;
  readonly infra: ReturnType<typeof bundlingSource> | undefined;
  readonly cold: Awaited<ReturnType<typeof measureColdStart>> | undefined;
  readonly cycle: Awaited<ReturnType<typeof measureCycle>> | undefined;
  /** The same cycle with a USD-M book held (issue 19). */
  readonly cycleUsdm: Awaited<ReturnType<typeof measureCycle>> | undefined;
  /** The same cycle with a MarginRatio metric per asset (the old default): the log-volume lever. */
  readonly cyclePerAsset: Awaited<ReturnType<typeof measureCycle>> | undefined;
  /** AWS duration of a calm one-account invocation (cost model), for the GB-s figures. */
  readonly costsAwsCalmMs: number | undefined;
  readonly latency: Awaited<ReturnType<typeof measureLatency>> | undefined;
  /** Detection with the mark price stream between reads (issue 20); run with `latency`. */
  readonly streamLatency: Awaited<ReturnType<typeof measureStreamLatency>> | undefined;
  readonly scaling: Awaited<ReturnType<typeof measureScaling>> | undefined;
  readonly sharding: Awaited<ReturnType<typeof measureSharding>> | undefined;
  readonly history: Awaited<ReturnType<typeof measureHistory>> | undefined;
  readonly dynamo: Awaited<ReturnType<typeof measureDynamoCost>> | undefined;
}

export const yes = (ok: boolean) => (ok ? "met" : "NOT met");

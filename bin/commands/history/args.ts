/** `history`'s command line, parsed and checked into a HistoryRequest before any I/O. */
import { extname } from "node:path";
import type { PlotLevel, PlotMetric } from "../../../lib/history/plot.js";
import { parseInstant } from "../../../lib/history/range.js";
import type { Selection, ViewName } from "../../../lib/history/views.js";
import { parseOptions } from "../../args.js";
import { TARGET_OPTIONS, type TargetValues, targetUsageProblem } from "../../cli-context.js";
import { UsageError } from "../../command.js";
import { chartLevels } from "./levels.js";

export const FORMATS = ["table", "csv", "json"] as const;
export type Format = (typeof FORMATS)[number];

const OPTIONS = {
  account: { type: "string" },
  asset: { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
  format: { type: "string" },
  pool: { type: "string", multiple: true },
  positions: { type: "boolean" },
  assets: { type: "boolean" },
  distance: { type: "boolean" },
  wide: { type: "boolean" },
  "newest-first": { type: "boolean" },
  limit: { type: "string" },
  chart: { type: "boolean" },
  out: { type: "string" },
  levels: { type: "string" },
  ...TARGET_OPTIONS,
} as const;

/** Everything `history` was asked to do, checked before any I/O. */
export interface HistoryRequest {
  readonly account: string;
  readonly selection: Selection;
  readonly view: ViewName;
  readonly metric: PlotMetric;
  readonly fromIso: string;
  readonly toIso: string;
  readonly format: Format | undefined;
  readonly wide: boolean;
  readonly descending: boolean;
  readonly limit: number;
  readonly chart: boolean;
  readonly out: { readonly path: string; readonly kind: "png" | "html" } | undefined;
  /** The chart's levels: ratio levels, or distance levels (largest, least severe, first). */
  readonly levels: readonly PlotLevel[];
  /** True when --levels was given; otherwise a stack's deployed levels may replace the defaults. */
  readonly levelsGiven: boolean;
}

export function parseHistoryArgs(
  argv: readonly string[],
  now: Date,
): { values: TargetValues; request: HistoryRequest } {
  const { values } = parseOptions(argv, OPTIONS);
  const targetProblem = targetUsageProblem(values);
  if (targetProblem) throw new UsageError(targetProblem);
  const account = values.account?.trim();
  if (!account) throw new UsageError("--account is required (e.g. --account main, or --demo --account demo)");
  const assetList = (values.asset ?? [])
    .flatMap((a) => a.split(","))
    .map((a) => a.trim().toUpperCase())
    .filter(Boolean);
  const poolList = (values.pool ?? []).map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (values.positions && values.assets) throw new UsageError("--positions and --assets are two views; pick one");
  const view: ViewName = values.positions ? "positions" : values.assets ? "assets" : "pools";
  if (view !== "pools" && (values.chart || values.out !== undefined))
    throw new UsageError(`charts show margin pools; drop --${view} (pick pools with --pool or --asset)`);
  const metric: PlotMetric = values.distance ? "distance" : "ratio";
  if (values.distance && !values.chart && values.out === undefined)
    throw new UsageError("--distance chooses what a chart shows; add --chart or --out FILE");
  const from = parseInstant(values.since ?? "24h", now);
  if (!from)
    throw new UsageError(
      `--since "${values.since}" is not a time: use a duration like 30m, 24h, 7d or an ISO date like 2026-10-01T00:00Z`,
    );
  const to = parseInstant(values.until ?? "now", now, { endOfDay: true });
  if (!to)
    throw new UsageError(
      `--until "${values.until}" is not a time: use a duration like 1h or an ISO date like 2026-10-31T23:59:59Z`,
    );
  if (from.getTime() > to.getTime())
    throw new UsageError(`--since (${from.toISOString()}) is after --until (${to.toISOString()})`);
  // Enumerations and asset names are matched in any case; account names are not (Main and main
  // may be two accounts), so an unknown one is an error that lists the known ones.
  const format = values.format?.trim().toLowerCase() as Format | undefined;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  }
  if (values.chart && format)
    throw new UsageError("--chart and --format both write to stdout; use --out FILE for a chart file alongside rows");
  let limit = Number.POSITIVE_INFINITY;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive whole number");
  }
  let out: HistoryRequest["out"];
  if (values.out !== undefined) {
    const ext = extname(values.out).toLowerCase();
    if (ext === ".png") out = { path: values.out, kind: "png" };
    else if (ext === ".html" || ext === ".htm") out = { path: values.out, kind: "html" };
    else throw new UsageError("--out must name a .png or .html file");
  }
  const levels = chartLevels(values.levels, metric);
  if ("error" in levels) throw new UsageError(levels.error);
  return {
    values,
    request: {
      account,
      selection: {
        ...(assetList.length ? { assets: new Set(assetList) } : {}),
        ...(poolList.length ? { pools: new Set(poolList) } : {}),
      },
      view,
      metric,
      fromIso: from.toISOString(),
      toIso: to.toISOString(),
      format,
      wide: Boolean(values.wide),
      descending: Boolean(values["newest-first"]),
      limit,
      chart: Boolean(values.chart),
      out,
      levels: levels.levels,
      levelsGiven: values.levels !== undefined,
    },
  };
}

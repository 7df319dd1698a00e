/**
 * `history`: one account's snapshots over a time range, as an aligned table, CSV or JSON, by
 * margin pool (default), asset or position, streamed as DynamoDB pages arrive (Query only, never
 * Scan); or as a chart of the pools' margin ratio or distance to liquidation in the terminal
 * (--chart) or in a PNG / HTML file (--out).
 */
import { extname } from "node:path";
import type { StackOutputs } from "../../lib/aws/stack-outputs.js";
import { UnknownAccountError } from "../../lib/core/errors.js";
import { renderTerminalChart } from "../../lib/history/chart-terminal.js";
import { csvHeader, csvRows } from "../../lib/history/csv.js";
import { Downsampler } from "../../lib/history/downsample.js";
import { GapTracker } from "../../lib/history/gaps.js";
import { JsonArrayFormatter } from "../../lib/history/json.js";
import { parseLevelsOption } from "../../lib/history/levels.js";
import { buildPlot, type PlotLevel, type PlotMetric, worstOf } from "../../lib/history/plot.js";
import { renderPlotHtml } from "../../lib/history/plot-html.js";
import { renderPlotPng } from "../../lib/history/plot-png.js";
import { parseInstant } from "../../lib/history/range.js";
import { accountHasItems, readSnapshotPages } from "../../lib/history/read.js";
import { TableFormatter } from "../../lib/history/table.js";
import {
  poolNames,
  type Selection,
  selectAssets,
  selectPools,
  selectPositions,
  type ViewName,
} from "../../lib/history/views.js";
import type { Snapshot } from "../../lib/monitor/snapshot.js";
import { formatPercent } from "../../lib/risk/decimal.js";
import {
  type AlertLevel,
  DEFAULT_ALERT_LEVELS,
  DEFAULT_DISTANCE_LEVELS,
  type DistanceLevel,
  defaultDistanceLevels,
} from "../../lib/risk/levels.js";
import { parseOptions } from "../args.js";
import {
  type CliDeps,
  defaultCliDeps,
  openTarget,
  TARGET_HELP,
  TARGET_OPTIONS,
  type Target,
  type TargetValues,
  tableError,
  targetUsageProblem,
} from "../cli-context.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { createProgress, OutputSink, useColor } from "../output.js";

const FORMATS = ["table", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: coinm-guard history --account NAME [options]

Prints an account's snapshots between two times, oldest first: one row per snapshot and margin
pool (an asset's cross positions, or one isolated position) with its margin ratio, distance to
liquidation and level; or per asset or open position. Rows stream as they are read, so any
range works in constant memory; pipe into head, a file or a spreadsheet.

Options:
  --account NAME         account alias, as in the stack's ACCOUNTS (required; case-sensitive,
                         an unknown name fails and lists the known accounts)
  --asset ASSET          only this asset's pools, positions or figures (repeat or
                         comma-separate for several; any case)
  --pool POOL            only this pool: its id or label, any case ("BTC" or "BTC cross",
                         "BTCUSD_PERP long isolated" or "BTCUSD_PERP#LONG"); repeatable
  --positions            one row per open position (mark, liquidation price, distance)
  --assets               one row per asset with Binance's figures (the view before pools)
  --since WHEN           start: a duration back from now (30m, 24h, 7d, 2w) or an ISO 8601
                         date or time, UTC unless it has an offset (default: 24h)
  --until WHEN           end, same forms (default: now); both ends are inclusive, and a date
                         alone means the whole day (--until 2026-10-31 keeps October 31)
  --format FORMAT        table (default), csv or json (any case)
  --wide                 table: add the remaining columns (wider than 80 columns)
  --newest-first         newest snapshots first
  --limit N              stop after N snapshots
  --chart                draw each pool's margin ratio over the range in the terminal instead
  --distance             chart the distance to liquidation instead of the margin ratio
  --out FILE             write a chart to FILE.png or FILE.html (rows still go to stdout with
                         --format; otherwise only the file is written). Charts span the range
                         asked for, shade the spans with no snapshot for over 2.5 schedule
                         intervals ("not monitored") and draw liquidation (100%; distance 0%)
  --levels LIST          levels drawn on charts, as ratios or with --distance as distances
                         (default: the stack's, else warning=50%,critical=80%, or for
                         distances warning=10%,critical=3%)

${TARGET_HELP}

Formats:
  table  aligned columns; RATIO "∞" means the collateral is zero or negative, DISTANCE "-"
         that there is no liquidation price. Snapshots from before pools show each asset's
         ratio as "BTC (asset)"
  csv    header row, then per pool takenAt,account,pool,kind,asset,label,ratio,distance,level,
         requirement,collateral (--positions, --assets: see docs/cli.md); ratios and distances
         are fractions (0.5342 = 53.42%), empty when there is none
  json   an array of snapshots: {account, takenAt, fetchedAt, openPositions, usedWeight,
         assets: [{asset, marginRatio, level, raw}], pools: [{id, kind, asset, label, ratio,
         distance, level, requirement, collateral}], positions: [{symbol, positionSide, ...,
         asset, pool, side, distance}]}

Examples:
  coinm-guard history --demo --account demo --since 1h
  coinm-guard history --account main --since 7d --asset BTC --format csv > btc.csv
  coinm-guard history --account main --since 1h --positions
  coinm-guard history --account main --since 7d --pool "BTCUSD_PERP long isolated" --distance --chart
  coinm-guard history --account main --since 2026-10-01 --until 2026-10-31 --out october.html
  coinm-guard history --account main --since 24h --chart

Exit codes: 0 ok (also when nothing matched in the range, or the reader of stdout went away),
1 error (also an account the table has nothing for), 2 usage error.`;

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

/** Errors from the SDK (service errors carry $metadata; credential and region errors do not). */
function isAwsError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const name = err instanceof Error ? err.name : "";
  return (
    "$metadata" in err ||
    name === "CredentialsProviderError" ||
    /Region is missing/.test(String((err as Error).message))
  );
}

/**
 * The levels a chart draws: --levels if given (ratios, or with --distance distances), else the
 * defaults (the stack's replace them later when it has them).
 */
function chartLevels(text: string | undefined, metric: PlotMetric): { levels: PlotLevel[] } | { error: string } {
  if (metric === "ratio" || text !== undefined) {
    const parsed = parseLevelsOption(text);
    if ("error" in parsed) return parsed;
    return { levels: toPlotLevels(parsed.levels, metric) };
  }
  return { levels: toPlotLevels(DEFAULT_DISTANCE_LEVELS, metric) };
}

/** Ratio levels ascend; distance levels descend (the largest distance is the least severe). */
function toPlotLevels(levels: readonly (AlertLevel | DistanceLevel)[], metric: PlotMetric): PlotLevel[] {
  const out = levels.map((l) => ({ name: l.name, value: "ratio" in l ? l.ratio : l.distance }));
  return metric === "ratio" ? out.sort((a, b) => a.value - b.value) : out.sort((a, b) => b.value - a.value);
}

/**
 * The levels a deployed stack states for the account and metric: the account's own (its entry in
 * the AccountLevels output) else the stack's AlertLevels; for distances the DistanceLevels the
 * same way, else those the monitor derives from the ratio levels.
 */
function stackLevels(outputs: StackOutputs, account: string, metric: PlotMetric): PlotLevel[] | undefined {
  const own = outputs.accountLevels?.[account];
  const ratio = own?.alertLevels ?? outputs.alertLevels;
  if (metric === "ratio") return ratio ? toPlotLevels(ratio, metric) : undefined;
  const distances =
    own?.distanceLevels ??
    (own?.alertLevels ? undefined : outputs.distanceLevels) ??
    (ratio ? defaultDistanceLevels(ratio) : undefined);
  return distances ? toPlotLevels(distances, metric) : undefined;
}

/** A snapshot's rows in the view, and whether it has any (counted, shown). */
function hasRows(snapshot: Snapshot, view: ViewName, selection: Selection): boolean {
  if (view === "assets") return selectAssets(snapshot, selection).length > 0;
  if (view === "positions") return selectPositions(snapshot, selection).length > 0;
  return selectPools(snapshot, selection).length > 0;
}

/** The account names the target knows: the demo's, or the stack's AccountSecrets output. */
async function knownAccounts(target: Target): Promise<{ names?: readonly string[]; note?: string }> {
  if (target.demo) return { names: target.demo.accounts };
  try {
    const secrets = (await target.stack()).accountSecrets;
    return secrets ? { names: Object.keys(secrets).sort() } : { note: "the stack has no AccountSecrets output" };
  } catch (err) {
    return { note: (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "" };
  }
}

/**
 * Fail before printing anything when the table has nothing at all for the account (a typo, a
 * wrong case): an empty table and exit 0 would read as "no snapshots in this range".
 */
async function checkAccount(target: Target, account: string, fromStack: boolean): Promise<void> {
  if (target.demo?.accounts.includes(account)) return;
  // Without --table the stack's outputs are already read, so its list costs nothing.
  if (fromStack && (await knownAccounts(target)).names?.includes(account)) return;
  let exists: boolean;
  try {
    exists = await accountHasItems(target.dynamodb, target.tableName, account);
  } catch (err) {
    throw isAwsError(err) ? tableError(err, target.tableName) : err;
  }
  if (exists) return;
  const known = await knownAccounts(target);
  const where = target.demo ? "the demo's data" : `table "${target.tableName}"`;
  throw new UnknownAccountError(account, known.names, where, known.note);
}

export function createHistoryCommand(overrides: Partial<CliDeps> = {}): Command {
  return {
    name: "history",
    summary: "Print an account's snapshots over a time range (table, CSV, JSON, chart)",
    help: HELP,
    async run(argv) {
      const deps: CliDeps = { ...defaultCliDeps(), ...overrides };
      const { values, request } = parseHistoryArgs(argv, deps.now());
      const rowsFormat: Format | undefined = request.format ?? (request.chart || request.out ? undefined : "table");
      const wantsPlot = request.chart || request.out !== undefined;

      const target = await openTarget(values, deps);
      try {
        await checkAccount(target, request.account, !values.table);
      } catch (err) {
        await target.close();
        throw err;
      }
      const sink = new OutputSink(deps.stdout);
      const progress = createProgress(deps.stderr, "reading snapshots");
      const color = useColor(deps.stdout, deps.env);
      // Without --levels, charts of a deployed stack draw the levels it was deployed with: the
      // account's own when it has them (AccountLevels output), else the stack's.
      const deployed =
        !request.levelsGiven && wantsPlot && !values.table && !values.demo
          ? await target.stack().catch(() => undefined)
          : undefined;
      const levels = (deployed && stackLevels(deployed, request.account, request.metric)) ?? request.levels;
      const levelNames = (
        deployed?.accountLevels?.[request.account]?.alertLevels ??
        deployed?.alertLevels ??
        DEFAULT_ALERT_LEVELS
      ).map((l) => l.name);
      const ds = wantsPlot ? new Downsampler(1024) : undefined;
      const gaps = wantsPlot ? new GapTracker() : undefined;
      const json = new JsonArrayFormatter();
      const seenPools = new Set<string>();
      const { selection, view } = request;
      const selecting = selection.assets !== undefined || selection.pools !== undefined;
      let table: TableFormatter | undefined;
      let count = 0;
      try {
        if (rowsFormat === "csv") await sink.write(csvHeader(view));
        if (rowsFormat === "json") await sink.write(json.open());
        const pages = readSnapshotPages(target.dynamodb, target.tableName, {
          account: request.account,
          fromIso: request.fromIso,
          toIso: request.toIso,
          descending: request.descending,
        });
        try {
          for await (const page of pages) {
            let text = "";
            for (const snapshot of page) {
              if (selecting) {
                if (seenPools.size < 200) for (const name of poolNames(snapshot)) seenPools.add(name);
                if (!hasRows(snapshot, view, selection)) continue;
              }
              if (count >= request.limit) break;
              count++;
              if (rowsFormat === "table") {
                if (!table) {
                  table = new TableFormatter(page, { color, levelNames, wide: request.wide, view, selection });
                  text += table.header();
                }
                text += table.rows(snapshot);
              } else if (rowsFormat === "csv") text += csvRows(view, snapshot, selection);
              else if (rowsFormat === "json") text += json.item(snapshot, selection);
              if (ds) {
                const t = Date.parse(snapshot.takenAt);
                // Every snapshot read counts for coverage: a pool absent from one is not a gap.
                gaps?.add(t);
                for (const p of selectPools(snapshot, selection))
                  ds.add(p.label, t, request.metric === "ratio" ? p.ratio : p.distance);
              }
            }
            await sink.write(text);
            progress.update(count, page[page.length - 1]?.takenAt);
            if (sink.closed || count >= request.limit) break;
          }
        } catch (err) {
          throw isAwsError(err) ? tableError(err, target.tableName) : err;
        }
        progress.done();
        if (sink.closed) return EXIT.ok;
        if (rowsFormat === "json") await sink.write(json.close());
        if (rowsFormat === "table" && !table)
          await sink.write(new TableFormatter([], { wide: request.wide, view }).header());

        if (count === 0) {
          const wanted = [...(selection.assets ?? []), ...(selection.pools ?? [])];
          const assetNote = selecting
            ? ` with ${wanted.join(", ")}${seenPools.size ? ` (pools seen: ${[...seenPools].sort().join(", ")})` : ""}`
            : "";
          deps.stderr.write(
            `no snapshots for account "${request.account}"${assetNote} from ${request.fromIso} to ${request.toIso}\n`,
          );
          if (request.out) throw new Error(`nothing to plot, so ${request.out.path} was not written`);
          return EXIT.ok;
        }
        const from = Date.parse(request.fromIso);
        const to = Date.parse(request.toIso);
        const model = ds
          ? buildPlot(ds, {
              account: request.account,
              levels,
              metric: request.metric,
              from,
              to,
              ...(gaps ? { coverage: gaps.coverage({ from, to }) } : {}),
            })
          : undefined;
        if (request.chart && model) {
          // A terminal's own width (50 at least), else the 80 columns every terminal has.
          const columns = deps.stdout.columns ?? 80;
          await sink.write(renderTerminalChart(model, { width: Math.min(200, columns), color }));
        }
        if (request.out && model) {
          const data = request.out.kind === "png" ? await renderPlotPng(model) : renderPlotHtml(model);
          await deps.writeFile(request.out.path, data);
          const word = request.metric === "ratio" ? "max" : "min";
          const peaks = model.series
            .map((s) => {
              const worst = worstOf(model, s);
              return `${s.name} ${word} ${worst ? formatPercent(worst.value, 1) : "∞"}`;
            })
            .join(", ");
          deps.stderr.write(`wrote ${request.out.path}: ${count} snapshots${peaks ? `, ${peaks}` : ""}\n`);
        }
        return EXIT.ok;
      } finally {
        progress.done();
        sink.dispose();
        await target.close();
      }
    },
  };
}

export const historyCommand: Command = createHistoryCommand();

/**
 * `history`: one account's snapshots over a time range, as an aligned table, CSV or JSON,
 * streamed as DynamoDB pages arrive (Query only, never Scan); or as a chart of the margin ratio
 * in the terminal (--chart) or in a PNG / HTML file (--out).
 */
import { extname } from "node:path";
import type { AlertLevel } from "../../lib/config.js";
import { renderTerminalChart } from "../../lib/history/chart-terminal.js";
import { csvHeader, csvRows } from "../../lib/history/csv.js";
import { Downsampler } from "../../lib/history/downsample.js";
import { JsonArrayFormatter } from "../../lib/history/json.js";
import { parseLevelsOption } from "../../lib/history/levels.js";
import { buildPlot } from "../../lib/history/plot.js";
import { renderPlotHtml } from "../../lib/history/plot-html.js";
import { renderPlotPng } from "../../lib/history/plot-png.js";
import { parseInstant } from "../../lib/history/range.js";
import { readSnapshotPages } from "../../lib/history/read.js";
import { TableFormatter } from "../../lib/history/table.js";
import { formatPercent } from "../../lib/risk/decimal.js";
import type { Snapshot } from "../../lib/snapshot.js";
import { parseOptions } from "../args.js";
import {
  type CliDeps,
  defaultCliDeps,
  openTarget,
  TARGET_HELP,
  TARGET_OPTIONS,
  type TargetValues,
  tableError,
  targetUsageProblem,
} from "../cli-context.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { createProgress, OutputSink, useColor } from "../output.js";

const FORMATS = ["table", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: coinm-guard history --account NAME [options]

Prints an account's snapshots between two times, oldest first: one row per snapshot and asset
with the margin ratio, level and Binance's raw figures. Rows stream as they are read, so any
range works in constant memory; pipe into head, a file or a spreadsheet.

Options:
  --account NAME         account alias, as in the stack's ACCOUNTS (required)
  --asset ASSET          only this asset (repeat or comma-separate for several)
  --since WHEN           start: a duration back from now (30m, 24h, 7d, 2w) or an ISO 8601
                         date or time, UTC unless it has an offset (default: 24h)
  --until WHEN           end, same forms (default: now); both ends are inclusive
  --format FORMAT        table (default), csv or json
  --newest-first         newest snapshots first
  --limit N              stop after N snapshots
  --chart                draw the margin ratio over the range in the terminal instead
  --out FILE             write a chart to FILE.png or FILE.html (rows still go to stdout with
                         --format; otherwise only the file is written)
  --levels LIST          alert levels drawn on charts (default: the stack's, else warning=50%,critical=80%)

${TARGET_HELP}

Formats:
  table  aligned columns; RATIO "∞" means the margin balance is zero or negative
  csv    header row, then takenAt,account,asset,marginRatio,level,<Binance raw fields>,openPositions;
         marginRatio is a fraction (0.5342 = 53.42%), empty when the margin balance is <= 0
  json   an array of snapshots: {account, takenAt, fetchedAt, openPositions, usedWeight,
         assets: [{asset, marginRatio, level, raw: {walletBalance, marginBalance, maintMargin, ...}}]}

Examples:
  coinm-guard history --demo --account demo --since 1h
  coinm-guard history --account main --since 7d --asset BTC --format csv > btc.csv
  coinm-guard history --account main --since 2026-10-01 --until 2026-10-31T23:59:59Z --out october.html
  coinm-guard history --account main --since 24h --chart

Exit codes: 0 ok (also when nothing matched, or the reader of stdout went away), 1 error, 2 usage error.`;

const OPTIONS = {
  account: { type: "string" },
  asset: { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
  format: { type: "string" },
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
  readonly assets: ReadonlySet<string> | undefined;
  readonly fromIso: string;
  readonly toIso: string;
  readonly format: Format | undefined;
  readonly descending: boolean;
  readonly limit: number;
  readonly chart: boolean;
  readonly out: { readonly path: string; readonly kind: "png" | "html" } | undefined;
  readonly levels: readonly AlertLevel[];
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
  const from = parseInstant(values.since ?? "24h", now);
  if (!from)
    throw new UsageError(
      `--since "${values.since}" is not a time: use a duration like 30m, 24h, 7d or an ISO date like 2026-10-01T00:00Z`,
    );
  const to = parseInstant(values.until ?? "now", now);
  if (!to)
    throw new UsageError(
      `--until "${values.until}" is not a time: use a duration like 1h or an ISO date like 2026-10-31T23:59:59Z`,
    );
  if (from.getTime() > to.getTime())
    throw new UsageError(`--since (${from.toISOString()}) is after --until (${to.toISOString()})`);
  if (values.format !== undefined && !(FORMATS as readonly string[]).includes(values.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  }
  const format = values.format as Format | undefined;
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
  const levels = parseLevelsOption(values.levels);
  if ("error" in levels) throw new UsageError(levels.error);
  return {
    values,
    request: {
      account,
      assets: assetList.length ? new Set(assetList) : undefined,
      fromIso: from.toISOString(),
      toIso: to.toISOString(),
      format,
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

/** Keep only the chosen assets; undefined when a snapshot has none of them. */
function selectAssets(snapshot: Snapshot, assets: ReadonlySet<string> | undefined): Snapshot | undefined {
  if (!assets) return snapshot;
  return snapshot.assets.some((a) => assets.has(a.asset)) ? snapshot : undefined;
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
      const sink = new OutputSink(deps.stdout);
      const progress = createProgress(deps.stderr, "reading snapshots");
      const color = useColor(deps.stdout, deps.env);
      // Without --levels, charts of a deployed stack draw the levels it was deployed with: the
      // account's own when it has them (AccountLevels output), else the stack's.
      const deployed =
        !request.levelsGiven && wantsPlot && !values.table && !values.demo
          ? await target.stack().catch(() => undefined)
          : undefined;
      const levels = deployed?.accountLevels?.[request.account]?.alertLevels ?? deployed?.alertLevels ?? request.levels;
      const levelNames = levels.map((l) => l.name);
      const ds = wantsPlot ? new Downsampler(1024) : undefined;
      const json = new JsonArrayFormatter();
      const seenAssets = new Set<string>();
      let table: TableFormatter | undefined;
      let count = 0;
      try {
        if (rowsFormat === "csv") await sink.write(csvHeader());
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
            for (const raw of page) {
              for (const a of raw.assets) seenAssets.add(a.asset);
              const snapshot = selectAssets(raw, request.assets);
              if (!snapshot) continue;
              if (count >= request.limit) break;
              count++;
              if (rowsFormat === "table") {
                if (!table) {
                  table = new TableFormatter(page, { color, levelNames }, request.assets);
                  text += table.header();
                }
                text += table.rows(snapshot);
              } else if (rowsFormat === "csv") text += csvRows(snapshot, request.assets);
              else if (rowsFormat === "json") text += json.item(snapshot, request.assets);
              if (ds) {
                const t = Date.parse(snapshot.takenAt);
                for (const a of snapshot.assets)
                  if (!request.assets || request.assets.has(a.asset)) ds.add(a.asset, t, a.marginRatio);
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
        if (rowsFormat === "table" && !table) await sink.write(new TableFormatter([], {}).header());

        if (count === 0) {
          const assetNote = request.assets
            ? ` with ${[...request.assets].join(", ")}${seenAssets.size ? ` (assets seen: ${[...seenAssets].sort().join(", ")})` : ""}`
            : "";
          deps.stderr.write(
            `no snapshots for account "${request.account}"${assetNote} from ${request.fromIso} to ${request.toIso}\n`,
          );
          if (request.out) throw new Error(`nothing to plot, so ${request.out.path} was not written`);
          return EXIT.ok;
        }
        const model = ds ? buildPlot(ds, { account: request.account, levels }) : undefined;
        if (request.chart && model) {
          const columns = deps.stdout.columns ?? 100;
          await sink.write(renderTerminalChart(model, { width: Math.max(60, Math.min(200, columns)), color }));
        }
        if (request.out && model) {
          const data = request.out.kind === "png" ? renderPlotPng(model) : renderPlotHtml(model);
          await deps.writeFile(request.out.path, data);
          const peaks = model.series
            .map((s) => `${s.name} max ${s.summary.max ? formatPercent(s.summary.max.value, 1) : "∞"}`)
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

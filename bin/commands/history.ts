/**
 * `history`: one account's snapshots over a time range, as an aligned table, CSV or JSON, by
 * margin pool (default), asset or position, streamed as DynamoDB pages arrive (Query only, never
 * Scan); or as a chart of the pools' margin ratio or distance to liquidation in the terminal
 * (--chart) or in a PNG / HTML file (--out). The command's run loop; its arguments, help,
 * account check and chart levels live in history/.
 */
import { renderTerminalChart } from "../../lib/history/chart-terminal.js";
import { csvHeader, csvRows } from "../../lib/history/csv.js";
import { Downsampler } from "../../lib/history/downsample.js";
import { GapTracker } from "../../lib/history/gaps.js";
import { JsonArrayFormatter } from "../../lib/history/json.js";
import { buildPlot, worstOf } from "../../lib/history/plot.js";
import { renderPlotHtml } from "../../lib/history/plot-html.js";
import { renderPlotPng } from "../../lib/history/plot-png.js";
import { readSnapshotPages } from "../../lib/history/read.js";
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
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { type CliDeps, defaultCliDeps, openTarget, tableError } from "../cli-context.js";
import { type Command, EXIT } from "../command.js";
import { createProgress, OutputSink, useColor } from "../output.js";
import { checkAccount, isAwsError } from "./history/account.js";
import { type Format, parseHistoryArgs } from "./history/args.js";
import { HELP } from "./history/help.js";
import { portfolioPlotLevels, stackLevels } from "./history/levels.js";

/** A snapshot's rows in the view, and whether it has any (counted, shown). */
function hasRows(snapshot: Snapshot, view: ViewName, selection: Selection): boolean {
  if (view === "assets") return selectAssets(snapshot, selection).length > 0;
  if (view === "positions") return selectPositions(snapshot, selection).length > 0;
  return selectPools(snapshot, selection).length > 0;
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
      // Which kinds of pool a chart plots: a Portfolio Margin account's alone draws its uniMMR levels.
      let plotsPortfolio = false;
      let plotsOther = false;
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
                for (const p of selectPools(snapshot, selection)) {
                  ds.add(p.label, t, request.metric === "ratio" ? p.ratio : p.distance);
                  if (p.kind === "portfolio") plotsPortfolio = true;
                  else plotsOther = true;
                }
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
              levels:
                request.metric === "ratio" && !request.levelsGiven && plotsPortfolio && !plotsOther
                  ? portfolioPlotLevels()
                  : levels,
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

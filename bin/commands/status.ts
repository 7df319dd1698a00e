/**
 * `status`: is every account watched, and is anything open? Per account: the latest snapshot's
 * ratio and level per asset, its age (STALE past three schedule intervals), and the open alerts
 * from the alert state (held levels, "cannot read account" outages, unpublished outbox alerts).
 */
import { DynamoDbStore } from "../../lib/aws/dynamodb-store.js";
import { mapWithConcurrency } from "../../lib/core/concurrency.js";
import { formatInterval, parseInterval, parseScheduleExpression } from "../../lib/history/range.js";
import { type AccountReading, buildStatusReport, formatStatus, STALE_INTERVALS } from "../../lib/history/status.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { parseOptions } from "../args.js";
import {
  type CliDeps,
  defaultCliDeps,
  openTarget,
  TARGET_HELP,
  TARGET_OPTIONS,
  type Target,
  tableError,
  targetUsageProblem,
} from "../cli-context.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { OutputSink, useColor } from "../output.js";
import { deploymentSection } from "../status-deployment.js";

const DEFAULT_INTERVAL_MS = 60_000;

const HELP = `Usage: coinm-guard status [--account NAME ...] [options]

For every account: the latest snapshot's margin ratio and level per asset, the level the alert
state holds (HELD, with hysteresis), and the snapshot's age, flagged STALE when older than
${STALE_INTERVALS} schedule intervals (the monitor is not writing). Then the open alerts: levels held
above ok, "cannot read account" outages, and alerts waiting in the outbox to be published.
Last, accounts with alert levels of their own, and who the alert topic reaches (unconfirmed
emails and SMS-sandboxed numbers flagged).

Options:
  --account NAME    an account to show (repeat for several; default: every account in the
                    stack's AccountSecrets output, or the demo's accounts with --demo)
  --interval EVERY  the schedule interval, e.g. 1m, 5m or "rate(1 minute)" (default: the
                    stack's ScheduleExpression output, else 1m)
  --format FORMAT   table (default) or json (any case)

${TARGET_HELP}

Examples:
  coinm-guard status
  coinm-guard status --demo
  coinm-guard status --table coinm-guard-snapshots --account main --interval 1m --format json

Exit codes: 0 shown (even when stale or alerting), 1 error, 2 usage error.`;

const OPTIONS = {
  account: { type: "string", multiple: true },
  interval: { type: "string" },
  format: { type: "string" },
  ...TARGET_OPTIONS,
} as const;

async function resolveAccounts(given: readonly string[], target: Target): Promise<readonly string[]> {
  if (given.length > 0) return given;
  if (target.demo) return target.demo.accounts;
  let secrets: Readonly<Record<string, string>> | undefined;
  try {
    secrets = (await target.stack()).accountSecrets;
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (or name the accounts with --account)`, {
      cause: err,
    });
  }
  const names = Object.keys(secrets ?? {}).sort();
  if (names.length === 0)
    throw new Error("the stack has no AccountSecrets output listing accounts; name them with --account");
  return names;
}

async function resolveInterval(text: string | undefined, target: Target): Promise<{ ms: number; source: string }> {
  if (text !== undefined) {
    const ms = parseInterval(text);
    if (ms === undefined)
      throw new UsageError(`--interval "${text}" is not an interval: use 1m, 5m or "rate(1 minute)"`);
    return { ms, source: "--interval" };
  }
  if (target.demo) return { ms: target.demo.intervalMs, source: "the demo's cycle interval" };
  try {
    const expression = (await target.stack()).scheduleExpression;
    const ms = expression ? parseScheduleExpression(expression) : undefined;
    if (ms !== undefined && expression) return { ms, source: `stack ScheduleExpression ${expression}` };
    return {
      ms: DEFAULT_INTERVAL_MS,
      source: expression
        ? `default; cannot read schedule "${expression}"`
        : "default; the stack has no ScheduleExpression output",
    };
  } catch {
    return { ms: DEFAULT_INTERVAL_MS, source: "default; stack outputs unavailable" };
  }
}

export function createStatusCommand(overrides: Partial<CliDeps> = {}): Command {
  return {
    name: "status",
    summary: "Show each account's latest ratio, snapshot age and open alerts",
    help: HELP,
    async run(argv) {
      const deps: CliDeps = { ...defaultCliDeps(), ...overrides };
      const { values } = parseOptions(argv, OPTIONS);
      const problem = targetUsageProblem(values);
      if (problem) throw new UsageError(problem);
      const format = (values.format ?? "table").trim().toLowerCase();
      if (format !== "table" && format !== "json") throw new UsageError("--format must be table or json");
      const given = (values.account ?? [])
        .flatMap((a) => a.split(","))
        .map((a) => a.trim())
        .filter(Boolean);
      if (values.interval !== undefined && parseInterval(values.interval) === undefined) {
        throw new UsageError(`--interval "${values.interval}" is not an interval: use 1m, 5m or "rate(1 minute)"`);
      }

      const target = await openTarget(values, deps);
      const sink = new OutputSink(deps.stdout);
      try {
        const accounts = await resolveAccounts(given, target);
        const interval = await resolveInterval(values.interval, target);
        const store = new DynamoDbStore(target.dynamodb, target.tableName);
        const errors: unknown[] = [];
        const readings = await mapWithConcurrency(accounts, 8, async (account): Promise<AccountReading> => {
          try {
            const [snapshot, state] = await Promise.all([store.latestSnapshot(account), store.loadState(account)]);
            return { account, snapshot, state: state.version > 0 ? state : undefined };
          } catch (err) {
            errors.push(err);
            return { account, error: tableError(err, target.tableName).message };
          }
        });
        // The same failure for every account (no table, no access) is one error, not a report.
        if (errors.length > 0 && errors.length === accounts.length) throw tableError(errors[0], target.tableName);
        const report = buildStatusReport(readings, {
          now: deps.now(),
          intervalMs: interval.ms,
          intervalSource: interval.source,
        });
        if (format === "json") await sink.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          const color = useColor(deps.stdout, deps.env);
          await sink.write(formatStatus(report, { color, levelNames: DEFAULT_ALERT_LEVELS.map((l) => l.name) }));
          await sink.write(await deploymentSection(values, target, deps));
          if (target.demo && report.accounts.every((a) => a.stale)) {
            deps.stderr.write(
              `(the demo is not running: its snapshots are older than ${formatInterval(report.staleAfterMs)}, so they are STALE)\n`,
            );
          }
        }
        return EXIT.ok;
      } finally {
        sink.dispose();
        await target.close();
      }
    },
  };
}

export const statusCommand: Command = createStatusCommand();

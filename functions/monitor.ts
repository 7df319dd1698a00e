/**
 * Lambda handler: one monitoring cycle per scheduled event, then the watch (lib/monitor/mark-watch.ts):
 * accounts at warning or above are re-read every FAST_POLL_SECONDS until shortly before the next
 * scheduled run (lib/monitor/cadence.ts), and those plus any within reach of warning are judged at
 * every mark of the mark price stream. Clients are built once per container, the AWS SDK's on first
 * use; each cycle logs one summary line and emits its metrics.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { lazyAwsClients } from "../lib/aws/lazy.js";
import { loadConfig, type MonitorConfig } from "../lib/config.js";
import { GuardError } from "../lib/core/errors.js";
import { createLogger, logLevelFromEnv, withLogFields } from "../lib/core/log.js";
import type { CycleSummary } from "../lib/monitor/cycle.js";
import { cycleMetrics } from "../lib/monitor/metrics.js";
import { createMonitor, incompleteAccounts, type Monitor, summaryLogFields } from "../lib/monitor.js";

/** Time kept back from the Lambda timeout for state writes and alerts after the reads. */
const SAFETY_MARGIN_MS = 4000;

const log = createLogger({ level: logLevelFromEnv() });

let config: MonitorConfig | undefined;
let monitor: Monitor | undefined;
let initError: unknown;
try {
  config = loadConfig();
  monitor = createMonitor(config, lazyAwsClients(), log);
} catch (err) {
  // Reported on every invocation (not only at init) so the Errors alarm keeps firing until fixed.
  initError = err;
}

class CycleIncompleteError extends GuardError {
  readonly kind = "cycle-incomplete";
}

/** EventBridge's scheduled event; only `time` is read, and a missing or bad one means "now". */
function cycleTimeOf(event: Partial<ScheduledEvent> | undefined): Date {
  const parsed = event?.time ? new Date(event.time) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date();
}

/** Every log line of the invocation, the monitor's included, carries the Lambda request id. */
export const handler = (event: ScheduledEvent, context: Context) =>
  withLogFields({ requestId: context.awsRequestId }, () => runInvocation(event, context));

async function runInvocation(event: ScheduledEvent, context: Context) {
  if (!config || !monitor) {
    log.error("configuration invalid; monitor not running", {
      error: initError instanceof Error ? initError.message : String(initError),
    });
    throw initError;
  }
  const cycleTime = cycleTimeOf(event);
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const { ratioMetrics } = config;
  const report = (summary: CycleSummary, message: string) => {
    for (const doc of cycleMetrics(summary, { ratioMetrics, timestamp: Date.now() })) {
      process.stdout.write(`${JSON.stringify(doc)}\n`);
    }
    log.info(message, summaryLogFields(summary));
  };
  const summary = await monitor.run({ cycleTime, deadlineMs });
  report(summary, "cycle complete");
  const watch = await monitor.watch({
    first: summary,
    cycleTime,
    deadlineMs,
    onReread: (s) => report(s, "re-read complete"),
    onMarkCheck: (check, mark) =>
      log.info("mark check", {
        account: check.account,
        symbol: mark.symbol,
        markPrice: mark.markPrice,
        applied: check.applied,
        alertsSent: check.alertsSent.length,
        problems: check.problems,
      }),
  });
  const rereads = watch.rereads;
  if (watch.stream) log.info("mark price stream closed", { ...watch.stream, watched: watch.watched });
  const incomplete = [
    ...new Set([
      ...[summary, ...rereads].flatMap(incompleteAccounts),
      ...watch.checks.filter((c) => c.problems.some((p) => p.step === "alert-state")).map((c) => c.account),
    ]),
  ];
  if (incomplete.length > 0) {
    // Failing the invocation trips the Lambda Errors alarm; reads themselves are covered by health alerts.
    throw new CycleIncompleteError(`could not persist snapshot or alert state for: ${incomplete.join(", ")}`);
  }
  return {
    ok: summary.ok,
    failed: summary.failed,
    deferred: summary.deferred,
    alertsSent:
      summary.alertsSent +
      rereads.reduce((n, r) => n + r.alertsSent, 0) +
      watch.checks.reduce((n, c) => n + c.alertsSent.length, 0),
    rereads: rereads.length,
    markChecks: watch.checks.length,
    watched: watch.watched.atRisk.length + watch.watched.withinReach.length,
    streamMarks: watch.stream?.marks ?? 0,
  };
}

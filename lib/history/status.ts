/**
 * `status` as data and text: per account the latest snapshot's margin pools (an asset's cross
 * positions, or one isolated position) with ratio, distance to liquidation and level, its age
 * (STALE past three schedule intervals: the monitor has stopped writing), and the open alerts
 * from the alert state: levels held above ok, a "cannot read account" outage, and alerts still
 * waiting in the outbox to be published. A snapshot from before pools shows its assets' ratios.
 */
import { renderAlert } from "../alerts/messages.js";
import type { AccountState } from "../monitor/ports.js";
import type { Snapshot } from "../monitor/snapshot.js";
import { formatKeyLines, type KeyStatus, keyStatusOf } from "./key-status.js";
import { formatAge, formatInterval } from "./range.js";
import { distanceCell, levelColor, poolRatioCell } from "./table.js";
import { type PoolRow, poolRows } from "./views.js";

/** A snapshot is stale when older than this many schedule intervals. */
export const STALE_INTERVALS = 3;

export interface AccountReading {
  readonly account: string;
  readonly snapshot?: Snapshot | undefined;
  readonly state?: AccountState | undefined;
  /** Set when the account's items could not be read. */
  readonly error?: string | undefined;
}

export type OpenAlert =
  | {
      readonly kind: "held";
      /** The pool's id ("BTC", "BTCUSD_PERP#LONG") and label ("BTC cross"). */
      readonly pool: string;
      readonly label: string;
      readonly level: string;
      readonly lastNotifiedAt?: string;
    }
  | {
      readonly kind: "outage";
      /** The book that cannot be read; absent: the account's COIN-M read. */
      readonly product?: "usdm";
      readonly failures: number;
      readonly errorKind?: string;
      /** True once the "cannot read account" alert has gone out. */
      readonly alerted: boolean;
    }
  | {
      readonly kind: "pending";
      readonly id: string;
      readonly subject: string;
      readonly attempts: number;
      readonly at: string;
    };

export interface AccountStatus {
  readonly account: string;
  readonly takenAt?: string;
  readonly ageMs?: number;
  /** No snapshot, or the latest is older than STALE_INTERVALS intervals. */
  readonly stale: boolean;
  readonly error?: string;
  readonly assets: readonly {
    readonly asset: string;
    readonly marginRatio: number | null;
    readonly level: string;
    readonly held: string;
  }[];
  /** The snapshot's pools; for a snapshot from before pools, its assets (kind "asset"). */
  readonly pools: readonly {
    readonly id: string;
    readonly kind: PoolRow["kind"];
    readonly label: string;
    readonly ratio: number | null;
    /** A Portfolio Margin pool's uniMMR, raw. */
    readonly uniMMR?: string;
    readonly distance: number | null;
    readonly level: string;
    readonly held: string;
  }[];
  readonly alerts: readonly OpenAlert[];
  /** The API key as the monitor's daily check last saw it (absent: no alert state yet). */
  readonly key?: KeyStatus;
}

export interface StatusReport {
  readonly generatedAt: string;
  readonly intervalMs: number;
  /** Where the interval came from: "--interval", the stack's ScheduleExpression, ... */
  readonly intervalSource: string;
  readonly staleAfterMs: number;
  readonly accounts: readonly AccountStatus[];
}

export function openAlerts(state: AccountState | undefined, snapshot?: Snapshot): OpenAlert[] {
  if (!state) return [];
  const alerts: OpenAlert[] = [];
  if (state.health.consecutiveFailures > 0 || state.health.alerted) {
    alerts.push({
      kind: "outage",
      failures: state.health.consecutiveFailures,
      ...(state.health.lastErrorKind ? { errorKind: state.health.lastErrorKind } : {}),
      alerted: state.health.alerted,
    });
  }
  // The USD-M book's own cannot-read record: COIN-M may be fine while USD-M is unwatched.
  const usdm = state.usdm?.health;
  if (usdm && (usdm.consecutiveFailures > 0 || usdm.alerted)) {
    alerts.push({
      kind: "outage",
      product: "usdm",
      failures: usdm.consecutiveFailures,
      ...(usdm.lastErrorKind ? { errorKind: usdm.lastErrorKind } : {}),
      alerted: usdm.alerted,
    });
  }
  const labels = new Map((snapshot ? poolRows(snapshot) : []).map((p) => [p.id, p.label]));
  for (const [pool, held] of Object.entries(state.pools).sort(([a], [b]) => a.localeCompare(b))) {
    if (held.level === "ok") continue;
    alerts.push({
      kind: "held",
      pool,
      label: held.label ?? labels.get(pool) ?? pool,
      level: held.level,
      ...(held.lastNotifiedAt > 0 ? { lastNotifiedAt: new Date(held.lastNotifiedAt).toISOString() } : {}),
    });
  }
  const pending = Object.entries(state.outbox).sort(([, a], [, b]) => a.alert.at.localeCompare(b.alert.at));
  for (const [id, p] of pending) {
    alerts.push({
      kind: "pending",
      id,
      subject: renderAlert(p.alert).subject.replace(/^coinm-guard:\s*/, ""),
      attempts: p.attempts,
      at: p.alert.at,
    });
  }
  return alerts;
}

export function buildStatusReport(
  readings: readonly AccountReading[],
  options: { now: Date; intervalMs: number; intervalSource: string },
): StatusReport {
  const staleAfterMs = STALE_INTERVALS * options.intervalMs;
  const now = options.now.getTime();
  return {
    generatedAt: options.now.toISOString(),
    intervalMs: options.intervalMs,
    intervalSource: options.intervalSource,
    staleAfterMs,
    accounts: readings.map((r) => {
      const s = r.snapshot;
      const ageMs = s ? now - Date.parse(s.takenAt) : undefined;
      return {
        account: r.account,
        ...(s ? { takenAt: s.takenAt } : {}),
        ...(ageMs !== undefined ? { ageMs } : {}),
        stale: ageMs === undefined || ageMs > staleAfterMs,
        ...(r.error ? { error: r.error } : {}),
        assets: (s?.assets ?? []).map((a) => ({
          asset: a.asset,
          marginRatio: a.marginRatio,
          level: a.level,
          held: r.state?.pools[a.asset]?.level ?? "ok",
        })),
        pools: (s ? poolRows(s) : []).map((p) => ({
          id: p.id,
          kind: p.kind,
          label: p.label,
          ratio: p.ratio,
          ...(p.uniMMR !== undefined ? { uniMMR: p.uniMMR } : {}),
          distance: p.distance,
          level: p.level,
          held: r.state?.pools[p.id]?.level ?? "ok",
        })),
        alerts: openAlerts(r.state, s),
        ...(r.state ? { key: keyStatusOf(r.state.keyCheck, options.now) } : {}),
      };
    }),
  };
}

const RED = "\x1b[31m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

function alertText(a: OpenAlert): string {
  switch (a.kind) {
    case "outage": {
      const cause = a.errorKind ? ` (${a.errorKind})` : "";
      if (a.product === "usdm") {
        return a.alerted
          ? `CANNOT READ USD-M: ${a.failures} failed read${a.failures === 1 ? "" : "s"} in a row${cause}; alert sent, USD-M margin NOT monitored (COIN-M is)`
          : `USD-M: ${a.failures} failed read${a.failures === 1 ? "" : "s"} in a row${cause}; "cannot read USD-M" alert not sent yet`;
      }
      return a.alerted
        ? `CANNOT READ ACCOUNT: ${a.failures} failed cycle${a.failures === 1 ? "" : "s"} in a row${cause}; alert sent, margin NOT monitored`
        : `${a.failures} failed cycle${a.failures === 1 ? "" : "s"} in a row${cause}; "cannot read account" alert not sent yet`;
    }
    case "held":
      return `${a.label} held at ${a.level.toUpperCase()}${a.lastNotifiedAt ? ` (last notified ${a.lastNotifiedAt.slice(0, 19).replace("T", " ")} UTC)` : ""}`;
    case "pending":
      return `not yet published (${a.attempts} attempt${a.attempts === 1 ? "" : "s"}): ${a.subject}`;
  }
}

export function formatStatus(
  report: StatusReport,
  options: { color?: boolean; levelNames?: readonly string[] } = {},
): string {
  const color = options.color ?? false;
  const header = ["ACCOUNT", "POOL", "RATIO", "DISTANCE", "LEVEL", "HELD", "SNAPSHOT AGE"];
  const rows: { cells: string[]; stale: boolean; level: string; held: string }[] = [];
  for (const a of report.accounts) {
    const age = a.ageMs !== undefined ? formatAge(a.ageMs) : "no data";
    if (a.pools.length === 0) {
      rows.push({
        cells: [a.account, "-", "-", "-", "-", "-", a.error ? "read failed" : age],
        stale: a.stale,
        level: "ok",
        held: "ok",
      });
      continue;
    }
    for (const x of a.pools) {
      rows.push({
        cells: [a.account, x.label, poolRatioCell(x), distanceCell(x.distance), x.level, x.held, age],
        stale: a.stale,
        level: x.level,
        held: x.held,
      });
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r.cells[i] ?? "").length)));
  const right = (i: number) => i === 2 || i === 3;
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => (right(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ");
  const paint = (text: string, code: string) => (color && code ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  lines.push(paint(fmt(header).trimEnd(), BOLD));
  for (const r of rows) {
    const cells = r.cells.map((c, i) => (right(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)));
    cells[4] = paint(cells[4] ?? "", levelColor(r.level, options.levelNames));
    cells[5] = paint(cells[5] ?? "", levelColor(r.held, options.levelNames));
    let line = cells.join("  ");
    if (r.stale) line += `  ${paint("STALE", RED)}`;
    lines.push(line.trimEnd());
  }
  lines.push("");
  lines.push(
    `Schedule: every ${formatInterval(report.intervalMs)} (${report.intervalSource}); a snapshot older than ${formatInterval(report.staleAfterMs)} is STALE.`,
  );
  lines.push("");
  lines.push(...formatKeyLines(report.accounts, new Date(report.generatedAt)));
  const open = report.accounts.flatMap((a) => [
    ...(a.error ? [{ account: a.account, text: `cannot read this account's data: ${a.error}` }] : []),
    ...a.alerts.map((x) => ({ account: a.account, text: alertText(x) })),
  ]);
  if (open.length === 0) lines.push("Open alerts: none");
  else {
    const w = Math.max(...open.map((o) => o.account.length));
    lines.push("Open alerts:");
    for (const o of open) lines.push(`  ${o.account.padEnd(w)}  ${o.text}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Figure: `coinm-guard history --format csv` over 1 day and 30 days of one-minute snapshots of
 * one account (43,200 items in dynalite), run as the user runs it: the CLI as a subprocess
 * (bin/coinm-guard.mjs, through tsx), reading through the SDK's AWS_ENDPOINT_URL_DYNAMODB. Wall
 * time from spawn to exit, peak RSS from `/usr/bin/time -v` (or the process's own maxRSS through
 * a preloaded module when that tool is missing), and the bytes and rows it printed.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fillHistory } from "./support/history-data.js";
import { fromRepo, OUT } from "./support/paths.js";
import { runProcess } from "./support/proc.js";
import { median } from "./support/stats.js";
import { startWorld } from "./support/world.js";

export interface HistoryRange {
  readonly days: number;
  readonly snapshots: number;
  readonly wallMs: number;
  readonly maxRssKiB: number;
  readonly stdoutBytes: number;
  readonly rows: number;
  /** CPU of the CLI process (from /usr/bin/time; NaN without it) and of dynalite serving it. */
  readonly cliCpuMs: number;
  readonly dynaliteCpuMs: number;
}

export type HistoryFigure =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      readonly runs: number;
      readonly fillMs: number;
      /** `coinm-guard --help`: process start plus tsx, the floor under every CLI run. */
      readonly startupMs: number;
      readonly startupRssKiB: number;
      readonly ranges: readonly HistoryRange[];
      readonly rssTool: string;
      /**
       * 1, 7 and 30 days again with V8's old space capped far below what a month of parsed snapshots
       * would need: the month only completes if rows stream, and then peak RSS should not grow
       * with the range (without a cap, V8 lets the heap grow with the allocation rate instead).
       */
      readonly cappedHeap: {
        readonly capMiB: number;
        readonly ok: boolean;
        readonly ranges: readonly {
          readonly days: number;
          readonly ok: boolean;
          readonly wallMs: number;
          readonly maxRssKiB: number;
        }[];
      };
    };

const CLI = fromRepo("bin", "coinm-guard.mjs");
const TIME = "/usr/bin/time";
const ACCOUNT = "desk-001-main";
const START = Date.UTC(2026, 9, 1);
const DAYS = 30;
/**
 * Below what a buffered month would need: 43,200 snapshots parsed by itemToSnapshot hold 55 MB of
 * heap even when every decimal string is shared (measured with --expose-gc), before any CSV.
 */
const HEAP_CAP_MIB = 32;
const ACTIVE_ASSETS = 3;

/** Preloaded when /usr/bin/time is missing: prints the process's own peak RSS on exit. */
const MAXRSS_PRELOAD = `process.on("exit", () => { require("node:fs").writeSync(2, "\\nBENCH_MAXRSS_KIB " + process.resourceUsage().maxRSS + "\\n"); });\n`;

async function runCli(args: readonly string[], env: NodeJS.ProcessEnv) {
  const useTime = existsSync(TIME);
  const preload = join(OUT, "children", "maxrss.cjs");
  if (!useTime) {
    await mkdir(join(OUT, "children"), { recursive: true });
    await writeFile(preload, MAXRSS_PRELOAD);
  }
  const [command, argv] = useTime
    ? [TIME, ["-v", process.execPath, CLI, ...args]]
    : [process.execPath, ["--require", preload, CLI, ...args]];
  // This process serves the queries (dynalite): its CPU during the run is the database's share.
  const cpu = process.cpuUsage();
  const r = await runProcess(command, argv, { env, timeoutMs: 60_000, stdout: "count" });
  const served = process.cpuUsage(cpu);
  const seconds = (label: string) =>
    Number(new RegExp(`${label} \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? Number.NaN);
  const rss = useTime
    ? /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]
    : /BENCH_MAXRSS_KIB (\d+)/.exec(r.stderr)?.[1];
  if (r.code !== 0) throw new Error(`history exited ${r.code}: ${r.stderr.slice(0, 1500)}`);
  return {
    ...r,
    maxRssKiB: Number(rss ?? Number.NaN),
    rssTool: useTime ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS",
    cliCpuMs: useTime ? (seconds("User time") + seconds("System time")) * 1000 : Number.NaN,
    dynaliteCpuMs: (served.user + served.system) / 1000,
  };
}

/** Whether the history command exists in this checkout (it is being written alongside this bench). */
export function historyAvailability(): string | undefined {
  if (!existsSync(fromRepo("bin", "commands", "history.ts"))) return "bin/commands/history.ts is not in this checkout";
  return undefined;
}

export async function measureHistory(runs = 3): Promise<HistoryFigure> {
  const missing = historyAvailability();
  if (missing) return { available: false, reason: missing };
  const world = await startWorld({ accounts: 1 });
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "loopback",
      AWS_SECRET_ACCESS_KEY: "loopback",
      AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      NO_COLOR: "1",
    };
    const help = await runCli(["history", "--help"], env).catch((err: unknown) => err as Error);
    if (help instanceof Error)
      return { available: false, reason: `history --help failed: ${help.message.split("\n")[0]}` };
    const started = performance.now();
    const written = await fillHistory(world.db, world.tableName, {
      account: ACCOUNT,
      start: new Date(START),
      count: DAYS * 1440,
      activeAssets: ACTIVE_ASSETS,
    });
    const fillMs = performance.now() - started;
    const startup = [help];
    for (let i = 1; i < runs; i++) startup.push(await runCli(["--help"], env));
    const ranges: HistoryRange[] = [];
    let rssTool = help.rssTool;
    for (const days of [1, 7, DAYS]) {
      // The last `days` days of the month, both ends inclusive, as ISO times.
      const until = new Date(START + DAYS * 86_400_000 - 60_000);
      const since = new Date(START + (DAYS - days) * 86_400_000);
      const args = ["history", "--account", ACCOUNT, "--since", since.toISOString(), "--until", until.toISOString()];
      const samples = [];
      for (let i = 0; i < runs; i++) {
        samples.push(await runCli([...args, "--format", "csv", "--table", world.tableName], env));
      }
      rssTool = samples[0]?.rssTool ?? rssTool;
      const snapshots = Math.min(written, days * 1440);
      ranges.push({
        days,
        snapshots,
        wallMs: median(samples.map((s) => s.wallMs)),
        maxRssKiB: median(samples.map((s) => s.maxRssKiB)),
        stdoutBytes: samples[0]?.stdoutBytes ?? 0,
        cliCpuMs: median(samples.map((x) => x.cliCpuMs)),
        dynaliteCpuMs: median(samples.map((x) => x.dynaliteCpuMs)),
        // Less the CSV header line.
        rows: (samples[0]?.stdoutLines ?? 1) - 1,
      });
    }
    const capped = [];
    for (const days of [1, 7, DAYS]) {
      const args = [
        "history",
        "--account",
        ACCOUNT,
        "--since",
        new Date(START + (DAYS - days) * 86_400_000).toISOString(),
        "--until",
        new Date(START + DAYS * 86_400_000 - 60_000).toISOString(),
        "--format",
        "csv",
        "--table",
        world.tableName,
      ];
      const r = await runCli(args, { ...env, NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MIB}` }).catch(
        () => undefined,
      );
      capped.push({
        days,
        ok: r !== undefined && r.stdoutLines - 1 === days * 1440 * ACTIVE_ASSETS,
        wallMs: r?.wallMs ?? Number.NaN,
        maxRssKiB: r?.maxRssKiB ?? Number.NaN,
      });
    }
    return {
      available: true,
      cappedHeap: { capMiB: HEAP_CAP_MIB, ok: capped.every((c) => c.ok), ranges: capped },
      runs,
      fillMs,
      startupMs: median(startup.map((s) => s.wallMs)),
      startupRssKiB: median(startup.map((s) => s.maxRssKiB)),
      ranges,
      rssTool,
    };
  } finally {
    await world.stop();
  }
}

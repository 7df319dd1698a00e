/**
 * The deployed bundle on the Lambda's Node.js major: functions/monitor.ts bundled with the stack's
 * own esbuild options (infra BUNDLING, translated as CDK does), imported by a Node 24 binary the
 * way the Lambda runtime imports it, and invoked for one scheduled cycle against the loopback
 * exchange, Secrets Manager / SNS stand-ins and dynalite. Also checks that the bundle links its
 * source map, so `--enable-source-maps` (set in the function's NODE_OPTIONS) maps stack traces to
 * the TypeScript sources.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_BUNDLING, LAMBDA_ENTRY } from "../../bench/bundle-options.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { ensureNode24, node24Supported } from "../../sim/node24.js";
import { type Harness, hmacKey, publishedAlerts, startHarness, TOPIC_ARN } from "../support/harness.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
// Inside the repository, so the bundle's external @aws-sdk/* imports resolve from node_modules
// as they resolve from the runtime's own copy on Lambda.
const OUT_DIR = join(ROOT, "node_modules", ".cache", `coinm-guard-node24-${process.pid}`);
const BUNDLE = join(OUT_DIR, "index.mjs");
const main = hmacKey("main");

/** What the Lambda runtime does: import the module by file URL, call the handler with an event and context. */
const INVOKE = `
const { pathToFileURL } = await import("node:url");
const mod = await import(pathToFileURL(process.env.BUNDLE).href);
const deadline = Date.now() + 50000;
try {
  const result = await mod.handler({ time: process.env.CYCLE_TIME }, { getRemainingTimeInMillis: () => deadline - Date.now() });
  process.stdout.write(JSON.stringify({ node: process.version, result }) + "\\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ node: process.version, error: String(err && err.stack) }) + "\\n");
  process.exitCode = 1;
}
`;

let node24: string;
let h: Harness;

async function invoke(env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const fullEnv = {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "loopback",
    AWS_SECRET_ACCESS_KEY: "loopback",
    AWS_ENDPOINT_URL: h.aws.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: h.dynamoEndpoint,
    SNAPSHOT_TABLE: h.tableName,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    ACCOUNTS: JSON.stringify([{ name: "main", secretId: main.secretId }]),
    BINANCE_BASE_URL: h.baseUrl,
    BINANCE_USDM_BASE_URL: h.baseUrl,
    BINANCE_STREAM_URL: h.stream.endpoint,
    BINANCE_PM_BASE_URL: h.baseUrl,
    // The function's own setting (infra/constructs/function-defaults.ts).
    NODE_OPTIONS: "--enable-source-maps",
    BUNDLE,
    ...env,
  };
  try {
    const out = await run(node24, ["--input-type=module", "-e", INVOKE], { env: fullEnv, timeout: 60_000 });
    return { code: 0, lines: out.stdout.trim().split("\n") };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, lines: e.stdout.trim().split("\n") };
  }
}

describe.runIf(node24Supported())("the deployed monitor bundle on Node 24", () => {
  beforeAll(async () => {
    // First use installs the pinned binary (~30 MB download); CI does it before the tests.
    node24 = await ensureNode24();
    await mkdir(OUT_DIR, { recursive: true });
    await build({
      ...LAMBDA_BUNDLING,
      absWorkingDir: ROOT,
      entryPoints: [LAMBDA_ENTRY],
      bundle: true,
      outfile: BUNDLE,
    });
    h = await startHarness({ keys: [main], account: () => accountBody([btcAtRatio(0.62)]) });
  }, 300_000);
  afterAll(async () => {
    await h?.stop();
    await rm(OUT_DIR, { recursive: true, force: true });
  });

  it("links its source map, so --enable-source-maps can find it", async () => {
    const code = await readFile(BUNDLE, "utf8");
    expect(code.trimEnd().split("\n").at(-1)).toBe("//# sourceMappingURL=index.mjs.map");
    const map = JSON.parse(await readFile(`${BUNDLE}.map`, "utf8")) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith("lib/monitor/cycle.ts"))).toBe(true);
  });

  it("runs a scheduled cycle and the at-risk re-reads: snapshots written, the warning published once, summaries logged", async () => {
    // Time scaled down (2 s schedule, 0.5 s re-reads) so the at-risk account's re-reads run in a test.
    const cycleTime = new Date().toISOString();
    const out = await invoke({ CYCLE_TIME: cycleTime, FAST_POLL_SECONDS: "0.5", SCHEDULE_INTERVAL_SECONDS: "2" });
    expect(out.code, out.lines.join("\n")).toBe(0);
    const last = JSON.parse(out.lines.at(-1) ?? "{}") as { node: string; result: { rereads: number } };
    expect(last.node).toMatch(/^v24\./);
    expect(last.result).toMatchObject({ ok: 1, failed: 0, deferred: 0, alertsSent: 1 });
    expect(last.result.rereads).toBeGreaterThanOrEqual(1);
    expect(last.result.rereads).toBeLessThanOrEqual(3);
    expect(publishedAlerts(h.aws).map((a) => `${a.account} ${a.asset} ${a.notice} ${a.level}`)).toEqual([
      "main BTC escalated warning",
    ]);
    expect(await h.store.latestSnapshot("main")).toMatchObject({ assets: [{ asset: "BTC", level: "warning" }] });
    const logged = out.lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => l.message === "cycle complete" && l.ok === 1)).toHaveLength(1);
    expect(logged.filter((l) => l.message === "re-read complete")).toHaveLength(last.result.rereads);
    // Node 24 runs the runtime's SDK without the version warning Node 20 needs silencing for.
    expect(out.lines.join("\n")).not.toMatch(/NodeVersionSupportWarning|no longer support/i);
  });

  it("reads its accounts from accounts.json beside the bundle, as deployed (ACCOUNTS_FILE, no ACCOUNTS)", async () => {
    await writeFile(join(OUT_DIR, "accounts.json"), JSON.stringify([{ name: "main", secretId: main.secretId }]));
    // After the scheduled cycle above (run at "now"), so this cycle's snapshot is the latest.
    const cycleTime = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000).toISOString();
    const out = await invoke({
      ACCOUNTS: "",
      ACCOUNTS_FILE: "accounts.json",
      LAMBDA_TASK_ROOT: OUT_DIR,
      CYCLE_TIME: cycleTime,
      FAST_POLL_SECONDS: "0",
    });
    expect(out.code, out.lines.join("\n")).toBe(0);
    const last = JSON.parse(out.lines.at(-1) ?? "{}") as { result: { ok: number } };
    expect(last.result).toMatchObject({ ok: 1, failed: 0, deferred: 0 });
    expect(await h.store.latestSnapshot("main")).toMatchObject({ takenAt: cycleTime });
  });

  it("maps a failure's stack trace to the TypeScript source", async () => {
    const out = await invoke({ ACCOUNTS: "[not json", CYCLE_TIME: "2026-11-24T12:01:00Z" });
    expect(out.code).toBe(1);
    const last = JSON.parse(out.lines.at(-1) ?? "{}") as { error?: string };
    expect(last.error).toMatch(/ConfigError|ACCOUNTS/);
    // Without the linked map every frame is index.mjs:1:<column> of the minified line.
    expect(last.error).toMatch(/lib\/config\.ts:\d+:\d+/);
  });
});

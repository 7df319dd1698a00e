/**
 * Figure: cold start. Wall time of `node <harness> <bundle>` (import the handler module, build
 * the clients, exit) against a bare `node -e ''`, both spawned from here with the same binary,
 * interleaved so that background load hits every variant alike; median of N runs each. The
 * binary is the Lambda's Node.js major (24, sim/node24.ts), not the Node 20 running the bench:
 * module loading and the SDK's start-up differ between majors, and the ratio is what carries over.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BundleVariant } from "./bundle-options.js";
import { buildChild } from "./support/build.js";
import { OUT } from "./support/paths.js";
import { runProcess } from "./support/proc.js";
import { median } from "./support/stats.js";

export type ColdVariant = "bare" | "empty" | BundleVariant;

export interface ColdStartFigure {
  readonly runs: number;
  /** `node --version` of the binary measured. */
  readonly nodeVersion: string;
  readonly wallMs: Readonly<Record<ColdVariant, number>>;
  /** Median in-process time of the dynamic import alone. */
  readonly importMs: Readonly<Partial<Record<ColdVariant, number>>>;
  readonly ratio: Readonly<Record<ColdVariant, number>>;
}

/** What the handler module needs to load: the Lambda's variables, with loopback-only values. */
export function lambdaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "loopback",
    AWS_SECRET_ACCESS_KEY: "loopback",
    // Node 20 here; the Lambda runs Node 24, where the SDK prints no such warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    SNAPSHOT_TABLE: "coinm-guard-bench",
    ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:coinm-guard-alerts",
    ACCOUNTS: JSON.stringify([{ name: "main", secretId: "coinm-guard/main" }]),
    BINANCE_BASE_URL: "http://127.0.0.1:9",
    BINANCE_SPOT_BASE_URL: "http://127.0.0.1:9",
    BINANCE_USDM_BASE_URL: "http://127.0.0.1:9",
    BINANCE_PM_BASE_URL: "http://127.0.0.1:9",
    ...extra,
  };
}

export async function measureColdStart(
  bundles: Readonly<Record<BundleVariant, string>>,
  node: string,
  runs = 15,
): Promise<ColdStartFigure> {
  const harness = await buildChild("cold-start");
  const empty = join(OUT, "children", "empty.mjs");
  await writeFile(empty, "export {};\n");
  const commands: Record<ColdVariant, string[]> = {
    bare: ["-e", ""],
    empty: [harness, empty],
    deployed: [harness, bundles.deployed],
    "sdk-bundled": [harness, bundles["sdk-bundled"]],
    "sdk-bundled-cjs": [harness, bundles["sdk-bundled-cjs"]],
    "sdk-stubbed": [harness, bundles["sdk-stubbed"]],
  };
  const variants = Object.keys(commands) as ColdVariant[];
  const walls = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<ColdVariant, number[]>;
  const imports = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<ColdVariant, number[]>;
  const env = lambdaEnv();
  // Round 0 warms the page cache and is thrown away; after it every file comes from memory, as
  // on a Lambda host that has the runtime's SDK cached (our own code arrives fresh either way).
  for (let round = 0; round <= runs; round++) {
    for (const variant of variants) {
      const r = await runProcess(node, commands[variant] as string[], { env, timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`cold start ${variant} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      if (round === 0) continue;
      walls[variant].push(r.wallMs);
      const line = r.stdout.trim().split("\n").pop();
      if (line?.startsWith("{")) imports[variant].push((JSON.parse(line) as { importMs: number }).importMs);
    }
  }
  const wallMs = Object.fromEntries(variants.map((v) => [v, median(walls[v])])) as Record<ColdVariant, number>;
  const version = await runProcess(node, ["--version"], { env });
  return {
    runs,
    nodeVersion: version.stdout.trim(),
    wallMs,
    importMs: Object.fromEntries(variants.filter((v) => imports[v].length > 0).map((v) => [v, median(imports[v])])),
    ratio: Object.fromEntries(variants.map((v) => [v, wallMs[v] / wallMs.bare])) as Record<ColdVariant, number>,
  };
}

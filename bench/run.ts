/**
 * `npm run bench`: every performance and cost figure of issue 6, each a median of several runs,
 * printed as tables (Markdown, so the output pastes into docs/performance.md) and saved to
 * bench/out/results.json. Only loopback servers started here are contacted; every loop is bounded.
 * This file measures; bench/report/ prices and prints.
 *
 * Options: --only bundle,cold,cycle,latency,scaling,sharding,history,dynamodb,cost  (a subset, for iterating)
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FIGURES, type Figure } from "./report/results.js";

// Before any SDK client exists: this machine runs Node 20, the Lambda runs Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const { measureBundles, bundlingSource } = await import("./bundle.js");
const { measureColdStart } = await import("./cold-start.js");
const { ensureNode24 } = await import("../sim/node24.js");
const { measureCycle } = await import("./cycle.js");
const { measureScaling } = await import("./scaling.js");
const { measureSharding } = await import("./sharding.js");
const { measureLatency } = await import("./latency.js");
const { measureStreamLatency } = await import("./stream-latency.js");
const { measureHistory } = await import("./history.js");
const { measureDynamoCost } = await import("./dynamodb-cost.js");
const { awsDurationEstimate } = await import("./cost-model.js");
const { describeMachine, machineLine } = await import("./support/machine.js");
const { OUT } = await import("./support/paths.js");
const { markdownTable } = await import("./support/table.js");
const { monthlyCosts, shardedCosts } = await import("./report/costs.js");
const { summaryRows } = await import("./report/summary.js");
const { printDetails } = await import("./report/details.js");

const { values } = parseArgs({ options: { only: { type: "string" } } });
const only = new Set((values.only?.split(",") ?? FIGURES) as Figure[]);
for (const f of only) if (!FIGURES.includes(f)) throw new Error(`unknown figure "${f}"; one of ${FIGURES.join(", ")}`);
// The cost model is built from the other figures.
if (only.has("cost")) for (const f of ["cycle", "scaling", "dynamodb"] as const) only.add(f);
if (only.has("latency")) only.add("cycle");
if (only.has("cold") || only.has("cycle") || only.has("latency")) only.add("bundle");

const started = performance.now();
const print = (text = "") => process.stdout.write(`${text}\n`);
const step = (name: string) =>
  process.stderr.write(`bench: ${name} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
const machine = describeMachine();

step("bundles");
const bundles = only.has("bundle") ? await measureBundles() : undefined;
const infra = only.has("bundle") ? bundlingSource() : undefined;
step("cold start");
const cold =
  only.has("cold") && bundles
    ? await measureColdStart(
        {
          deployed: bundles.deployed.file,
          "sdk-bundled": bundles["sdk-bundled"].file,
          "sdk-bundled-cjs": bundles["sdk-bundled-cjs"].file,
          "sdk-stubbed": bundles["sdk-stubbed"].file,
        },
        await ensureNode24(),
      )
    : undefined;
step("one cycle");
const cycle = only.has("cycle") && bundles ? await measureCycle(bundles.deployed.file) : undefined;
// The same cycle with a USD-M book held beside COIN-M (issue 19): its CPU and fapi weight.
const cycleUsdm =
  only.has("cycle") && bundles
    ? await measureCycle(bundles.deployed.file, { runs: 20, warmUp: 20, usdmBook: true })
    : undefined;
// The log-volume lever: the same cycle with a MarginRatio metric per asset (the old default).
const cyclePerAsset =
  only.has("cost") && bundles
    ? await measureCycle(bundles.deployed.file, { runs: 5, warmUp: 5, env: { RATIO_METRICS: "per-asset" } })
    : undefined;
step("latency");
// AWS duration of a calm one-account invocation (cost model), for the GB-s figures.
const costsAwsCalmMs =
  cycle !== undefined
    ? awsDurationEstimate({ accounts: 1, concurrency: 16, cpuMs: cycle.cpuMs, memoryMb: 256 })
    : undefined;
const latency = only.has("latency") && bundles ? await measureLatency(bundles.deployed.file) : undefined;
step("stream latency");
const streamLatency = only.has("latency") && bundles ? await measureStreamLatency(bundles.deployed.file) : undefined;
step("scaling");
const scaling = only.has("scaling") ? await measureScaling() : undefined;
step("sharding");
const sharding = only.has("sharding") ? await measureSharding() : undefined;
step("history");
const history = only.has("history") ? await measureHistory() : undefined;
step("dynamodb");
const dynamo = only.has("dynamodb") ? await measureDynamoCost() : undefined;
step("done measuring");

const measured = {
  only,
  bundles,
  infra,
  cold,
  cycle,
  cycleUsdm,
  cyclePerAsset,
  costsAwsCalmMs,
  latency,
  streamLatency,
  scaling,
  sharding,
  history,
  dynamo,
};
const costs = monthlyCosts(measured);
const shardedBill = shardedCosts(measured);
const rows = summaryRows(measured, costs);

print(`# coinm-guard benchmarks\n\nMachine: ${machineLine(machine)}\n`);
print(markdownTable(["Figure", "Measured (median)", "Target", "Status"], rows));
printDetails(print, measured, costs, shardedBill);

await mkdir(OUT, { recursive: true });
const file = join(OUT, "results.json");
await writeFile(
  file,
  `${JSON.stringify({ machine, at: new Date().toISOString(), bundles, infra, cold, cycle, cycleUsdm, cyclePerAsset, latency, streamLatency, scaling, sharding, history, dynamo, costs, sharded: shardedBill?.sharded ?? [] }, null, 2)}\n`,
);
print(
  `\nLoad average at the end: ${loadavg()[0]?.toFixed(2)} (the figures above are medians; other work on the machine still moves them).`,
);
print(`\nRaw results: ${file} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);

/**
 * A month at 1-minute cadence (43,200 snapshots, three assets each) through `history`: every row
 * arrives, memory stays flat (the output is streamed, not collected), a closed pipe stops the
 * reading, and a chart of the whole month is drawn from bounded, downsampled points.
 */
import type { MiddlewareStack } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHistoryCommand } from "../../bin/commands/history.js";
import { CaptureStream, CliWorld, run } from "./support/harness.js";
import { fillSnapshots, series } from "./support/snapshots.js";

const START = new Date("2026-09-01T00:00:00.000Z");
const COUNT = 43_200;
const NOW = new Date("2026-10-01T00:00:00.000Z");
const TABLE = "history-month";
const world = new CliWorld();
let queries = 0;

beforeAll(async () => {
  await world.start();
  await world.table(TABLE);
  const t = performance.now();
  expect(await fillSnapshots(world.dynamodb, TABLE, series("main", START, COUNT), 32)).toBe(COUNT);
  console.info(`filled ${COUNT} snapshots in ${Math.round(performance.now() - t)} ms`);
  (world.dynamodb.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName === "QueryCommand") queries++;
      return next(args);
    },
    { step: "initialize", name: "countQueries" },
  );
}, 120_000);

afterAll(async () => {
  await world.stop();
});

/** Run history with a stdout that counts lines instead of keeping them, sampling memory meanwhile. */
async function measured(argv: readonly string[], stdout: CaptureStream) {
  const deps = world.deps({ now: NOW, stdout });
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const t = performance.now();
  try {
    const result = await run(createHistoryCommand(deps), argv, deps);
    return {
      result,
      ms: performance.now() - t,
      heapGrowthMb: (peakHeap - base.heapUsed) / 1e6,
      peakRssMb: peakRss / 1e6,
    };
  } finally {
    clearInterval(timer);
  }
}

describe("history over a month of 1-minute snapshots", () => {
  it("streams all 43,200 snapshots as CSV in time order, page by page as they are read", async () => {
    let lastTime = "";
    let ordered = true;
    let firstChunkAt = 0;
    let chunks = 0;
    const check = (text: string) => {
      chunks++;
      if (firstChunkAt === 0) firstChunkAt = performance.now();
      for (const line of text.split("\n")) {
        const t = line.slice(0, 24);
        if (!t.startsWith("20")) continue;
        if (t < lastTime) ordered = false;
        lastTime = t;
      }
    };
    const day = await measured(
      ["--table", TABLE, "--account", "main", "--since", "2026-09-30", "--format", "csv"],
      new CaptureStream({ keep: false }),
    );
    expect(day.result.stdoutStream.lines).toBe(1 + 1440 * 4);

    const monthStarted = performance.now();
    const month = await measured(
      ["--table", TABLE, "--account", "main", "--since", "30d", "--format", "csv"],
      new CaptureStream({ keep: false, onChunk: check }),
    );
    expect(month.result.code).toBe(0);
    expect(month.result.stderr).toBe("");
    expect(month.result.stdoutStream.lines).toBe(1 + COUNT * 4);
    expect(ordered).toBe(true);
    expect(lastTime).toBe("2026-09-30T23:59:00.000Z");
    console.info(
      `CSV in-process (dynalite in the same process): 1 day ${Math.round(day.ms)} ms, heap +${day.heapGrowthMb.toFixed(0)} MB; ` +
        `30 days ${Math.round(month.ms)} ms, heap +${month.heapGrowthMb.toFixed(0)} MB, peak RSS ${month.peakRssMb.toFixed(0)} MB`,
    );
    // Streamed, not collected: rows reach stdout in many pieces, the first long before the end.
    // (Heap figures are printed above but not asserted: dynalite shares this process and heap,
    // so they move with its garbage; bench/history.ts measures the CLI alone under a heap cap.)
    // At least one write per page of 1,000 items read (a collected month would be one write).
    expect(chunks).toBeGreaterThanOrEqual(COUNT / 1000);
    expect(firstChunkAt - monthStarted).toBeLessThan(month.ms / 4);
    expect(month.ms).toBeLessThan(30_000);
  });

  it("stops reading when stdout's reader goes away", async () => {
    const before = queries;
    const head = new CaptureStream({ closeAfterBytes: 4000 });
    const { result } = await measured(
      ["--table", TABLE, "--account", "main", "--since", "30d", "--format", "csv"],
      head,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    // 44 pages for the whole month; a closed pipe stops after the first few (the read-ahead budget).
    expect(queries - before).toBeLessThanOrEqual(10);
  });

  it("charts the whole month from downsampled points", async () => {
    const files = new Map<string, string | Uint8Array>();
    const deps = world.deps({ now: NOW, stdout: new CaptureStream({ columns: 100 }), files });
    const r = await run(
      createHistoryCommand(deps),
      ["--table", TABLE, "--account", "main", "--since", "30d", "--chart", "--out", "month.html"],
      deps,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Margin ratio, account main: 2026-09-01 00:00:00 → 2026-10-01 00:00:00 UTC");
    expect(r.stdout).toContain(`BTC cross: max`);
    expect(r.stdout).toContain(`(${COUNT} snapshots`);
    const html = String(files.get("month.html"));
    const btc = html.match(/<g class="series" data-asset="BTC cross">[\s\S]*?<\/g>/)?.[0] ?? "";
    // A month without a gap is one line per asset, and nothing is shaded.
    expect(btc.match(/<polyline /g)).toHaveLength(1);
    expect(html).not.toContain('class="not-monitored"');
    const points = (btc.match(/points="([^"]*)"/)?.[1] ?? "").split(" ");
    // At most two points (min and max) per bucket, and 1,024 buckets at most.
    expect(points.length).toBeGreaterThan(200);
    expect(points.length).toBeLessThanOrEqual(2 * 1024);
    expect(html).toContain(`<td>${COUNT}</td>`);
  });
});

/**
 * `npm start` as a newcomer runs it: the whole demo in a child process, in a scratch directory.
 * The mixed account's blended asset ratio stays calm while its isolated position is what alerts;
 * every account's bodies come from the margin engine, so cross pools show their liquidation price.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
let scratch: string | undefined;

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the local demo", () => {
  let stdout = "";
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "coinm-guard-demo-"));
    ({ stdout } = await run(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), join(root, "bin/cli.ts"), "demo", "--interval-ms", "0"],
      { cwd: scratch, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } },
    ));
  });

  it("shows an isolated position, not the blended asset ratio, driving the alerts of demo-mixed", () => {
    const lines = stdout.split("\n");
    const blended = lines
      .filter((l) => /demo-mixed\s+BTC blended \(not a pool\)/.test(l))
      .map((l) => Number(/ratio\s+([\d.]+)%/.exec(l)?.[1]));
    expect(blended).toHaveLength(16);
    expect(Math.max(...blended)).toBeLessThan(2);
    // Too long for 140 characters with its ratio figure: the SMS keeps the remedy whole instead.
    expect(stdout).toContain(
      "SMS    coinm-guard demo-mixed BTCUSD_PERP long isolated: rose to CRITICAL (was warning). liq 48000 mark 49200 (2.44%). Add 0.52769311 BTC\n",
    );
    expect(stdout).toMatch(
      /demo-mixed BTCUSD_PERP long isolated\s+ratio\s+88\.8%\s+0\.06% to liq 48000\s+level critical/,
    );
    // The three classic accounts' 10 alerts, and demo-pm's 4 (below).
    expect(stdout).toMatch(/Done: 16 cycles, 14 alerts published/);
  });

  it("shows demo-pm, a Portfolio Margin account found on papi by itself, judged by uniMMR: 4 alerts, never cannot-read", () => {
    const lines = stdout.split("\n").filter((l) => /^\S+\s+demo-pm\s+portfolio margin\s+uniMMR/.test(l));
    expect(lines).toHaveLength(16);
    expect(lines[0]).toMatch(/uniMMR 250\.0%\s+[\d.]+% to liq\s+level ok/);
    expect(stdout.match(/SMS {4}coinm-guard demo-pm portfolio margin: [^\n]*/g)).toEqual([
      "SMS    coinm-guard demo-pm portfolio margin: rose to WARNING (was ok). uniMMR 146.3% MARGIN_CALL, eq 782.5 mm 534.825 USD. Add 19.75 USD",
      "SMS    coinm-guard demo-pm portfolio margin: rose to CRITICAL (was warning). uniMMR 118.5% REDUCE_ONLY, eq 621.5 mm 524.13 USD. Add 164.71 USD",
      "SMS    coinm-guard demo-pm portfolio margin: recovered to WARNING (was critical). uniMMR 137.9% MARGIN_CALL, eq 733.5 mm 531.57 USD. Add 63.87 USD",
      "SMS    coinm-guard demo-pm portfolio margin: recovered to OK (was warning). uniMMR 186.4% NORMAL, eq 1027.5 mm 551.1 USD.",
    ]);
    expect(stdout).not.toMatch(/demo-pm\s+cannot read/);
  });

  it("computes every account from the engine: the at-risk cross pool shows its liquidation price and distance", () => {
    const lines = stdout.split("\n");
    const cross = lines.filter((l) => /^\S+\s+demo\s+BTC cross/.test(l));
    expect(cross).toHaveLength(16);
    // Every cycle of the cross long has its liquidation price and distance, never "no liq".
    for (const line of cross) expect(line).toMatch(/ratio\s+[\d.]+%\s+[\d.]+% to liq 46390\.4\s+level /);
    expect(stdout).toContain(
      "SMS    coinm-guard demo BTC cross: rose to CRITICAL (was warning). Ratio 81.0%, liq 46390.4 mark 48200 (3.75%).",
    );
    // The covered ETH short has no liquidation price at all, as Binance shows it ("0").
    expect(lines.filter((l) => /demo-eth\s+ETH cross\s+ratio\s+0\.3%\s+no liq\s+level ok/.test(l))).toHaveLength(12);
  });

  it("shows demo-mixed's USD-M book beside its COIN-M pools, labelled as USD-M, calm throughout", () => {
    const lines = stdout.split("\n").filter((l) => /demo-mixed\s+USDT cross \(USD-M\)/.test(l));
    expect(lines).toHaveLength(16);
    for (const line of lines) expect(line).toMatch(/ratio\s+0\.\d%\s+[\d.]+% to liq \d+(\.\d)?\s+level ok/);
  });

  it("leaves dust pools (no position, no requirement) out of the per-cycle lines", () => {
    expect(stdout).toMatch(/demo\s+BTC cross/);
    expect(stdout).not.toMatch(/BNB cross/);
  });
});

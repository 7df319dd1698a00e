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
    expect(stdout).toContain(
      "SMS    coinm-guard demo-mixed BTCUSD_PERP long isolated: rose to CRITICAL (was warning). Ratio 16.6%, liq 48000 mark 49200 (2.44%).",
    );
    expect(stdout).toMatch(
      /demo-mixed BTCUSD_PERP long isolated\s+ratio\s+88\.8%\s+0\.06% to liq 48000\s+level critical/,
    );
    expect(stdout).toMatch(/Done: 16 cycles, 10 alerts published/);
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

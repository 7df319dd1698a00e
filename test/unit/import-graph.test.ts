/**
 * The house's layering, checked on every `npm test`: no import circle anywhere in the source tree,
 * no arrow the dependency rule forbids (tools/import-graph.mjs RULES: lib/ never imports infra,
 * functions, bin, sim or bench; lib/risk imports no adapter; lib/core imports nothing above it),
 * and lib/ root kept to its entry points.
 */
import { describe, expect, it } from "vitest";
import { circles, forbidden, importGraph } from "../../tools/import-graph.mjs";

/** lib/ root holds entry points only (config, createMonitor); a concept belongs in a folder. */
const LIB_ROOT_MAX = 4;

describe("import graph", () => {
  const graph = importGraph();

  it("reads the source tree", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("lib/monitor.ts")).toContain("lib/config.ts");
  });

  it("has no import circle", () => {
    expect(circles(graph).map((c) => c.join(" <-> "))).toEqual([]);
  });

  it("has no import the layering forbids", () => {
    expect(forbidden(graph).map((f) => `${f.from} -> ${f.to} (${f.why})`)).toEqual([]);
  });

  it(`keeps at most ${LIB_ROOT_MAX} files in lib/ root`, () => {
    const root = [...graph.keys()].filter((f) => /^lib\/[^/]+$/.test(f));
    expect(root.length, root.join(", ")).toBeLessThanOrEqual(LIB_ROOT_MAX);
    expect(root).toContain("lib/config.ts");
  });

  it("finds a circle and a forbidden import when there is one", () => {
    const bad = new Map([
      ["lib/risk/a.ts", ["lib/risk/b.ts"]],
      ["lib/risk/b.ts", ["lib/risk/a.ts", "lib/binance/client.ts"]],
      ["lib/binance/client.ts", []],
    ]);
    expect(circles(bad)).toEqual([["lib/risk/a.ts", "lib/risk/b.ts"]]);
    expect(forbidden(bad)).toEqual([
      { from: "lib/risk/b.ts", to: "lib/binance/client.ts", why: "the domain depends on no adapter" },
    ]);
  });
});
